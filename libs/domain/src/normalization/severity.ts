/**
 * Severity on one 0-100 scale, from each format's own scale. The source's own label or number
 * is always kept as `severityLabel`, so nothing is lost by the mapping.
 *
 * | source scale                                   | 0-100                                     |
 * |------------------------------------------------|-------------------------------------------|
 * | labels (all formats)                           | informational 10, low 30, medium 50,      |
 * |                                                | high 75, critical 95, fatal 100,          |
 * |                                                | unknown 50 (mid-scale: neither buried nor |
 * |                                                | escalated)                                |
 * | OCSF severity_id 0-6, 99                       | 0 unknown 50, 1 informational 10, 2 low 30,|
 * |                                                | 3 medium 50, 4 high 75, 5 critical 95,    |
 * |                                                | 6 fatal 100, 99 other 50                  |
 * | CEF header 0-10, LEEF sev 1-10                 | value x 10                                |
 * | CEF header words                               | Unknown 50, Low 30, Medium 50, High 75,   |
 * |                                                | Very-High 95                              |
 * | Suricata alert.severity 1-3 (1 is highest)     | 1 -> 80, 2 -> 50, 3 -> 25, 4+ -> 10       |
 * | Wazuh rule.level 0-15                          | round(level / 15 x 100)                   |
 * | Elastic kibana.alert.risk_score 0-100          | as is (label: kibana.alert.severity)      |
 * | Splunk ES urgency (else severity)              | labels                                    |
 * | Microsoft Graph severity                       | labels                                    |
 * | simple JSON number                             | 0-10 read as x 10; (10, 100] as is        |
 */
const LABELS: ReadonlyMap<string, number> = new Map([
  ['informational', 10],
  ['information', 10],
  ['info', 10],
  ['low', 30],
  ['minor', 30],
  ['medium', 50],
  ['moderate', 50],
  ['high', 75],
  ['major', 75],
  ['critical', 95],
  ['very-high', 95],
  ['very high', 95],
  ['veryhigh', 95],
  ['fatal', 100],
  ['unknown', 50],
  ['unknownfuturevalue', 50],
  ['other', 50],
]);

/** A severity label to 0-100, or undefined when the label is not one we know. */
export function severityFromLabel(label: string): number | undefined {
  return LABELS.get(label.trim().toLowerCase());
}

export const clampSeverity = (value: number): number =>
  Math.min(100, Math.max(0, Math.round(value)));

const OCSF_SEVERITY: ReadonlyMap<number, readonly [number, string]> = new Map([
  [0, [50, 'Unknown']],
  [1, [10, 'Informational']],
  [2, [30, 'Low']],
  [3, [50, 'Medium']],
  [4, [75, 'High']],
  [5, [95, 'Critical']],
  [6, [100, 'Fatal']],
  [99, [50, 'Other']],
]);

export function ocsfSeverity(severityId: number): readonly [number, string] | undefined {
  return OCSF_SEVERITY.get(severityId);
}

export function suricataSeverity(level: number): number {
  if (level <= 1) return 80;
  if (level === 2) return 50;
  if (level === 3) return 25;
  return 10;
}

export const wazuhSeverity = (level: number): number => clampSeverity((level / 15) * 100);

/**
 * Confidence labels (OCSF confidence_id captions, Suricata/ET `confidence` metadata) to 0-100:
 * low 30, medium 60, high 90.
 */
export function confidenceFromLabel(label: string): number | undefined {
  switch (label.trim().toLowerCase()) {
    case 'low':
      return 30;
    case 'medium':
      return 60;
    case 'high':
      return 90;
    default:
      return undefined;
  }
}
