import type {
  EpochMs,
  IntelEvent,
  IntelLookupDeferred,
  IntelVerdictRecorded,
} from '@soc/contracts';
import { unwrap, wrap, type AvroValueMapping } from '../incident/avro-mapping';
import type { Indicator } from './indicators';
import type { IntelVerdict } from './verdicts';

export const INTEL_AVRO_NAMESPACE = 'soc.intel.v1';
export const INTEL_SCHEMA_VERSION = 1;

/** The stream of one provider's results on one indicator, per tenant. */
export const intelStreamId = (
  provider: string,
  indicator: Pick<Indicator, 'kind' | 'value'>,
): string => `intel:${provider}:${indicator.kind}:${indicator.value}`;

/** Who asked and where the event goes: the envelope parts the shell supplies. */
export interface IntelEventContext {
  readonly eventId: string;
  readonly tenantId: string;
  readonly sequence: number;
  /** The alerts carrying the indicator; the first is the causation. */
  readonly alertIds: readonly string[];
}

const envelope = (
  context: IntelEventContext,
  provider: string,
  indicator: Pick<Indicator, 'kind' | 'value'>,
  occurredAt: EpochMs,
) => ({
  eventId: context.eventId,
  schemaVersion: INTEL_SCHEMA_VERSION,
  tenantId: context.tenantId,
  streamId: intelStreamId(provider, indicator),
  sequence: context.sequence,
  partitionKey: context.tenantId,
  occurredAt,
  causationId: context.alertIds[0] ?? '',
  actor: `intel:${provider}`,
});

/** A verdict as the event that records it; its event time is when it was fetched. */
export function verdictRecorded(
  context: IntelEventContext,
  verdict: IntelVerdict,
): IntelVerdictRecorded {
  const indicator = { kind: verdict.kind, value: verdict.indicator };
  return {
    ...envelope(context, verdict.provider, indicator, verdict.fetchedAt),
    type: 'IntelVerdictRecorded',
    data: { ...verdict, alertIds: [...context.alertIds] },
  };
}

export function lookupDeferred(
  context: IntelEventContext,
  deferral: {
    provider: string;
    indicator: Indicator;
    reason: string;
    retryAt: EpochMs;
    at: EpochMs;
  },
): IntelLookupDeferred {
  const { provider, indicator, reason, retryAt, at } = deferral;
  return {
    ...envelope(context, provider, indicator, at),
    type: 'IntelLookupDeferred',
    data: {
      provider,
      indicator: indicator.value,
      kind: indicator.kind,
      reason,
      retryAt,
      alertIds: [...context.alertIds],
    },
  };
}

/** Ready for an Avro topic codec on soc.intel.v1 (the data union wrapped by record name). */
export const intelAvroMapping: AvroValueMapping<IntelEvent> = {
  toAvro: (event) => wrap(INTEL_AVRO_NAMESPACE, event),
  fromAvro: (record) => unwrap<IntelEvent>(INTEL_AVRO_NAMESPACE, record),
};
