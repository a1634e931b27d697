import type { PollContext, PullSource, PulledPage } from './pull-source';
import { startingCursor, type TimeCursor } from './time-cursor';
import { parseTimeCursor } from './time-cursor-codec';

/** A source whose checkpoint is a plain time cursor, starting `initialLookbackMs` back. */
export abstract class TimeCursorSource implements PullSource<TimeCursor> {
  abstract readonly format: PullSource<TimeCursor>['format'];

  constructor(private readonly initialLookbackMs: number) {}

  initialCheckpoint(now: number): TimeCursor {
    return startingCursor(now - this.initialLookbackMs);
  }

  parseCheckpoint(value: unknown): TimeCursor | undefined {
    return parseTimeCursor(value);
  }

  abstract pages(
    checkpoint: TimeCursor,
    context: PollContext,
  ): AsyncIterable<PulledPage<TimeCursor>>;
}
