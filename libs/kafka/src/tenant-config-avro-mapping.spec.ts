import { Type } from 'avsc';
import { TENANT_CONFIG_CHANGES, type TenantConfigEvent } from '@soc/contracts';
import { readSchemaFile } from './schema-files';
import { tenantConfigAvroMapping } from './tenant-config-avro-mapping';

const configType = Type.forSchema(readSchemaFile('tenantConfig'));

const changed = (change: (typeof TENANT_CONFIG_CHANGES)[number]): TenantConfigEvent => ({
  eventId: 'e-1',
  type: 'TenantConfigChanged',
  schemaVersion: 1,
  tenantId: 'acme',
  streamId: 'tenant-config:acme',
  sequence: 3,
  partitionKey: 'acme',
  occurredAt: Date.UTC(2026, 11, 1),
  causationId: 'request:e-1',
  actor: 'admin:alice',
  data: {
    version: 3,
    config: {
      correlation: { windowMs: 600_000, scoring: { weights: { severity: 0.5 } } },
      connectors: [{ id: 'acme-splunk', type: 'splunk', tenant: 'acme' }],
      rejectedProposals: ['fp-1'],
    },
    change,
    proposalId: change === 'edited' ? null : 'fp-2',
    reason: 'quieter nights',
  },
});

describe('tenant config Avro mapping', () => {
  it.each(TENANT_CONFIG_CHANGES)('round-trips a %s change through the schema', (change) => {
    const event = changed(change);
    const decoded = tenantConfigAvroMapping.fromAvro(
      configType.fromBuffer(configType.toBuffer(tenantConfigAvroMapping.toAvro(event))),
    );
    expect(decoded).toEqual(event);
  });

  it('refuses a record whose configJson is not a configuration document', () => {
    const record = tenantConfigAvroMapping.toAvro(changed('edited')) as {
      data: Record<string, unknown>;
    };
    record.data['configJson'] = '[]';
    expect(() => tenantConfigAvroMapping.fromAvro(record)).toThrow(/configuration document/);
  });
});
