// Chooses the infrastructure integration and end-to-end specs run against, in this order:
// 1. KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL all set: a user's own services;
// 2. a Docker engine answers: throwaway containers (testcontainers);
// 3. otherwise the local stack under .stack/ (Kafka, registry and Postgres from Maven and Debian).
// SOC_TEST_INFRA=env|docker|local-stack forces one of them.
import {
  kafkaProbe,
  postgresProbe,
  registryProbe,
  STACK_ENV_KEYS,
  StackEnv,
  waitHealthy,
} from '../../tools/stack';

export type InfraSource = 'env' | 'docker' | 'local-stack';
export const INFRA_SOURCES: readonly InfraSource[] = ['env', 'docker', 'local-stack'];

export type InfraPlan =
  | { readonly kind: 'env'; readonly env: StackEnv }
  | { readonly kind: 'docker' }
  | { readonly kind: 'local-stack' }
  | { readonly kind: 'docker-else-local-stack'; readonly warning?: string };

export interface Infrastructure {
  readonly source: InfraSource;
  readonly env: StackEnv;
  /** Stops what the setup started; leaves alone what it found running. */
  readonly release: () => Promise<void>;
}

export type Report = (message: string) => void;

/** Pure: what the environment asks for. Throws on a forced source that cannot be honoured. */
export function planInfrastructure(env: Readonly<Record<string, string | undefined>>): InfraPlan {
  const present = STACK_ENV_KEYS.filter((key) => (env[key] ?? '').trim() !== '');
  const missing = STACK_ENV_KEYS.filter((key) => !present.includes(key));
  const forced = env.SOC_TEST_INFRA?.trim();
  if (
    forced !== undefined &&
    forced !== '' &&
    !(INFRA_SOURCES as readonly string[]).includes(forced)
  ) {
    throw new Error(`SOC_TEST_INFRA=${forced}: expected one of ${INFRA_SOURCES.join(', ')}`);
  }
  if (missing.length === 0 && (forced === undefined || forced === '' || forced === 'env')) {
    return {
      kind: 'env',
      env: {
        KAFKA_BROKERS: env.KAFKA_BROKERS ?? '',
        SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL ?? '',
        DATABASE_URL: env.DATABASE_URL ?? '',
      },
    };
  }
  if (forced === 'env') throw new Error(`SOC_TEST_INFRA=env but ${missing.join(', ')} not set`);
  if (forced === 'docker') return { kind: 'docker' };
  if (forced === 'local-stack') return { kind: 'local-stack' };
  return present.length > 0
    ? {
        kind: 'docker-else-local-stack',
        warning: `${present.join(', ')} set but ${missing.join(', ')} not: ignoring the partial environment`,
      }
    : { kind: 'docker-else-local-stack' };
}

/** True when a Docker (or compatible) engine answers; testcontainers is loaded only to ask. */
export async function dockerEngineAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export async function selectInfrastructure(
  env: Readonly<Record<string, string | undefined>>,
  report: Report,
): Promise<Infrastructure> {
  const plan = planInfrastructure(env);
  switch (plan.kind) {
    case 'env':
      await checkReachable(plan.env);
      return { source: 'env', env: plan.env, release: async () => undefined };
    case 'docker':
      return startDocker(report);
    case 'local-stack':
      return startLocalStack(report);
    case 'docker-else-local-stack':
      if (plan.warning) report(plan.warning);
      if (await dockerEngineAnswers()) return startDocker(report);
      report('no Docker engine answers');
      return startLocalStack(report);
    default: {
      const unreachable: never = plan;
      return unreachable;
    }
  }
}

/** A user's own services: fail the run early with the variable to fix, not in every spec. */
async function checkReachable(env: StackEnv): Promise<void> {
  await Promise.all([
    waitHealthy(kafkaProbe(env.KAFKA_BROKERS), {
      service: `Kafka at KAFKA_BROKERS=${env.KAFKA_BROKERS}`,
      timeoutMs: 15_000,
    }),
    waitHealthy(registryProbe(env.SCHEMA_REGISTRY_URL), {
      service: `the schema registry at SCHEMA_REGISTRY_URL=${env.SCHEMA_REGISTRY_URL}`,
      timeoutMs: 15_000,
    }),
    waitHealthy(postgresProbe(env.DATABASE_URL), {
      service: 'Postgres at DATABASE_URL',
      timeoutMs: 15_000,
    }),
  ]);
}

async function startDocker(report: Report): Promise<Infrastructure> {
  report('starting Kafka, the schema registry and Postgres in Docker (testcontainers)');
  const { startContainers } = await import('./containers');
  const containers = await startContainers(report);
  return { source: 'docker', env: containers.env, release: containers.stop };
}

async function startLocalStack(report: Report): Promise<Infrastructure> {
  report('using the local stack (npm run stack)');
  const { acquireStack } = await import('../../tools/stack');
  // Silent once the tests ran, so that jest's summary stays the last lines of the output.
  let quiet = false;
  const lease = await acquireStack({ report: (message) => quiet || report(`stack: ${message}`) });
  if (lease.started.length === 0)
    report('the local stack was already running: it is left running afterwards');
  return {
    source: 'local-stack',
    env: lease.env,
    release: () => {
      quiet = true;
      return lease.release();
    },
  };
}
