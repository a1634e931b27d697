import {
  evolveIncidentView,
  incidentIdOf,
  storyIdOf,
  storyViewOf,
  tenantConfigVersionOf,
  type EntityTouch,
  type HourlyStatsDelta,
  type IncidentAlertRow,
  type IncidentView,
  type ReadModelEvent,
  type StoryView,
  type TenantConfigVersion,
  type TimelineEntry,
  type ViewChange,
} from '@soc/domain';
import {
  ReadModelStore,
  incidentKey,
  isPoisonWriteError,
  recordDeadLetters,
  storyKey,
  type DeadLetter,
  type DataSource,
  type EntityManager,
  type IncidentKey,
  type Queryable,
  type StoryKey,
} from '@soc/persistence';
import type { FoldedBatch } from './identity-fold';

export const PROJECTION_NAME = 'incident-read-model';

const streamKey = (event: ReadModelEvent): string => `${event.tenantId}\u0000${event.streamId}`;

export interface ConsumedRecord {
  readonly offset: bigint;
  /** The Kafka record timestamp: when the correlator or the API recorded the event. */
  readonly timestamp: number;
  /** Null for poison records: their offset only moves the checkpoint. */
  readonly event: ReadModelEvent | null;
  /** For a poison record of the live projection: recorded with the batch's checkpoint. */
  readonly deadLetter?: DeadLetter;
}

export interface PartitionBatchInput {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly ConsumedRecord[];
  /** Offset of the first record the fetch returned, control records included. */
  readonly firstOffset: bigint;
  /** One past the last offset the fetch covered, control records included. */
  readonly endOffset: bigint;
  /**
   * Where this consumer knows it stands: the checkpoint it stored or sought to last, or
   * undefined right after a partition assignment.
   */
  readonly expectedNext: bigint | undefined;
}

export interface AppliedBatch {
  readonly kind: 'applied';
  readonly checkpoint: bigint;
  readonly nextOffset: bigint;
  /** Records at or past the checkpoint. */
  readonly fresh: number;
  readonly applied: readonly ReadModelEvent[];
  /** Events whose per-stream sequence the row had already applied. */
  readonly duplicates: number;
  readonly gaps: number;
  readonly incidents: readonly IncidentKey[];
}

export type BatchOutcome = AppliedBatch | { readonly kind: 'reseek'; readonly checkpoint: bigint };

export interface ProjectionEngineOptions {
  readonly projection?: string;
  /** NOTIFY listeners at commit (the live schema); a rebuild's shadow stays quiet. */
  readonly notify: boolean;
  /** Replaces the incident view fold: the bench's identity step (identity-fold.ts). */
  readonly fold?: (events: readonly ReadModelEvent[]) => FoldedBatch;
}

/**
 * Applies one partition batch to the read model in ONE transaction: lock the partition's
 * checkpoint, skip offsets already applied, fold the rest through the pure evolve (which
 * skips per-stream sequences already seen), write the rows set-wise, store the next offset.
 */
export class ProjectionEngine {
  readonly projection: string;

  constructor(
    readonly dataSource: DataSource,
    readonly store: ReadModelStore,
    private readonly options: ProjectionEngineOptions,
  ) {
    this.projection = options.projection ?? PROJECTION_NAME;
  }

  /**
   * Applies the batch; when its write fails for a reason a retry cannot change (see
   * isPoisonWriteError), applies its records one by one instead, and a record whose own write
   * fails so becomes a dead letter in the transaction that moves the checkpoint past it. So a
   * poison record never stops the partition, and every other record of its batch is applied.
   * Other failures are thrown for the consumer to retry.
   */
  async applyBatch(input: PartitionBatchInput): Promise<BatchOutcome> {
    try {
      return await this.applyOnce(input);
    } catch (error) {
      if (!isPoisonWriteError(error) || input.records.length === 0) throw error;
      return this.applyOneByOne(input);
    }
  }

