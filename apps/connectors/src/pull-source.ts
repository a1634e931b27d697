import type { AlertFormat } from '@soc/contracts';

/** One record pulled from a source, as the source wrote it: JSON text for `soc.raw.<format>`. */
export interface PulledRecord {
  /** The source's own id of the alert (Splunk `event_id`, Elasticsearch `_id`, Graph `id`). */
  readonly id: string;
  readonly value: string;
}

/**
 * A page of new records and the checkpoint after producing them. The runner commits both in
 * one Kafka transaction, so the checkpoint never runs ahead of, nor falls behind, what was
 * produced.
 */
export interface PulledPage<C> {
  readonly records: readonly PulledRecord[];
  readonly checkpoint: C;
}

export interface PollContext {
  readonly now: number;
  readonly signal: AbortSignal;
}

/**
 * A source of alerts pulled on a schedule. `pages` yields what is new since `checkpoint`, page
 * by page; the runner commits each page before asking for the next, so a source sees its own
 * last checkpoint on every call and a crash mid-poll resumes from the last committed page.
 */
export interface PullSource<C> {
  readonly format: AlertFormat;
  initialCheckpoint(now: number): C;
  /** Reads a stored checkpoint; undefined when it is not one of this source's. */
  parseCheckpoint(value: unknown): C | undefined;
  pages(checkpoint: C, context: PollContext): AsyncIterable<PulledPage<C>>;
}
