import type { EpochMs, IncidentEvent } from '@soc/contracts';
import {
  evidenceOfRow,
  newTenantBaseline,
  type EvidenceTally,
  type ScoringContext,
  type TenantBaseline,
} from '../scoring';
import type { DecidedAlert } from './alert-input';
import { ruleLabelOf } from './entity-keys';
import { policyFor, scoringContextFor, type CorrelationConfig } from './config';
import type { CorrelationIds } from './ids';
import type { CorrelationPolicy } from './policy';
import type { TenantCorrelationPolicy } from './config';
import type { CorrelationOutput, RepeatPending, TenantState } from './state';

/** The baseline of a tenant before its first event: read, never written. */
const UNSEEN_TENANT: TenantBaseline = newTenantBaseline();

/** Who decided: the `actor` of each event. */
export const CORRELATION_ACTORS = {
  correlation: 'rule:correlation',
  suppression: 'rule:suppression',
  lateness: 'rule:late-alert',
  merge: 'rule:merge',
  scoring: 'rule:scoring',
  escalation: 'rule:escalation',
  repeats: 'rule:repeat-folding',
  window: 'rule:correlation-window',
  campaign: 'rule:campaign',
  intel: 'rule:threat-intel',
  feedback: 'rule:analyst-feedback',
  budget: 'rule:tenant-budget',
  config: 'rule:tenant-config',
} as const;

export type CorrelationActor = (typeof CORRELATION_ACTORS)[keyof typeof CORRELATION_ACTORS];

export type DataOf<T extends IncidentEvent['type']> = Extract<IncidentEvent, { type: T }>['data'];

/** A stream events go to: its id and the sequence the state last recorded for it. */
export interface StreamRef {
  readonly id: string;
  readonly sequence: number;
}

export interface DecisionParts {
  readonly tenantId: string;
  /** Undefined before the tenant's first event. */
  readonly tenant: TenantState | undefined;
  readonly config: CorrelationConfig;
  readonly ids: CorrelationIds;
  /** The alert's event time, or the tick's watermark. */
  readonly time: EpochMs;
  readonly watermark: EpochMs;
  readonly cause: string;
}

/**
 * Everything one decision (one input, one tenant) reads, built once, and the outputs it
 * collects. `emit` numbers each stream's events gap-free from the sequence the state holds.
 */
export class Decision {
  readonly outputs: CorrelationOutput[] = [];
  readonly tenantId: string;
  readonly tenant: TenantState | undefined;
  readonly compiled: TenantCorrelationPolicy;
  readonly policy: CorrelationPolicy;
  readonly scoring: ScoringContext;
  readonly ids: CorrelationIds;
  readonly time: EpochMs;
  readonly watermark: EpochMs;
  readonly cause: string;
  private readonly sequences: { readonly streamId: string; sequence: number }[] = [];
  private readRow: { readonly row: DecidedAlert; readonly evidence: EvidenceTally } | undefined;

  constructor(parts: DecisionParts) {
    this.tenantId = parts.tenantId;
    this.tenant = parts.tenant;
    this.compiled = policyFor(parts.config, parts.tenantId, parts.tenant);
    this.policy = this.compiled.policy;
    this.scoring = scoringContextFor(parts.config, parts.tenantId, parts.tenant);
    this.ids = parts.ids;
    this.time = parts.time;
    this.watermark = parts.watermark;
    this.cause = parts.cause;
  }

  /** Event time of what the decision scores: never behind the watermark. */
  get now(): EpochMs {
    return Math.max(this.watermark, this.time);
  }

  /**
   * The evidence of the decided alert's row against the tenant's baseline before the
   * decision. Its score and its story links both read it, so it is read once.
   */
  rowEvidence(row: DecidedAlert): EvidenceTally {
    if (this.readRow?.row === row) return this.readRow.evidence;
    const { summary, keys } = row;
    const evidence = evidenceOfRow(this.tenant?.baseline ?? UNSEEN_TENANT, {
      alert: summary,
      rule: ruleLabelOf(summary),
      entityKeys: keys.entityKeys,
    });
    this.readRow = { row, evidence };
    return evidence;
  }

  emit<T extends IncidentEvent['type']>(
    stream: StreamRef,
    type: T,
    data: DataOf<T>,
    { actor, at = this.time }: { readonly actor: CorrelationActor; readonly at?: EpochMs },
  ): void {
    const sequence = this.nextSequence(stream);
    this.outputs.push({
      eventId: this.ids.eventId(stream.id, sequence),
      type,
      schemaVersion: 1,
      tenantId: this.tenantId,
      streamId: stream.id,
      sequence,
      partitionKey: this.tenantId,
      occurredAt: at,
      causationId: this.cause,
      actor,
      data,
    } as IncidentEvent);
  }

  /** A note to the fold that is never published (see RepeatPending). */
  note(pending: RepeatPending): void {
    this.outputs.push(pending);
  }

  private nextSequence(stream: StreamRef): number {
    for (const entry of this.sequences) {
      if (entry.streamId === stream.id) {
        entry.sequence += 1;
        return entry.sequence;
      }
    }
    const sequence = stream.sequence + 1;
    this.sequences.push({ streamId: stream.id, sequence });
    return sequence;
  }
}
