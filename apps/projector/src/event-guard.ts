import {
  ANALYST_VERDICTS,
  FEEDBACK_EVENT_TYPES,
  FOLLOW_UP_OUTCOMES,
  HELD_FEEDBACK_EXPIRY_REASONS,
  INCIDENT_CLOSE_REASONS,
  INCIDENT_EVENT_TYPES,
  INCIDENT_STATUSES,
  INTEL_INDICATOR_KINDS,
  LATE_ALERT_OUTCOMES,
  TENANT_BUDGETS,
  TENANT_CONFIG_CHANGES,
  isObject,
  narrow,
  type JsonObject,
  type Narrowing,
} from '@soc/contracts';
import type { ReadModelEvent } from '@soc/domain';
import { UndecodableRecordError } from '@soc/kafka';

/**
 * Narrows a decoded record (JSON or Avro, already mapped to the TypeScript shape) to an
 * incident or feedback event. Checks what the projection relies on, field by field, so a
 * malformed record becomes a dead letter naming the field instead of a crash mid-batch.
 */
const TEXT = narrow.text();
const NON_EMPTY = narrow.text({ min: 1 });
const NULLABLE_TEXT = narrow.optional(TEXT);
const NUMBER = narrow.number();
const NULLABLE_NUMBER = narrow.optional(NUMBER);
const STRINGS = narrow.arrayOf(TEXT, { of: 'strings' });
const OBJECTS = narrow.arrayOf(narrow.object);

/** Reads the fields of one object at `path`; the first field that fails is thrown, named. */
class Reader {
  constructor(
    private readonly value: JsonObject,
    private readonly path: string,
  ) {}

  private read<T>(field: string, narrowing: Narrowing<T>): T {
    const value = this.value[field];
    if (narrowing.is(value)) return value;
    const { expected, at } = narrowing.why(value);
    const path = `${this.path}.${field}${at}`;
    throw new UndecodableRecordError(`${path}: expected ${expected}`, path);
  }

  string(field: string): string {
    return this.read(field, TEXT);
  }

  nonEmpty(field: string): string {
    return this.read(field, NON_EMPTY);
  }

  nullableString(field: string): string | null {
    return this.read(field, NULLABLE_TEXT) ?? null;
  }

  number(field: string): number {
    return this.read(field, NUMBER);
  }

  nullableNumber(field: string): number | null {
    return this.read(field, NULLABLE_NUMBER) ?? null;
  }

  boolean(field: string): boolean {
    return this.read(field, narrow.boolean);
  }

  oneOf<T extends string>(field: string, allowed: readonly T[]): T {
    return this.read(field, narrow.oneOf(allowed));
  }

  array(field: string): readonly unknown[] {
    return this.read(field, narrow.array);
  }

  strings(field: string): readonly string[] {
    return this.read(field, STRINGS);
  }

  object(field: string): Reader {
    return new Reader(this.read(field, narrow.object), `${this.path}.${field}`);
  }

  objects(field: string): Reader[] {
    return this.read(field, OBJECTS).map(
      (item, i) => new Reader(item, `${this.path}.${field}[${i}]`),
    );
  }
}

function checkEntities(r: Reader, field: string): void {
  for (const entity of r.objects(field)) {
    entity.nonEmpty('type');
    entity.string('value');
  }
}

function checkAlert(r: Reader): void {
  r.nonEmpty('alertId');
  r.string('sourceSystem');
  r.number('observedAt');
  r.number('ingestedAt');
  r.nullableString('ruleId');
  r.nullableString('ruleName');
  r.string('title');
  r.number('severity');
  r.nullableNumber('confidence');
  r.strings('tactics');
  r.strings('techniques');
  checkEntities(r, 'entities');
  r.array('threatIntel');
}

function checkSeriesCount(r: Reader): void {
  r.string('repeatKey');
  r.nullableString('ruleId');
  r.strings('alertIds');
  r.number('lastObservedAt');
  r.number('totalRepeats');
  r.boolean('routine');
}

