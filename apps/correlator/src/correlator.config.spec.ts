import { TOPICS } from '@soc/contracts';
import { readCorrelatorConfig } from './correlator.config';

const infra = {
  KAFKA_BROKERS: 'kafka:9092',
  SCHEMA_REGISTRY_URL: 'http://registry:8081/apis/ccompat/v7',
  DATABASE_URL: 'postgres://soc@db/soc',
};

describe('readCorrelatorConfig', () => {
  it('reads and writes the project topics with kafkajs liveness defaults unless told otherwise', () => {
    const config = readCorrelatorConfig(infra);
    expect(config.topics).toEqual({
      alerts: TOPICS.alerts,
      incidents: TOPICS.incidents,
      alertsDeadLetter: TOPICS.alertsDeadLetter,
      intel: TOPICS.intel,
      feedback: TOPICS.feedback,
      tenantConfig: TOPICS.tenantConfig,
    });
    expect({ session: config.sessionTimeoutMs, heartbeat: config.heartbeatIntervalMs }).toEqual({
      session: 30_000,
      heartbeat: 3_000,
    });
  });

  it('takes topic names and consumer liveness from the environment', () => {
    const config = readCorrelatorConfig({
      ...infra,
      ALERTS_TOPIC: 'spec.alerts',
      INCIDENTS_TOPIC: 'spec.incidents',
      ALERTS_DLQ_TOPIC: 'spec.alerts.dlq',
      INTEL_TOPIC: 'spec.intel',
      FEEDBACK_TOPIC: 'spec.feedback',
      TENANT_CONFIG_TOPIC: 'spec.tenant-config',
      CORRELATOR_SESSION_TIMEOUT_MS: '6s',
      CORRELATOR_HEARTBEAT_INTERVAL_MS: '500',
    });
    expect(config.topics).toEqual({
      alerts: 'spec.alerts',
      incidents: 'spec.incidents',
      alertsDeadLetter: 'spec.alerts.dlq',
      intel: 'spec.intel',
      feedback: 'spec.feedback',
      tenantConfig: 'spec.tenant-config',
    });
    expect({ session: config.sessionTimeoutMs, heartbeat: config.heartbeatIntervalMs }).toEqual({
      session: 6_000,
      heartbeat: 500,
    });
  });

  it('refuses a heartbeat interval that is not below the session timeout', () => {
    expect(() =>
      readCorrelatorConfig({
        ...infra,
        CORRELATOR_SESSION_TIMEOUT_MS: '6000',
        CORRELATOR_HEARTBEAT_INTERVAL_MS: '6000',
      }),
    ).toThrow(/HEARTBEAT_INTERVAL_MS must be less than CORRELATOR_SESSION_TIMEOUT_MS/);
  });

  it.each([
    ['20', 20 * 60_000],
    ['20m', 20 * 60_000],
    ['90s', 90_000],
    ['2h', 2 * 3_600_000],
  ])('reads ALERT_CORRELATION_WINDOW=%s, a bare number being minutes', (raw, windowMs) => {
    const config = readCorrelatorConfig({ ...infra, ALERT_CORRELATION_WINDOW: raw });
    expect(config.correlation.defaults.policy.windowMs).toBe(windowMs);
  });

  it('keeps the default window when ALERT_CORRELATION_WINDOW is blank', () => {
    const config = readCorrelatorConfig({ ...infra, ALERT_CORRELATION_WINDOW: ' ' });
    expect(config.correlation.defaults.policy.windowMs).toBe(
      readCorrelatorConfig(infra).correlation.defaults.policy.windowMs,
    );
  });

  it('refuses a duration it cannot parse at start-up, naming the variable', () => {
    expect(() =>
      readCorrelatorConfig({ ...infra, ALERT_CORRELATION_WINDOW: '15m # window' }),
    ).toThrow(/ALERT_CORRELATION_WINDOW: .*got '15m # window': a trailing '#' comment/);
    expect(() => readCorrelatorConfig({ ...infra, ALERT_ALLOWED_LATENESS: '2 minutes' })).toThrow(
      /ALERT_ALLOWED_LATENESS: expected a whole number with a unit/,
    );
  });

  it('cuts the alert stream into transactions of at most 5000 alerts, flushed after 10 ms, unless told otherwise', () => {
    expect(readCorrelatorConfig(infra)).toMatchObject({
      flushIntervalMs: 10,
      maxTransactionAlerts: 5_000,
    });
    expect(
      readCorrelatorConfig({
        ...infra,
        CORRELATOR_FLUSH_INTERVAL: '250ms',
        CORRELATOR_MAX_TRANSACTION_ALERTS: '1000',
      }),
    ).toMatchObject({ flushIntervalMs: 250, maxTransactionAlerts: 1_000 });
    expect(() => readCorrelatorConfig({ ...infra, CORRELATOR_FLUSH_INTERVAL: '0' })).toThrow(
      /CORRELATOR_FLUSH_INTERVAL must be at least 1ms/,
    );
  });

  it('ticks quiet partitions every 30 s unless told otherwise, 0 turning the ticks off, never within a flush interval', () => {
    expect(readCorrelatorConfig(infra).idleTickIntervalMs).toBe(30_000);
    expect(
      readCorrelatorConfig({ ...infra, CORRELATOR_IDLE_TICK_INTERVAL: '0' }).idleTickIntervalMs,
    ).toBe(0);
    expect(() =>
      readCorrelatorConfig({
        ...infra,
        CORRELATOR_FLUSH_INTERVAL: '1s',
        CORRELATOR_IDLE_TICK_INTERVAL: '500ms',
      }),
    ).toThrow(/CORRELATOR_IDLE_TICK_INTERVAL must be 0 \(no idle ticks\) or longer than/);
  });
});
