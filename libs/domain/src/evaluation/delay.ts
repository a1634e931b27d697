import type { CanonicalAlert, EpochMs } from '@soc/contracts';

/** One source replayed late: its alerts arrive `delayMs` after they would have. */
export interface SourceDelay {
  /** Matched case-insensitively against the names an alert's source goes by (see `DelayedAlert`). */
  readonly source: string;
  readonly delayMs: number;
}

export interface DelayedAlert {
  readonly alert: CanonicalAlert;
  /**
   * Names of the alert's source: its `sourceSystem` and `product`, and the detector a
   * forwarder names (Wazuh's `location`, e.g. `aminer` for AMiner alerts Wazuh forwards).
   */
  readonly sources: readonly string[];
}

interface Queued {
  readonly alert: CanonicalAlert;
  readonly arrival: EpochMs;
}

/** A FIFO read from `head` (no shifting of long arrays); compacted when drained. */
interface Queue {
  readonly delay: SourceDelay;
  readonly items: Queued[];
  head: number;
}

/**
 * Replays a stream with some sources late (`soc evaluate --delay aminer=6h`): an alert of a
 * delayed source arrives at its arrival time plus the delay, after every other alert that
 * arrives before it; event times are unchanged, and `ingestedAt` becomes the new arrival
 * time. A delayed source keeps its own order. Streaming: only the delayed alerts still in
 * flight are held.
 */
export class DelayedArrival {
  private readonly queues: Queue[];

  constructor(delays: readonly SourceDelay[]) {
    this.queues = delays.map((delay) => ({
      delay: { source: delay.source.toLowerCase(), delayMs: delay.delayMs },
      items: [],
      head: 0,
    }));
  }

  /** The alerts that have arrived once `input` has, in arrival order. */
  push(input: DelayedAlert): CanonicalAlert[] {
    const names = input.sources.map((name) => name.toLowerCase());
    const queue = this.queues.find(({ delay }) => names.includes(delay.source));
    if (queue !== undefined) {
      const arrival = input.alert.ingestedAt + queue.delay.delayMs;
      queue.items.push({ alert: { ...input.alert, ingestedAt: arrival }, arrival });
      return [];
    }
    const arrived = this.release(input.alert.ingestedAt);
    arrived.push(input.alert);
    return arrived;
  }

  /** Everything still in flight, in arrival order. */
  finish(): CanonicalAlert[] {
    return this.release(Infinity);
  }

  private release(until: EpochMs): CanonicalAlert[] {
    const arrived: CanonicalAlert[] = [];
    for (;;) {
      let next: Queue | undefined;
      for (const queue of this.queues) {
        const head = queue.items[queue.head];
        if (head === undefined || head.arrival > until) continue;
        if (next === undefined || head.arrival < (next.items[next.head] as Queued).arrival)
          next = queue;
      }
      if (next === undefined) return arrived;
      arrived.push((next.items[next.head] as Queued).alert);
      next.head += 1;
      if (next.head === next.items.length) {
        next.items.length = 0;
        next.head = 0;
      }
    }
  }
}
