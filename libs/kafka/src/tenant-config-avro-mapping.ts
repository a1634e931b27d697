import {
  isObject,
  TENANT_CONFIG_CHANGES,
  type TenantConfigChange,
  type TenantConfigDocument,
  type TenantConfigEvent,
} from '@soc/contracts';
import type { AvroMapping } from './avro-codec';

/** Avro enum symbols cannot hold '-': `suppression-accepted` travels as `suppression_accepted`. */
const toSymbol = (change: TenantConfigChange): string => change.replace(/-/g, '_');

function fromSymbol(symbol: unknown): TenantConfigChange {
  const change = TENANT_CONFIG_CHANGES.find((c) => toSymbol(c) === symbol);
  if (change === undefined) throw new Error(`unknown tenant config change ${String(symbol)}`);
  return change;
}

function documentOf(json: unknown): TenantConfigDocument {
  const parsed: unknown = typeof json === 'string' ? JSON.parse(json) : undefined;
  if (!isObject(parsed) || !isObject(parsed['correlation']) || !Array.isArray(parsed['connectors']))
    throw new Error('configJson is not a tenant configuration document');
  return parsed as unknown as TenantConfigDocument;
}

/**
 * soc.tenant-config.v1 (schemas/tenant-config): `data` is one record while the stream has one
 * event type; the document travels as JSON text (`configJson`), the change as an enum symbol.
 */
export const tenantConfigAvroMapping: AvroMapping<TenantConfigEvent> = {
  toAvro: (event) => {
    const { config, change, ...rest } = event.data;
    return {
      ...event,
      data: { ...rest, configJson: JSON.stringify(config), change: toSymbol(change) },
    };
  },
  fromAvro: (record) => {
    if (!isObject(record) || !isObject(record['data']))
      throw new Error('Avro tenant config record has no data');
    const { configJson, change, ...rest } = record['data'];
    return {
      ...record,
      data: { ...rest, config: documentOf(configJson), change: fromSymbol(change) },
    } as unknown as TenantConfigEvent;
  },
};