  private async applyOneByOne(input: PartitionBatchInput): Promise<BatchOutcome> {
    const outcomes: AppliedBatch[] = [];
    let expectedNext = input.expectedNext;
    for (const [i, record] of input.records.entries()) {
      const next = input.records[i + 1];
      const single: PartitionBatchInput = {
        ...input,
        records: [record],
        firstOffset: i === 0 ? input.firstOffset : record.offset,
        endOffset: next === undefined ? input.endOffset : next.offset,
        expectedNext,
      };
      const outcome = await this.applyOnce(single).catch((error: unknown) => {
        if (!isPoisonWriteError(error) || record.event === null) throw error;
        return this.applyOnce({ ...single, records: [writeFailed(record, error)] });
      });
      if (outcome.kind === 'reseek') return outcome;
      outcomes.push(outcome);
      expectedNext = outcome.nextOffset;
    }
    return combined(outcomes);
  }

  private async applyOnce(input: PartitionBatchInput): Promise<BatchOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const checkpoint = await this.store.lockCheckpoint(
        manager,
        this.projection,
        input.topic,
        input.partition,
      );
      // A batch that starts past the checkpoint skipped records, unless this consumer was
      // positioned at the checkpoint itself and the skipped offsets were transaction markers
      // or aborted records. Anything else (a fresh assignment, a rebuild swapped in, a
      // restored database) seeks back: the checkpoint in Postgres is the truth.
      if (input.firstOffset > checkpoint && input.expectedNext !== checkpoint) {
        return { kind: 'reseek', checkpoint } as const;
      }
      const fresh = input.records.filter((r) => r.offset >= checkpoint);
      const events = fresh.map((r) => r.event).filter((e): e is ReadModelEvent => e !== null);
      const folded = this.options.fold
        ? this.options.fold(events)
        : await this.fold(manager, events);
      await this.store.write(manager, folded.changes);
      await this.refreshStories(manager, folded.stories);
      const letters = fresh.flatMap((r) => (r.deadLetter === undefined ? [] : [r.deadLetter]));
      if (letters.length > 0) {
        const at = { projection: this.projection, topic: input.topic, partition: input.partition };
        await recordDeadLetters(manager, at, letters);
      }
      const nextOffset = input.endOffset > checkpoint ? input.endOffset : checkpoint;
      await this.store.saveCheckpoint(
        manager,
        this.projection,
        input.topic,
        input.partition,
        nextOffset,
      );
      if (this.options.notify && folded.incidents.length > 0)
        await this.store.notify(manager, folded.incidents);
      return {
        kind: 'applied',
        checkpoint,
        nextOffset,
        fresh: fresh.length,
        applied: folded.applied,
        duplicates: folded.duplicates,
        gaps: folded.gaps,
        incidents: folded.incidents,
      } as const;
    });
  }

  /**
   * Recomputes the stories the batch touched from their member rows as this transaction now
   * sees them (after the batch's own writes), so a story row never depends on the order or the
   * number of times its members' events were applied. The tenant locks the fold took cover
   * the stories (lockIncidents).
   */
  private async refreshStories(db: EntityManager, keys: readonly StoryKey[]): Promise<void> {
    if (keys.length === 0) return;
    const members = await this.store.loadStoryMembers(db, keys);
    const stories: StoryView[] = [];
    const emptied: StoryKey[] = [];
    for (const key of keys) {
      const story = storyViewOf({ ...key, members: members.get(storyKey(key)) ?? [] });
      if (story === null) emptied.push(key);
      else stories.push(story);
    }
    await this.store.writeStories(db, { stories, emptied });
  }

  private async fold(db: Queryable, events: readonly ReadModelEvent[]) {
    const keys = new Map<string, IncidentKey>();
    // Events about no incident live on their own stream (`unattached:<tenant>`): their
    // sequence is checked here, as evolve checks incident streams against the incident row.
    const unattached = new Map<string, { tenantId: string; streamId: string }>();
    for (const event of events) {
      const incidentId = incidentIdOf(event);
      if (incidentId === null) {
        unattached.set(streamKey(event), { tenantId: event.tenantId, streamId: event.streamId });
      } else {
        const key = { tenantId: event.tenantId, incidentId };
        keys.set(incidentKey(key), key);
      }
      if (event.type === 'IncidentsMerged') {
        const absorbed = { tenantId: event.tenantId, incidentId: event.data.absorbedIncidentId };
        keys.set(incidentKey(absorbed), absorbed);
      }
    }
    const keyList = [...keys.values()];
    await this.store.lockIncidents(db, keyList);
    const views = await this.store.loadIncidents(db, keyList);
    const storiesBefore = new Map([...views].map(([key, view]) => [key, storyIdOf(view)]));
    const positions = await this.store.loadStreamPositions(db, [...unattached.values()]);
    const movedStreams = new Set<string>();

    const alerts: IncidentAlertRow[] = [];
    const timeline: TimelineEntry[] = [];
    const entityTouches: EntityTouch[] = [];
    const stats: HourlyStatsDelta[] = [];
    const configHistory: TenantConfigVersion[] = [];
    const changed = new Set<string>();
    const applied: ReadModelEvent[] = [];
    let duplicates = 0;
    let gaps = 0;
    for (const event of events) {
      const incidentId = incidentIdOf(event);
      if (incidentId === null) {
        const stream = streamKey(event);
        if (event.sequence <= (positions.get(stream) ?? 0)) {
          duplicates += 1;
          continue;
        }
        positions.set(stream, event.sequence);
        movedStreams.add(stream);
        if (event.type === 'TenantPolicyApplied') configHistory.push(tenantConfigVersionOf(event));
      }
      const key =
        incidentId === null ? null : incidentKey({ tenantId: event.tenantId, incidentId });
      const change: ViewChange = evolveIncidentView(
        key === null ? undefined : views.get(key),
        event,
        {
          lookup: (other) =>
            views.get(incidentKey({ tenantId: event.tenantId, incidentId: other })),
        },
      );
      if (!change.applied) {
        if (change.skipped === 'already-applied') duplicates += 1;
        continue;
      }
      applied.push(event);
      if (change.gap) gaps += 1;
      if (key !== null && change.view) {
        views.set(key, change.view);
        changed.add(key);
      }
      alerts.push(...change.alerts);
      timeline.push(...change.timeline);
      entityTouches.push(...change.entityTouches);
      stats.push(...change.stats);
    }
    const incidents: IncidentView[] = [];
    // A changed incident changes the story it left as well as the one it is in now.
    const stories = new Map<string, StoryKey>();
    const touchStory = (tenantId: string, storyId: string | null | undefined): void => {
      if (storyId === null || storyId === undefined) return;
      stories.set(storyKey({ tenantId, storyId }), { tenantId, storyId });
    };
    for (const key of changed) {
      const view = views.get(key);
      if (!view) continue;
      incidents.push(view);
      touchStory(view.tenantId, storiesBefore.get(key));
      touchStory(view.tenantId, storyIdOf(view));
    }
    const streamPositions = [...movedStreams].map((stream) => {
      const { tenantId, streamId } = unattached.get(stream) as {
        tenantId: string;
        streamId: string;
      };
      return { tenantId, streamId, lastSequence: positions.get(stream) ?? 0 };
    });
    return {
      changes: {
        incidents,
        alerts,
        timeline,
        entityTouches,
        stats,
        streamPositions,
        configHistory,
      },
      incidents: incidents.map(({ tenantId, incidentId }) => ({ tenantId, incidentId })),
      stories: [...stories.keys()].sort().map((key) => stories.get(key) as StoryKey),
      applied,
      duplicates,
      gaps,
    };
  }
}

/** The record as poison: its write failed for a reason a retry cannot change. */
function writeFailed(record: ConsumedRecord, error: unknown): ConsumedRecord {
  const event = record.event as ReadModelEvent;
  const reason = `write failed: ${error instanceof Error ? error.message : String(error)}`;
  const value = Buffer.from(JSON.stringify(event));
  return {
    ...record,
    event: null,
    deadLetter: { offset: record.offset, key: null, value, reason, field: event.type },
  };
}

/** One outcome for records applied one by one. */
function combined(outcomes: readonly AppliedBatch[]): AppliedBatch {
  const first = outcomes[0] as AppliedBatch;
  const last = outcomes[outcomes.length - 1] as AppliedBatch;
  return {
    kind: 'applied',
    checkpoint: first.checkpoint,
    nextOffset: last.nextOffset,
    fresh: outcomes.reduce((n, o) => n + o.fresh, 0),
    applied: outcomes.flatMap((o) => o.applied),
    duplicates: outcomes.reduce((n, o) => n + o.duplicates, 0),
    gaps: outcomes.reduce((n, o) => n + o.gaps, 0),
    incidents: outcomes.flatMap((o) => o.incidents),
  };
}
