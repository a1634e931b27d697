import { INTEL_INDICATOR_KINDS, type FeedbackEvent, type IncidentEvent } from '@soc/contracts';
import type { ReadModelEvent } from '@soc/domain';
import { UndecodableRecordError } from '@soc/kafka';

/**
 * Narrows a decoded record (JSON or Avro, already mapped to the TypeScript shape) to an
 * incident or feedback event. Checks what the projection relies on, field by field, so a
 * malformed record becomes a dead letter naming the field instead of a crash mid-batch.
 */
type Obj = Readonly<Record<string, unknown>>;

class Reader {
  constructor(
    private readonly value: Obj,
    private readonly path: string,
  ) {}

  private fail(field: string, expected: string): never {
    const path = `${this.path}.${field}`;
    throw new UndecodableRecordError(`${path}: expected ${expected}`, path);
  }

  string(field: string): string {
    const v = this.value[field];
    return typeof v === 'string' ? v : this.fail(field, 'a string');
  }

  nonEmpty(field: string): string {
    const v = this.string(field);
    return v.length > 0 ? v : this.fail(field, 'a non-empty string');
  }

  nullableString(field: string): string | null {
    const v = this.value[field];
    return v === null || v === undefined
      ? null
      : typeof v === 'string'
        ? v
        : this.fail(field, 'a string or null');
  }

  number(field: string): number {
    const v = this.value[field];
    return typeof v === 'number' && Number.isFinite(v) ? v : this.fail(field, 'a finite number');
  }

  nullableNumber(field: string): number | null {
    const v = this.value[field];
    return v === null || v === undefined ? null : this.number(field);
  }

  boolean(field: string): boolean {
    const v = this.value[field];
    return typeof v === 'boolean' ? v : this.fail(field, 'a boolean');
  }

  oneOf<T extends string>(field: string, allowed: readonly T[]): T {
    const v = this.value[field];
    return typeof v === 'string' && (allowed as readonly string[]).includes(v)
      ? (v as T)
      : this.fail(field, `one of ${allowed.join(', ')}`);
  }

  array(field: string): readonly unknown[] {
    const v = this.value[field];
    return Array.isArray(v) ? v : this.fail(field, 'an array');
  }

  strings(field: string): readonly string[] {
    const items = this.array(field);
    return items.every((i) => typeof i === 'string')
      ? (items as string[])
      : this.fail(field, 'an array of strings');
  }

  object(field: string): Reader {
    const v = this.value[field];
    return isObject(v) ? new Reader(v, `${this.path}.${field}`) : this.fail(field, 'an object');
  }

  objects(field: string): Reader[] {
    return this.array(field).map((item, i) =>
      isObject(item)
        ? new Reader(item, `${this.path}.${field}[${i}]`)
        : this.fail(`${field}[${i}]`, 'an object'),
    );
  }
}

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const INCIDENT_TYPES: readonly IncidentEvent['type'][] = [
  'IncidentOpened',
  'AlertAttached',
  'AlertRepeatsCounted',
  'AlertSuppressed',
  'LateAlertHandled',
  'IncidentsMerged',
  'IncidentMergedInto',
  'IncidentScored',
  'IncidentEscalated',
  'CampaignLinked',
  'IncidentClosed',
  'IntelVerdictApplied',
];
const FEEDBACK_TYPES: readonly FeedbackEvent['type'][] = [
  'IncidentAcknowledged',
  'IncidentAssigned',
  'IncidentStatusChanged',
  'IncidentVerdictGiven',
  'PriorityFeedbackGiven',
];
const STATUSES = ['open', 'acknowledged', 'in_progress', 'closed'] as const;
const VERDICTS = ['true_positive', 'benign_positive', 'false_positive'] as const;

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
      d.string('repeatKey');
      d.nullableString('ruleId');
      d.strings('alertIds');
      d.number('lastObservedAt');
      d.number('totalRepeats');
      d.boolean('routine');
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
      d.oneOf('outcome', ['attached-to-open-incident', 'opened-incident', 'dropped-window-closed']);
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
      d.oneOf('reason', ['window-expired', 'max-span-reached', 'merged']);
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
    case 'IncidentAcknowledged':
      d.nonEmpty('incidentId');
      return;
    case 'IncidentAssigned':
      d.nonEmpty('incidentId');
      d.nonEmpty('assignee');
      return;
    case 'IncidentStatusChanged':
      d.nonEmpty('incidentId');
      d.oneOf('status', STATUSES);
      d.nullableString('notes');
      return;
    case 'IncidentVerdictGiven':
      d.nonEmpty('incidentId');
      d.oneOf('verdict', VERDICTS);
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
    family === 'incident' ? INCIDENT_TYPES : FEEDBACK_TYPES,
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
