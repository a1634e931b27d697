import type { AlertEntity, AlertSummary, EpochMs } from '@soc/contracts';
import type { ReadModelEvent } from './evolve-incident-view';
import type {
  EntityTouch,
  HourlyStatsDelta,
  IncidentAlertRow,
  IncidentView,
  ViewEntity,
} from './incident-view';

export const HOUR_MS = 3_600_000;
export const hourOf = (time: EpochMs): EpochMs => Math.floor(time / HOUR_MS) * HOUR_MS;
export const MINUTE_MS = 60_000;
export const minuteOf = (time: EpochMs): EpochMs => Math.floor(time / MINUTE_MS) * MINUTE_MS;

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The view being changed by one event, and the rows and timeline text the event adds. */
export interface Draft {
  view: Mutable<IncidentView>;
  readonly alerts: IncidentAlertRow[];
  readonly touches: EntityTouch[];
  readonly stats: HourlyStatsDelta[];
  summary: string;
  details: Record<string, unknown>;
}

export function alertInStats(event: ReadModelEvent): HourlyStatsDelta[] {
  if (event.type === 'AlertSuppressed') {
    return [stat(event.tenantId, event.data.alert.observedAt, { alertsIn: 1 })];
  }
  if (event.type === 'LateAlertHandled' && event.data.outcome === 'dropped-window-closed') {
    return [stat(event.tenantId, event.data.alert.observedAt, { alertsIn: 1 })];
  }
  return [];
}

export function stat(
  tenantId: string,
  time: EpochMs,
  counts: Partial<Pick<HourlyStatsDelta, 'alertsIn' | 'incidentsOpened' | 'escalations'>>,
): HourlyStatsDelta {
  return {
    tenantId,
    hour: hourOf(time),
    minute: minuteOf(time),
    alertsIn: counts.alertsIn ?? 0,
    incidentsOpened: counts.incidentsOpened ?? 0,
    escalations: counts.escalations ?? 0,
  };
}

export function addAlert(
  draft: Draft,
  alert: AlertSummary,
  via: 'opened' | 'attached',
  linkedBy: readonly AlertEntity[],
  eventId: string,
  occurredAt: EpochMs,
): void {
  const v = draft.view;
  v.alertCount += 1;
  const rule = alert.ruleId ?? alert.ruleName;
  if (rule !== null) addRule(v, rule);
  for (const tactic of alert.tactics) addTactic(v, tactic);
  addEntities(draft, alert.entities, alert.observedAt);
  v.firstSeen = minTime(v.firstSeen, alert.observedAt);
  v.lastSeen = maxTime(v.lastSeen, alert.observedAt);
  v.maxSeverity = Math.max(v.maxSeverity, alert.severity);
  draft.alerts.push(alertRow(v, alert, via, linkedBy, eventId, occurredAt));
  draft.stats.push(stat(v.tenantId, alert.observedAt, { alertsIn: 1 }));
}

export function alertRow(
  v: IncidentView,
  alert: AlertSummary,
  via: IncidentAlertRow['via'],
  linkedBy: readonly AlertEntity[],
  eventId: string,
  attachedAt: EpochMs,
): IncidentAlertRow {
  return {
    tenantId: v.tenantId,
    incidentId: v.incidentId,
    alert,
    via,
    linkedBy,
    attachedAt,
    eventId,
  };
}

export function absorb(draft: Draft, absorbed: IncidentView, at: EpochMs): void {
  const v = draft.view;
  v.alertCount += absorbed.alertCount;
  for (const rule of absorbed.rules) addRule(v, rule);
  for (const tactic of absorbed.tactics) addTactic(v, tactic);
  addEntities(draft, absorbed.entities, absorbed.lastSeen ?? at);
  if (absorbed.firstSeen !== null) v.firstSeen = minTime(v.firstSeen, absorbed.firstSeen);
  if (absorbed.lastSeen !== null) v.lastSeen = maxTime(v.lastSeen, absorbed.lastSeen);
  v.maxSeverity = Math.max(v.maxSeverity, absorbed.maxSeverity);
  // As the correlator's merge does: a survivor without a campaign joins the absorbed one's story.
  v.campaignId ??= absorbed.campaignId;
}

export function addRule(v: Mutable<IncidentView>, rule: string): void {
  if (v.rules.includes(rule)) return;
  v.rules = [...v.rules, rule];
  // Never above what is known for sure; IncidentScored raises it when the correlator knows more.
  v.distinctRules = Math.max(v.distinctRules, v.rules.length);
}

export function addTactic(v: Mutable<IncidentView>, tactic: string): void {
  if (!v.tactics.includes(tactic)) v.tactics = [...v.tactics, tactic];
}

export function addEntities(
  draft: Draft,
  entities: readonly Pick<AlertEntity, 'type' | 'value' | 'role'>[],
  seenAt: EpochMs,
): void {
  const v = draft.view;
  const added: ViewEntity[] = [];
  let known: Set<string> | undefined;
  for (const entity of entities) {
    draft.touches.push({
      tenantId: v.tenantId,
      incidentId: v.incidentId,
      type: entity.type,
      value: entity.value,
      seenAt,
    });
    if (v.entities.length + added.length >= MAX_VIEW_ENTITIES) continue;
    known ??= new Set(v.entities.map(viewEntityKey));
    const key = viewEntityKey(entity);
    if (known.has(key)) continue;
    known.add(key);
    added.push({ type: entity.type, value: entity.value, role: entity.role });
  }
  if (added.length > 0) v.entities = [...v.entities, ...added];
}

/**
 * The incident row lists at most this many entities, in first-seen order, so an incident of
 * thousands of entities does not rewrite a row of hundreds of KB on every event; every entity
 * is still in the incident's entity rows (`draft.touches`).
 */
export const MAX_VIEW_ENTITIES = 1_000;

const viewEntityKey = (entity: Pick<AlertEntity, 'type' | 'value'>): string =>
  `${entity.type}:${entity.value}`;

export const minTime = (a: EpochMs | null, b: EpochMs): EpochMs =>
  a === null ? b : Math.min(a, b);
export const maxTime = (a: EpochMs | null, b: EpochMs): EpochMs =>
  a === null ? b : Math.max(a, b);

export const alertRef = (alert: AlertSummary): Record<string, unknown> => ({
  alertId: alert.alertId,
  title: alert.title,
  ruleId: alert.ruleId,
  ruleName: alert.ruleName,
  severity: alert.severity,
  observedAt: alert.observedAt,
});

export const entityRefs = (entities: readonly AlertEntity[]): { type: string; value: string }[] =>
  entities.map(({ type, value }) => ({ type, value }));

export const ruleSuffix = (alert: AlertSummary): string => {
  const rule = alert.ruleName ?? alert.ruleId;
  return rule === null ? '' : ` (rule ${rule})`;
};

export const linkedSuffix = (linkedBy: readonly AlertEntity[]): string =>
  linkedBy.length === 0
    ? ''
    : `, linked by ${linkedBy.map((e) => `${e.type} ${e.value}`).join(', ')}`;
