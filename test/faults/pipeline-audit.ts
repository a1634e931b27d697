// What a fault spec counts, for one tenant: the alerts ingest accepted against the copies of
// each on the alerts topic (alerts in), and the incident events of the incident log (incidents
// out): no duplicate event id, every stream numbered 1..n, every alert placed exactly once.
import type { Kafka } from 'kafkajs';
import type { Client } from 'pg';
import type { CanonicalAlert, IncidentEvent } from '@soc/contracts';
import type { AvroTopicCodec } from '@soc/kafka';
import { decodeIncidents, envelopeProblems, groupingOf, readTopicToEnd } from '@soc/testing';

export interface PipelineAudit {
  /** Alerts answered 202 and the incident events of the tenant: what the spec reports. */
  readonly alertsIn: number;
  readonly incidentEvents: number;
  readonly eventIds: readonly string[];
  /** Accepted alerts with no copy on the alerts topic. */
  readonly alertsLost: readonly string[];
  /** Alerts with more than one copy on the alerts topic. */
  readonly alertsDuplicated: readonly string[];
  /** Duplicate event ids and streams whose sequences are not 1..n. */
  readonly eventProblems: readonly string[];
  /** Accepted alerts no incident event placed, and alerts placed more than once. */
  readonly alertsNotPlaced: readonly string[];
  readonly alertsPlacedTwice: readonly string[];
}

export const CLEAN_AUDIT = {
  alertsLost: [],
  alertsDuplicated: [],
  eventProblems: [],
  alertsNotPlaced: [],
  alertsPlacedTwice: [],
} as const;

export async function auditPipeline({
  kafka,
  alertsOnTopic,
  incidentsTopic,
  incidentCodec,
  tenantId,
  accepted,
}: {
  readonly kafka: Kafka;
  /** The tenant's alerts on the alerts topic, every copy. */
  readonly alertsOnTopic: (tenantId: string) => Promise<readonly CanonicalAlert[]>;
  readonly incidentsTopic: string;
  readonly incidentCodec: AvroTopicCodec<IncidentEvent>;
  readonly tenantId: string;
  readonly accepted: ReadonlySet<string>;
}): Promise<PipelineAudit> {
  const copies = new Map<string, number>();
  for (const alert of await alertsOnTopic(tenantId))
    copies.set(alert.alertId, (copies.get(alert.alertId) ?? 0) + 1);
  const records = (await readTopicToEnd(kafka, incidentsTopic)).filter(
    (record) => record.key?.toString() === tenantId,
  );
  const events = (await decodeIncidents(records, incidentCodec)).map(({ event }) => event);
  const { placements } = groupingOf(events);
  return {
    alertsIn: accepted.size,
    incidentEvents: events.length,
    eventIds: events.map((event) => event.eventId),
    alertsLost: [...accepted].filter((id) => !copies.has(id)),
    alertsDuplicated: [...copies].filter(([, n]) => n > 1).map(([id, n]) => `${id} x${n}`),
    eventProblems: envelopeProblems(events),
    alertsNotPlaced: [...accepted].filter((id) => !placements.has(id)),
    alertsPlacedTwice: [...placements].filter(([, n]) => n > 1).map(([id, n]) => `${id} x${n}`),
  };
}

/** Dead letters keyed by the tenant on `topic` (the topic's other records belong to other specs). */
export async function deadLettersOf(
  kafka: Kafka,
  topic: string,
  tenantId: string,
): Promise<number> {
  // A dead-letter topic is created by its first dead letter: none, no topic.
  const admin = kafka.admin();
  await admin.connect();
  const exists = await admin.listTopics().then((topics) => topics.includes(topic));
  await admin.disconnect();
  if (!exists) return 0;
  return (await readTopicToEnd(kafka, topic)).filter((r) => r.key?.toString() === tenantId).length;
}

/** Records of `topic` keyed by the tenant that the projector dead-lettered (its own table). */
export async function projectorDeadLettersOf(
  db: Client,
  { topic, tenantId }: { readonly topic: string; readonly tenantId: string },
): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM projector_dead_letters WHERE topic = $1 AND record_key = $2`,
    [topic, Buffer.from(tenantId)],
  );
  return Number(rows[0]?.n ?? 0);
}

/** One line for the spec's output: the counts before and after the fault, and ingest's answers. */
export function reportFault(
  fault: string,
  {
    before,
    after,
    answers,
  }: { before: PipelineAudit; after: PipelineAudit; answers: ReadonlyMap<string, number> },
): void {
  process.stdout.write(
    `[${fault}] before: ${before.alertsIn} alerts in, ${before.incidentEvents} incident events; ` +
      `after: ${after.alertsIn} alerts in, ${after.incidentEvents} incident events; answers ` +
      `${JSON.stringify(Object.fromEntries(answers))}\n`,
  );
}
