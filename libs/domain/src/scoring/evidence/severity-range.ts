/**
 * The severities each detector has sent, as a range. A detector that sends one level for
 * everything (many do, and the AIT data set's CSV has none) gives severity no information, so
 * the severity factor only counts for alerts of detectors whose range is not a single point.
 */
export interface SeverityRange {
  min: number;
  max: number;
}

/** Detectors tracked per tenant; one beyond it counts as sending varied severities. */
export const MAX_SEVERITY_DETECTORS = 1_000;

export function noteSeverity(
  ranges: Map<string, SeverityRange>,
  detector: string,
  severity: number,
): void {
  const range = ranges.get(detector);
  if (range === undefined) {
    if (ranges.size < MAX_SEVERITY_DETECTORS)
      ranges.set(detector, { min: severity, max: severity });
    return;
  }
  if (severity < range.min) range.min = severity;
  if (severity > range.max) range.max = severity;
}

/** Does this detector's severity tell alerts apart (before this alert)? */
export function severityVaries(
  ranges: ReadonlyMap<string, SeverityRange>,
  detector: string,
  severity: number,
): boolean {
  const range = ranges.get(detector);
  if (range === undefined) return ranges.size >= MAX_SEVERITY_DETECTORS;
  return range.min !== range.max || range.min !== severity;
}
