import type { EpochMs } from '@soc/contracts';
import type { NormalizeContext } from './types';

/**
 * The event time of a record whose format lets it carry none (a Splunk webhook row without
 * `_time`, CEF without `rt`/`end`/`start`, LEEF without `devTime`, each without a syslog header
 * time). Rejecting such a record loses an alert the sender considers complete, so it takes the
 * arrival time the caller passed in, and the alert says so (`observedAtFromArrival`): the
 * correlation window then places it when it arrived, which is as late as it could have fired.
 * A time that is present but unreadable is still rejected: that is a malformed record.
 */
export interface EventTime {
  readonly observedAt: EpochMs;
  readonly observedAtFromArrival: boolean;
}

export const statedTime = (observedAt: EpochMs): EventTime => ({
  observedAt,
  observedAtFromArrival: false,
});

export const arrivalTime = (context: NormalizeContext): EventTime => ({
  observedAt: context.ingestedAt,
  observedAtFromArrival: true,
});
