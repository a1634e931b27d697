import { readFileSync } from 'node:fs';
import { EnvReader, readInfraConfig, type InfraConfig } from '@soc/config';
import { TOPICS } from '@soc/contracts';
import { parseCorrelationConfig, type CorrelationConfig } from '@soc/domain';

/** The topics the correlator reads and writes; overridable so tests run on topics of their own. */
export interface CorrelatorTopics {
  readonly alerts: string;
  readonly incidents: string;
  readonly alertsDeadLetter: string;
  /** Threat-intel verdicts, co-partitioned with the alerts (written by apps/intel). */
  readonly intel: string;
  /** Analyst actions, co-partitioned with the alerts (written by the query API). */
  readonly feedback: string;
  /** Tenant configuration versions, co-partitioned with the alerts (written by the query API). */
  readonly tenantConfig: string;
}

export interface CorrelatorConfig {
  readonly infra: InfraConfig;
  readonly httpPort: number;
  readonly groupId: string;
  readonly topics: CorrelatorTopics;
  /** Consumer group liveness: how soon a dead instance's partitions move to the others. */
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly correlation: CorrelationConfig;
  readonly assetRefreshMs: number;
  /** Micro-batches of the alert stream: each one is a transaction. */
  readonly flushIntervalMs: number;
  readonly maxTransactionAlerts: number;
  /** A quiet partition's wall-clock idle tick comes this long after its last record; 0: none. */
  readonly idleTickIntervalMs: number;
}

const MINUTES = { bareUnit: 'm' } as const;

const setIfGiven = (target: Record<string, unknown>, key: string, value: unknown): void => {
  if (value !== undefined) target[key] = value;
};

/**
 * The correlation policy comes from CORRELATION_CONFIG_FILE (`{ defaults, tenants }`, see
 * the README), and the most common knobs can be set by environment variables, which win.
 */
export function readCorrelatorConfig(env: NodeJS.ProcessEnv = process.env): CorrelatorConfig {
  const reader = new EnvReader(env);
  const file = reader.string('CORRELATION_CONFIG_FILE', '');
  const raw = file ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const defaults = { ...((raw['defaults'] as Record<string, unknown> | undefined) ?? {}) };
  const scoring = { ...((defaults['scoring'] as Record<string, unknown> | undefined) ?? {}) };
  const campaign = { ...((defaults['campaign'] as Record<string, unknown> | undefined) ?? {}) };
  // A bare number of minutes, as the original design documented the window.
  setIfGiven(defaults, 'windowMs', reader.optionalDurationMs('ALERT_CORRELATION_WINDOW', MINUTES));
  setIfGiven(defaults, 'allowedLatenessMs', reader.optionalDurationMs('ALERT_ALLOWED_LATENESS'));
  setIfGiven(defaults, 'maxClockSkewMs', reader.optionalDurationMs('ALERT_MAX_CLOCK_SKEW'));
  setIfGiven(defaults, 'revisionHorizonMs', reader.optionalDurationMs('ALERT_REVISION_HORIZON'));
  setIfGiven(defaults, 'idleTimeoutMs', reader.optionalDurationMs('ALERT_IDLE_TIMEOUT'));
  setIfGiven(defaults, 'maxIncidentSpanMs', reader.optionalDurationMs('MAX_INCIDENT_SPAN'));
  setIfGiven(campaign, 'horizonMs', reader.optionalDurationMs('CAMPAIGN_HORIZON'));
  if (env['HIGH_PRIORITY_THRESHOLD']) {
    scoring['highPriorityThreshold'] = reader.integer('HIGH_PRIORITY_THRESHOLD', 80, {
      min: 0,
      max: 100,
    });
  }
  const config = {
    infra: readInfraConfig(reader, 'correlator'),
    httpPort: reader.integer('CORRELATOR_HTTP_PORT', 8084, { min: 0, max: 65535 }),
    groupId: reader.string('CORRELATOR_GROUP_ID', 'soc-correlator'),
    topics: {
      alerts: reader.string('ALERTS_TOPIC', TOPICS.alerts),
      incidents: reader.string('INCIDENTS_TOPIC', TOPICS.incidents),
      alertsDeadLetter: reader.string('ALERTS_DLQ_TOPIC', TOPICS.alertsDeadLetter),
      intel: reader.string('INTEL_TOPIC', TOPICS.intel),
      feedback: reader.string('FEEDBACK_TOPIC', TOPICS.feedback),
      tenantConfig: reader.string('TENANT_CONFIG_TOPIC', TOPICS.tenantConfig),
    },
    sessionTimeoutMs: reader.durationMs('CORRELATOR_SESSION_TIMEOUT_MS', 30_000),
    heartbeatIntervalMs: reader.durationMs('CORRELATOR_HEARTBEAT_INTERVAL_MS', 3_000),
    assetRefreshMs: reader.durationMs('ASSET_REFRESH_INTERVAL', 60_000),
    flushIntervalMs: reader.durationMs('CORRELATOR_FLUSH_INTERVAL', 10),
    maxTransactionAlerts: reader.integer('CORRELATOR_MAX_TRANSACTION_ALERTS', 5_000, {
      min: 1,
      max: 100_000,
    }),
    idleTickIntervalMs: reader.durationMs('CORRELATOR_IDLE_TICK_INTERVAL', 30_000),
  };
  reader.done();
  // A zero interval would run the flush timer back to back.
  if (config.flushIntervalMs < 1) throw new Error('CORRELATOR_FLUSH_INTERVAL must be at least 1ms');
  // A tick must never overtake a micro-batch still being filled (see correlation-stream.ts).
  if (config.idleTickIntervalMs !== 0 && config.idleTickIntervalMs <= config.flushIntervalMs)
    throw new Error(
      'CORRELATOR_IDLE_TICK_INTERVAL must be 0 (no idle ticks) or longer than CORRELATOR_FLUSH_INTERVAL',
    );
  if (config.heartbeatIntervalMs >= config.sessionTimeoutMs) {
    throw new Error(
      'CORRELATOR_HEARTBEAT_INTERVAL_MS must be less than CORRELATOR_SESSION_TIMEOUT_MS',
    );
  }
  const parsed = parseCorrelationConfig({
    ...raw,
    defaults: {
      ...defaults,
      ...(Object.keys(scoring).length > 0 ? { scoring } : {}),
      ...(Object.keys(campaign).length > 0 ? { campaign } : {}),
    },
  });
  if (!parsed.ok) {
    throw new Error(
      `invalid correlation config${file ? ` in ${file}` : ''}:\n  ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('\n  ')}`,
    );
  }
  return { ...config, correlation: parsed.config };
}