/** Which data fields each type must carry; the topic's schema guarantees the rest. */
function checkData(type: ReadModelEvent['type'], d: Reader): void {
  switch (type) {
    case 'IncidentOpened':
      d.nonEmpty('incidentId');
      d.string('title');
      checkAlert(d.object('firstAlert'));
      return;
    case 'AlertAttached':
      d.nonEmpty('incidentId');
      checkAlert(d.object('alert'));
      checkEntities(d, 'linkedBy');
      return;
    case 'AlertRepeatsCounted':
      d.nonEmpty('incidentId');
      checkSeriesCount(d);
      return;
    case 'IncidentRepeatsCounted':
      d.nonEmpty('incidentId');
      for (const count of d.objects('series')) checkSeriesCount(count);
      return;
    case 'AlertSuppressed':
      d.nullableString('incidentId');
      checkAlert(d.object('alert'));
      d.string('suppressionRuleId');
      d.string('reason');
      return;
    case 'LateAlertHandled':
      d.nullableString('incidentId');
      checkAlert(d.object('alert'));
      d.number('watermark');
      d.oneOf('outcome', LATE_ALERT_OUTCOMES);
      d.string('reason');
      return;
    case 'IncidentsMerged':
      d.nonEmpty('incidentId');
      d.nonEmpty('absorbedIncidentId');
      d.string('bridgingAlertId');
      checkEntities(d, 'sharedEntities');
      return;
    case 'IncidentMergedInto':
      d.nonEmpty('incidentId');
      d.nonEmpty('survivorIncidentId');
      return;
    case 'IncidentScored': {
      d.nonEmpty('incidentId');
      d.number('priority');
      d.nullableNumber('previousPriority');
      const explanation = d.object('explanation');
      for (const factor of explanation.objects('factors')) {
        factor.string('name');
        factor.number('raw');
        factor.number('weight');
        factor.number('contribution');
        factor.string('reason');
      }
      for (const adjustment of explanation.objects('adjustments')) {
        adjustment.string('name');
        adjustment.number('points');
        adjustment.string('reason');
      }
      explanation.string('summary');
      d.number('alertCount');
      d.number('distinctRules');
      d.strings('tactics');
      checkEntities(d, 'entities');
      return;
    }
    case 'IncidentEscalated':
      d.nonEmpty('incidentId');
      d.number('priority');
      d.number('threshold');
      return;
    case 'CampaignLinked':
      d.nonEmpty('incidentId');
      d.nonEmpty('campaignId');
      d.strings('linkedIncidentIds');
      d.string('reason');
      d.number('accumulatedRisk');
      return;
    case 'IncidentClosed':
      d.nonEmpty('incidentId');
      d.oneOf('reason', INCIDENT_CLOSE_REASONS);
      return;
    case 'IncidentReopened':
      d.nonEmpty('incidentId');
      d.oneOf('cause', ['late-alert']);
      d.nonEmpty('alertId');
      d.string('reason');
      return;
    case 'IntelVerdictApplied':
      d.nullableString('incidentId');
      d.nonEmpty('provider');
      d.nonEmpty('indicator');
      d.oneOf('kind', INTEL_INDICATOR_KINDS);
      d.oneOf('verdict', ['malicious', 'suspicious', 'benign', 'unknown']);
      d.number('score');
      d.string('evidence');
      d.number('fetchedAt');
      d.number('expiresAt');
      return;
    case 'FeedbackApplied':
      d.nonEmpty('incidentId');
      d.string('analyst');
      if (d.nullableString('verdict') !== null) d.oneOf('verdict', ANALYST_VERDICTS);
      d.nullableNumber('correctPriority');
      d.boolean('closed');
      d.nullableString('alertId');
      d.nullableString('notes');
      d.strings('rules');
      checkEntities(d, 'entities');
      d.strings('tactics');
      return;
    case 'FeedbackHeld':
      d.nullableString('incidentId');
      d.nonEmpty('alertId');
      d.nonEmpty('feedbackEventId');
      d.string('analyst');
      d.number('correctPriority');
      d.nullableString('notes');
      return;
    case 'HeldFeedbackExpired':
      d.nullableString('incidentId');
      d.nonEmpty('alertId');
      d.nonEmpty('feedbackEventId');
      d.string('analyst');
      d.number('heldAt');
      d.oneOf('reason', HELD_FEEDBACK_EXPIRY_REASONS);
      return;
    case 'ClosedIncidentFollowedUp':
      d.nonEmpty('incidentId');
      d.nonEmpty('closedIncidentId');
      d.nonEmpty('alertId');
      if (d.nullableString('verdict') !== null) d.oneOf('verdict', ANALYST_VERDICTS);
      d.oneOf('outcome', FOLLOW_UP_OUTCOMES);
      d.string('reason');
      return;
    case 'TenantBudgetExceeded':
      d.nullableString('incidentId');
      d.oneOf('budget', TENANT_BUDGETS);
      d.number('used');
      return;
    case 'TenantPolicyApplied':
      d.nullableString('incidentId');
      d.number('version');
      d.nonEmpty('configEventId');
      d.nonEmpty('changedBy');
      d.oneOf('change', TENANT_CONFIG_CHANGES);
      d.nullableString('proposalId');
      d.string('reason');
      d.string('configJson');
      d.string('policyJson');
      d.strings('problems');
      return;
    case 'IncidentAcknowledged':
      d.nonEmpty('incidentId');
      return;
    case 'IncidentAssigned':
      d.nonEmpty('incidentId');
      d.nonEmpty('assignee');
      return;
    case 'IncidentStatusChanged':
      d.nonEmpty('incidentId');
      d.oneOf('status', INCIDENT_STATUSES);
      d.nullableString('notes');
      return;
    case 'IncidentVerdictGiven':
      d.nonEmpty('incidentId');
      d.oneOf('verdict', ANALYST_VERDICTS);
      d.nullableString('notes');
      return;
    case 'PriorityFeedbackGiven':
      d.nullableString('incidentId');
      d.nullableString('alertId');
      d.number('correctPriority');
      d.nullableString('analystNotes');
      return;
    default: {
      const unreachable: never = type;
      throw new Error(`no data check for ${String(unreachable)}`);
    }
  }
}

export type EventFamily = 'incident' | 'feedback';

/** Narrows `value` to an event of `family`, or throws UndecodableRecordError naming the field. */
export function parseReadModelEvent(value: unknown, family: EventFamily): ReadModelEvent {
  if (!isObject(value)) throw new UndecodableRecordError('record is not an object');
  const r = new Reader(value, 'event');
  r.nonEmpty('eventId');
  const type = r.oneOf<ReadModelEvent['type']>(
    'type',
    family === 'incident' ? INCIDENT_EVENT_TYPES : FEEDBACK_EVENT_TYPES,
  );
  r.number('schemaVersion');
  r.nonEmpty('tenantId');
  r.nonEmpty('streamId');
  const sequence = r.number('sequence');
  if (!Number.isInteger(sequence) || sequence < 1) {
    throw new UndecodableRecordError(
      'event.sequence: expected an integer from 1',
      'event.sequence',
    );
  }
  r.string('partitionKey');
  r.number('occurredAt');
  r.string('causationId');
  r.string('actor');
  checkData(type, r.object('data'));
  return value as unknown as ReadModelEvent;
}
