import {
  evolveIncidentView,
  incidentIdOf,
  tenantConfigVersionOf,
  type EntityTouch,
  type HourlyStatsDelta,
  type IncidentAlertRow,
  type IncidentView,
  type ReadModelEvent,
  type TenantConfigVersion,
  type TimelineEntry,
  type ViewChange,
} from '@soc/domain';
import {
  ReadModelStore,
  incidentKey,
  type DataSource,
  type IncidentKey,
  type Queryable,
} from '@soc/persistence';
import type { FoldedBatch } from './identity-fold';

export const PROJECTION_NAME = 'incident-read-model';

const streamKey = (event: ReadModelEvent): string => `${event.tenantId}\u0000${event.streamId}`;

export interface ConsumedRecord {
  readonly offset: bigint;
  /** The Kafka record timestamp: when the correlator or the API recorded the event. */
  readonly timestamp: number;
  /** Null for poison records, already dead-lettered: their offset only moves the checkpoint. */
  readonly event: ReadModelEvent | null;
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

  async applyBatch(input: PartitionBatchInput): Promise<BatchOutcome> {
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
    for (const key of changed) {
      const view = views.get(key);
      if (view) incidents.push(view);
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
      applied,
      duplicates,
      gaps,
    };
  }
}
