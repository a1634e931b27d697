import type { AlertSummary, CanonicalAlert } from '@soc/contracts';
import type { TenantCorrelationPolicy } from './config';
import type { AlertKeys, KeyedEntity } from './entity-keys';

/** What the decider derives from one alert, once: its summary, keys and linking keys. */
export interface DecidedAlert {
  readonly alert: CanonicalAlert;
  readonly summary: AlertSummary;
  readonly keys: AlertKeys;
  /** The alert's linking entities (not allowlisted), with their keys. */
  readonly links: readonly KeyedEntity[];
}

export const summarize = (alert: CanonicalAlert): AlertSummary => ({
  alertId: alert.alertId,
  sourceSystem: alert.sourceSystem,
  observedAt: alert.observedAt,
  ingestedAt: alert.ingestedAt,
  product: alert.product,
  ruleId: alert.ruleId,
  ruleName: alert.ruleName,
  title: alert.title,
  severity: alert.severity,
  confidence: alert.confidence,
  category: alert.category,
  tactics: alert.tactics,
  techniques: alert.techniques,
  entities: alert.entities,
  threatIntel: alert.threatIntel,
  originalObservedAt: null,
});

/** The alert's entities that link under the tenant's policy (not allowlisted). */
export const linkingEntities = (
  keys: AlertKeys,
  compiled: TenantCorrelationPolicy,
): KeyedEntity[] => keys.entities.filter(({ entity }) => compiled.links(entity));
