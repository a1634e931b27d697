// Health probes: a service is healthy when it really answers a client, not when its port is open.
// Kafka: cluster metadata through kafkajs; registry: GET subjects answers 200; Postgres: SELECT 1.
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { ServiceName, StackEnv } from './config';

export type Probe = () => Promise<void>;

export const kafkaProbe =
  (brokers: string, timeoutMs = 3_000): Probe =>
  async () => {
    const admin = new Kafka({
      clientId: 'stack-health',
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
      connectionTimeout: timeoutMs,
      requestTimeout: timeoutMs,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length === 0) throw new Error('no broker in the cluster metadata');
      if (cluster.controller === null || cluster.controller < 0)
        throw new Error('no active controller yet');
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };

export const registryProbe =
  (schemaRegistryUrl: string, timeoutMs = 3_000): Probe =>
  async () => {
    const response = await fetch(`${schemaRegistryUrl}/subjects`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`GET subjects answered ${response.status}`);
  };

export const postgresProbe =
  (databaseUrl: string, timeoutMs = 3_000): Probe =>
  async () => {
    const client = new Client({
      connectionString: databaseUrl,
      connectionTimeoutMillis: timeoutMs,
    });
    try {
      await client.connect();
      await client.query('SELECT 1');
    } finally {
      await client.end().catch(() => undefined);
    }
  };

export const probeFor = (service: ServiceName, env: StackEnv): Probe => {
  switch (service) {
    case 'kafka':
      return kafkaProbe(env.KAFKA_BROKERS);
    case 'registry':
      return registryProbe(env.SCHEMA_REGISTRY_URL);
    case 'postgres':
      return postgresProbe(env.DATABASE_URL);
    default: {
      const unreachable: never = service;
      return unreachable;
    }
  }
};

export const answers = async (probe: Probe): Promise<boolean> => {
  try {
    await probe();
    return true;
  } catch {
    return false;
  }
};

export interface WaitHealthyOptions {
  readonly service: string;
  readonly timeoutMs: number;
  /** Fails fast when the process died instead of waiting out the timeout. */
  readonly isRunning?: () => boolean;
  /** Log excerpt for the error message. */
  readonly logTail?: () => string;
}

export async function waitHealthy(probe: Probe, options: WaitHealthyOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error;
    }
    const tail = () => (options.logTail ? `\n--- last log lines ---\n${options.logTail()}` : '');
    if (options.isRunning && !options.isRunning()) {
      throw new Error(`${options.service} exited before it answered${tail()}`);
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(
        `${options.service} did not answer within ${options.timeoutMs / 1000} s${reason}${tail()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
