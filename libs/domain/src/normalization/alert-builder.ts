import type { AlertFormat, CanonicalAlert } from '@soc/contracts';
import type { AttackRefs } from './attack';
import type { EntityBag } from './entities';
import type { NormalizeContext } from './types';

/** What a format module extracts; the builder adds what every alert shares. */
export type AlertFields = Pick<
  CanonicalAlert,
  | 'alertId'
  | 'observedAt'
  | 'observedAtFromArrival'
  | 'product'
  | 'vendor'
  | 'ruleId'
  | 'ruleName'
  | 'title'
  | 'description'
  | 'severity'
  | 'severityLabel'
  | 'confidence'
  | 'category'
> & {
  readonly attack: AttackRefs;
  readonly entities: EntityBag;
};

/**
 * Assembles the canonical alert. Threat intelligence is left empty: no source format states a
 * verdict we could take as ours; enrichment fills it later in the pipeline.
 */
export function buildAlert(
  context: NormalizeContext,
  format: AlertFormat,
  original: string,
  fields: AlertFields,
): CanonicalAlert {
  return {
    tenantId: context.tenantId,
    alertId: fields.alertId,
    sourceSystem: sourceSystemOf(context, format),
    observedAt: fields.observedAt,
    ingestedAt: context.ingestedAt,
    observedAtFromArrival: fields.observedAtFromArrival ?? false,
    product: fields.product,
    vendor: fields.vendor,
    ruleId: fields.ruleId,
    ruleName: fields.ruleName,
    title: fields.title,
    description: fields.description,
    severity: Math.round(fields.severity),
    severityLabel: fields.severityLabel,
    confidence: fields.confidence === null ? null : Math.round(fields.confidence),
    category: fields.category,
    tactics: fields.attack.tactics,
    techniques: fields.attack.techniques,
    entities: fields.entities.entities,
    threatIntel: [],
    format,
    original,
  };
}

export function sourceSystemOf(context: NormalizeContext, format: AlertFormat): string {
  const named = context.sourceSystem?.trim();
  return named !== undefined && named.length > 0 ? named : format;
}

/** Text kept for the analyst, bounded so one record cannot carry megabytes into every view. */
export function boundedText(value: string | undefined, max = 16_384): string | undefined {
  if (value === undefined) return undefined;
  return value.length <= max ? value : `${value.slice(0, max)}…`;
}
