import { randomUUID } from 'node:crypto';
import { notFound } from '../http/tenant-read';
import type { FeedbackEvent } from '@soc/contracts';
import {
  READ_MODEL_SCHEMA,
  selectRows,
  withTenant,
  type DataSource,
  type Queryable,
} from '@soc/persistence';
import type { Principal } from '../auth/principal';
import {
  incidentOfAlert,
  incidentSummaries,
  type IncidentSummary,
} from '../incidents/incident-queries';
import type { ReadModelListener } from '../stream/read-model-listener';
import type { FeedbackOutbox } from './feedback-outbox';

type FeedbackBody = {
  [E in FeedbackEvent as E['type']]: { readonly type: E['type']; readonly data: E['data'] };
}[FeedbackEvent['type']];

/** How to find the incident whose feedback stream gets the event. */
export type FeedbackTarget = { readonly incidentId: string } | { readonly alertId: string };

export interface SubmittedFeedback {
  readonly eventId: string;
  readonly type: FeedbackEvent['type'];
  readonly incidentId: string;
  readonly sequence: number;
  /** Whether the read model showed the event before the response (only with `wait`). */
  readonly projected: boolean;
  readonly incident: IncidentSummary | null;
}

export interface FeedbackEncoder {
  encode(event: FeedbackEvent): Buffer;
  readonly contentType: string;
}

/** JSON (`FEEDBACK_ENCODING=json`), for a projector told `PROJECTOR_FEEDBACK_ENCODING=json`. */
export const jsonFeedbackEncoder: FeedbackEncoder = {
  encode: (event) => Buffer.from(JSON.stringify(event)),
  contentType: 'application/json',
};

/**
 * Feedback on an alert whose incident is not projected yet goes on the alert's own stream; the
 * correlator knows the alert's incident and records what it learned there (FeedbackApplied),
 * so the incident shows it once projected.
 */
const ALERT_STREAM_PREFIX = 'alert:';
const alertStreamId = (alertId: string): string => `${ALERT_STREAM_PREFIX}${alertId}`;

/**
 * Analyst actions become FeedbackEvents on `soc.feedback.v1`, never table writes.
 *
 * Sequence numbers are gap-free per incident: inside one transaction the API locks the
 * incident's counter row (`feedback_sequences`, upserted, so the row lock serializes
 * concurrent actions on one incident), takes max(counter, projected last_feedback_seq) + 1,
 * and writes the event to the outbox (feedback-outbox.ts); after the commit the outbox relays
 * it to Kafka. A number is published only once its transaction committed, so none is ever
 * reused, and a Kafka outage delays the event instead of failing the action; reading the
 * projected sequence as a floor means a counter row
 * lost or restored from an old backup cannot hand out a number the stream already used. The
 * counter is separate from the read model because the projector only raises
 * `last_feedback_seq` after it consumed the event: two quick actions would otherwise both read
 * the same value and the second would be dropped as a duplicate.
 */
export class FeedbackService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: FeedbackOutbox,
    private readonly listener: ReadModelListener,
    private readonly options: {
      readonly waitMs: number;
      readonly encoder?: FeedbackEncoder;
      readonly onProduced?: (type: string) => void;
    },
  ) {}

  async submit(
    principal: Principal,
    target: FeedbackTarget,
    body: (incidentId: string) => FeedbackBody,
    { wait, causationId }: { readonly wait: boolean; readonly causationId: string | null },
  ): Promise<SubmittedFeedback> {
    const encoder = this.options.encoder ?? jsonFeedbackEncoder;
    const { tenantId } = principal;
    const event = await withTenant(this.dataSource, tenantId, async (db) => {
      const incidentId = await this.resolveIncident(db, tenantId, target);
      const sequence = await this.nextSequence(db, tenantId, incidentId);
      const { type, data } = body(incidentId);
      const eventId = randomUUID();
      const produced = {
        eventId,
        type,
        schemaVersion: 1,
        tenantId,
        streamId: incidentId,
        sequence,
        partitionKey: tenantId,
        occurredAt: Date.now(),
        causationId: causationId ?? `request:${eventId}`,
        actor: `analyst:${principal.subject}`,
        data,
      } as FeedbackEvent;
      await this.outbox.enqueue(db, {
        eventId,
        tenantId,
        value: encoder.encode(produced),
        headers: {
          'content-type': encoder.contentType,
          'x-event-type': type,
          'x-event-id': eventId,
        },
      });
      return produced;
    });
    this.options.onProduced?.(event.type);
    // Committed: the outbox's timer relays it if Kafka does not take it now.
    await this.outbox.flush().catch(() => undefined);
    const incident = wait
      ? await this.waitUntilProjected(tenantId, event.streamId, event.eventId)
      : null;
    return {
      eventId: event.eventId,
      type: event.type,
      incidentId: event.streamId,
      sequence: event.sequence,
      projected: incident !== null,
      incident,
    };
  }

  private async resolveIncident(
    db: Queryable,
    tenantId: string,
    target: FeedbackTarget,
  ): Promise<string> {
    if ('alertId' in target)
      return (await incidentOfAlert(db, tenantId, target.alertId)) ?? alertStreamId(target.alertId);
    return target.incidentId;
  }

  private async nextSequence(db: Queryable, tenantId: string, incidentId: string): Promise<number> {
    const [incident] = await selectRows<{ last_feedback_seq: number }>(
      db,
      `SELECT last_feedback_seq FROM ${READ_MODEL_SCHEMA}.incidents WHERE tenant_id = $1 AND incident_id = $2 AND opened`,
      [tenantId, incidentId],
    );
    if (!incident && !incidentId.startsWith(ALERT_STREAM_PREFIX))
      throw notFound('incident_id', `no incident ${incidentId}`);
    const [row] = await selectRows<{ last_sequence: number }>(
      db,
      `INSERT INTO public.feedback_sequences AS f (tenant_id, incident_id, last_sequence) VALUES ($1, $2, $3::int + 1)
       ON CONFLICT (tenant_id, incident_id) DO UPDATE SET last_sequence = GREATEST(f.last_sequence, $3::int) + 1
       RETURNING last_sequence`,
      [tenantId, incidentId, incident?.last_feedback_seq ?? 0],
    );
    if (!row) throw new Error('sequence allocation returned no row');
    return row.last_sequence;
  }

  /**
   * Waits for the projector to show the event: woken by its NOTIFY for the incident, with a
   * poll as the fallback, until the configured wait runs out.
   */
  private async waitUntilProjected(
    tenantId: string,
    incidentId: string,
    eventId: string,
  ): Promise<IncidentSummary | null> {
    const deadline = Date.now() + this.options.waitMs;
    let wake: (() => void) | null = null;
    const unsubscribe = this.listener.subscribe(tenantId, (change) => {
      if (change.incidentIds.length === 0 || change.incidentIds.includes(incidentId)) wake?.();
    });
    try {
      for (;;) {
        const found = await withTenant(
          this.dataSource,
          tenantId,
          async (db) => {
            const rows = await selectRows<{ event_id: string }>(
              db,
              `SELECT event_id FROM ${READ_MODEL_SCHEMA}.incident_timeline WHERE tenant_id = $1 AND event_id = $2`,
              [tenantId, eventId],
            );
            return rows.length > 0
              ? ((await incidentSummaries(db, tenantId, [incidentId]))[0] ?? null)
              : null;
          },
          { readOnly: true },
        );
        if (found) return found;
        const remaining = deadline - Date.now();
        if (remaining <= 0) return null;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(250, remaining));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
    } finally {
      unsubscribe();
    }
  }
}
