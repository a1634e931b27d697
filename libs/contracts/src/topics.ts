import type { AlertFormat } from './alert';

/**
 * Topic names. Every topic is created by the project with explicit partitions (auto-creation
 * is off on the broker). The alert and incident topics share one partition count and one key
 * (the tenant id), so partition p of both holds the same tenants: the correlator that owns
 * alerts partition p rebuilds its state from incidents partition p.
 */
export const TOPICS = {
  alerts: 'soc.alerts.v1',
  alertsDeadLetter: 'soc.alerts.v1.dlq',
  incidents: 'soc.incidents.v1',
  feedback: 'soc.feedback.v1',
  intel: 'soc.intel.v1',
  tenantConfig: 'soc.tenant-config.v1',
} as const;

export const rawTopic = (format: AlertFormat): string => `soc.raw.${format}`;

/** Headers every dead-letter record carries, so an operator can find and replay the original. */
export const DEAD_LETTER_HEADERS = {
  reason: 'x-dlq-reason',
  field: 'x-dlq-field',
  sourceTopic: 'x-dlq-source-topic',
  sourcePartition: 'x-dlq-source-partition',
  sourceOffset: 'x-dlq-source-offset',
  /** Set when the copy keeps only the head of the value: the original's length in bytes. */
  valueTruncated: 'x-dlq-value-truncated',
  /** Records from a door without a topic (syslog): the sender's address. */
  sourceAddress: 'x-dlq-source-address',
  failedAt: 'x-dlq-failed-at',
} as const;

export const TRACEPARENT_HEADER = 'traceparent';
