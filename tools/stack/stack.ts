// The stack's operations: up (idempotent), down, status, reset, logs. Every mutating operation
// holds .stack/lock, so concurrent commands and test runs in one working tree take turns.
import { existsSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  DEFAULT_PORTS,
  PortAssignment,
  PortName,
  SERVICE_PORTS,
  ServiceName,
  SERVICES,
  StackEnv,
} from './config';
import { ensureKafkaLibs, ensureRegistryApp } from './artifacts';
import {
  addLease,
  liveLeases,
  netPortProbes,
  readState,
  removeLease,
  Reporter,
  tailFile,
  withLock,
  writeEnvFile,
  writeState,
} from './files';
import { answers, probeFor, waitHealthy } from './health';
import { StackLayout, stackLayout } from './layout';
import { choosePorts, PortRequest } from './ports';
import { isAlive, ownsProcess, terminate } from './processes';
import {
  choosePostgresDir,
  fallbackPgDir,
  logFilesOf,
  pgPathsOf,
  postmasterPid,
  processMarkers,
  startKafka,
  startPostgres,
  startRegistry,
  stopPostgres,
} from './services';
import {
  envOfState,
  StackState,
  withAutoStop,
  withoutService,
  withPorts,
  withService,
} from './state';
import { findJava, findPostgres } from './toolchain';

export type { Reporter } from './files';

export interface StackOptions {
  /** The repository whose `.stack/` folder holds the stack; defaults to this checkout. */
  readonly repoRoot?: string;
  /** Progress messages for people; defaults to stderr. */
  readonly report?: Reporter;
}

export interface StartResult {
  readonly env: StackEnv;
  /** The services this call started; the others were already running and healthy. */
  readonly started: readonly ServiceName[];
}

export type Health = 'healthy' | 'unhealthy' | 'stopped';

export interface ServiceStatus {
  readonly service: ServiceName;
  readonly health: Health;
  readonly pid?: number;
  readonly endpoint?: string;
}

const HEALTH_TIMEOUT_MS: Readonly<Record<ServiceName, number>> = {
  postgres: 60_000,
  kafka: 120_000,
  registry: 180_000,
};
const STOP_GRACE_MS: Readonly<Record<ServiceName, number>> = {
  postgres: 30_000,
  kafka: 30_000,
  registry: 15_000,
};

interface Context {
  readonly layout: StackLayout;
  readonly report: Reporter;
}

const defaultReport: Reporter = (message) => process.stderr.write(`stack: ${message}\n`);

const contextOf = (options: StackOptions = {}): Context => ({
  layout: stackLayout(options.repoRoot ?? resolve(__dirname, '..', '..')),
  report: options.report ?? defaultReport,
});

const endpointOf = (service: ServiceName, env: StackEnv | undefined): string | undefined => {
  if (!env) return undefined;
  switch (service) {
    case 'kafka':
      return env.KAFKA_BROKERS;
    case 'registry':
      return env.SCHEMA_REGISTRY_URL;
    case 'postgres':
      return env.DATABASE_URL;
    default: {
      const unreachable: never = service;
      return unreachable;
    }
  }
};

const isOwnedRunning = (
  service: ServiceName,
  pid: number,
  layout: StackLayout,
  state: StackState,
): boolean => ownsProcess(pid, processMarkers(service, layout, state));

/** Starts whatever is not running and healthy; a person's `up` keeps the stack after test runs. */
export async function startStack(options: StackOptions = {}): Promise<StartResult> {
  const ctx = contextOf(options);
  return withLock(ctx.layout, ctx.report, async () => {
    const result = await up(ctx);
    writeState(ctx.layout, withAutoStop(readState(ctx.layout), []));
    return result;
  });
}

export interface StackLease extends StartResult {
  /**
   * Ends this process's use of the stack. The services a test run started are stopped when the
   * last test run using the stack releases it, so concurrent runs in one tree do not pull the
   * stack from under each other; a stack someone started with `up` is left running.
   */
  readonly release: () => Promise<void>;
}

export async function acquireStack(options: StackOptions = {}): Promise<StackLease> {
  const ctx = contextOf(options);
  const result = await withLock(ctx.layout, ctx.report, async () => {
    addLease(ctx.layout);
    try {
      const started = await up(ctx);
      const state = readState(ctx.layout);
      writeState(ctx.layout, withAutoStop(state, [...state.autoStop, ...started.started]));
      return started;
    } catch (error) {
      removeLease(ctx.layout);
      throw error;
    }
  });
  return {
    ...result,
    release: () =>
      withLock(ctx.layout, ctx.report, async () => {
        removeLease(ctx.layout);
        if (liveLeases(ctx.layout).length > 0) return;
        const { autoStop } = readState(ctx.layout);
        if (autoStop.length > 0) await stopServices(ctx, autoStop);
      }),
  };
}

export async function stopStack(
  options: StackOptions & { readonly services?: readonly ServiceName[] } = {},
): Promise<ServiceName[]> {
  const ctx = contextOf(options);
  return withLock(ctx.layout, ctx.report, () => stopServices(ctx, options.services ?? SERVICES));
}

/** Stops the stack and deletes its data; `artifacts` also deletes the fetched jars and app. */
export async function resetStack(
  options: StackOptions & { readonly artifacts?: boolean } = {},
): Promise<void> {
  const ctx = contextOf(options);
  await withLock(ctx.layout, ctx.report, async () => {
    const state = readState(ctx.layout);
    await stopServices(ctx, SERVICES);
    const { layout } = ctx;
    const doomed = [
      layout.kafka.data,
      layout.postgres.dir,
      dirname(fallbackPgDir(layout)),
      layout.stateFile,
      layout.envFile,
      layout.leasesDir,
    ];
    if (state.pgDir) doomed.push(state.pgDir);
    if (options.artifacts) doomed.push(layout.kafka.dir, layout.registry.dir);
    for (const path of doomed) rmSync(path, { recursive: true, force: true });
    ctx.report(
      options.artifacts
        ? 'deleted the stack data and artifacts'
        : 'deleted the stack data (artifacts kept)',
    );
  });
}

export async function stackStatus(options: StackOptions = {}): Promise<ServiceStatus[]> {
  const { layout } = contextOf(options);
  const state = readState(layout);
  const env = envOfState(state);
  return Promise.all(
    SERVICES.map(async (service): Promise<ServiceStatus> => {
      const record = state.services[service];
      if (!record || !isOwnedRunning(service, record.pid, layout, state))
        return { service, health: 'stopped' };
      const endpoint = endpointOf(service, env);
      const base = { service, ...(endpoint ? { endpoint } : {}) };
      const healthy = env !== undefined && (await answers(probeFor(service, env)));
      return { ...base, pid: record.pid, health: healthy ? 'healthy' : 'unhealthy' };
    }),
  );
}

/** The environment of the running stack, or undefined when it is not (fully) up. */
export async function stackEnvironment(options: StackOptions = {}): Promise<StackEnv | undefined> {
  const statuses = await stackStatus(options);
  if (statuses.some((status) => status.health !== 'healthy')) return undefined;
  return envOfState(readState(contextOf(options).layout));
}

export interface ServiceLog {
  readonly service: ServiceName;
  readonly file: string;
  readonly text: string;
}

export function stackLogs(
  options: StackOptions & { readonly service?: ServiceName; readonly lines?: number } = {},
): ServiceLog[] {
  const { layout } = contextOf(options);
  const state = readState(layout);
  const services = options.service ? [options.service] : SERVICES;
  return services.flatMap((service) =>
    logFilesOf(service, layout, state)
      .filter((file) => existsSync(file))
      .map((file) => ({ service, file, text: tailFile(file, options.lines ?? 100) })),
  );
}

// ---------------------------------------------------------------- internals (lock held)

async function stopServices(
  ctx: Context,
  services: readonly ServiceName[],
): Promise<ServiceName[]> {
  const { layout, report } = ctx;
  const stopped: ServiceName[] = [];
  const stopOne = async (service: ServiceName): Promise<void> => {
    if (!services.includes(service)) return;
    const state = readState(layout);
    const record = state.services[service];
    if (service === 'postgres') {
      // Postgres's own pid file names its server even when the state file lost the record.
      const paths = pgPathsOf(layout, state);
      const pid = record?.pid ?? postmasterPid(paths);
      if (pid !== undefined && isOwnedRunning(service, pid, layout, state)) {
        report(`stopping postgres (pid ${pid})`);
        await stopPostgres(paths, pid);
        stopped.push(service);
      }
    } else if (record && isOwnedRunning(service, record.pid, layout, state)) {
      report(`stopping ${service} (pid ${record.pid})`);
      const outcome = await terminate(record.pid, STOP_GRACE_MS[service]);
      if (outcome === 'killed')
        report(`${service} ignored SIGTERM for ${STOP_GRACE_MS[service] / 1000} s: killed`);
      stopped.push(service);
    }
    writeState(layout, withoutService(readState(layout), service));
  };
  // The registry holds connections to Postgres: it goes first, Postgres last.
  await Promise.all([stopOne('registry'), stopOne('kafka')]);
  await stopOne('postgres');
  writeEnvFile(layout, undefined);
  if (stopped.length === 0) report('nothing of the stack was running');
  return stopped;
}

async function up(ctx: Context): Promise<StartResult> {
  const { layout, report } = ctx;
  const began = Date.now();
  let state = readState(layout, report);
  const save = (next: StackState): void => {
    state = next;
    writeState(layout, state);
  };

  // 1. Keep what runs and answers; forget what died; restart what runs but does not answer.
  const env0 = envOfState(state);
  for (const service of SERVICES) {
    const record = state.services[service];
    if (!record) continue;
    if (!isOwnedRunning(service, record.pid, layout, state)) {
      save(withoutService(state, service));
    } else if (!env0 || !(await answers(probeFor(service, env0)))) {
      report(`${service} (pid ${record.pid}) runs but does not answer: restarting it`);
      await stopServices(ctx, [service]);
      state = readState(layout);
    }
  }
  const toStart = new Set(SERVICES.filter((service) => !state.services[service]));

  // 2. Tools and artifacts before anything starts, so a missing piece fails early and clean.
  if (toStart.size > 0) await findJava();
  if (toStart.has('postgres')) await findPostgres();
  if (toStart.has('kafka')) await ensureKafkaLibs(layout, report);
  if (toStart.has('registry')) await ensureRegistryApp(layout, report);

  // 3. Ports: running services keep theirs; the others prefer last run's, then the defaults.
  const reserved = SERVICES.filter((service) => !toStart.has(service)).flatMap((service) =>
    SERVICE_PORTS[service]
      .map((name) => state.ports[name])
      .filter((port): port is number => port !== undefined),
  );
  const requests: PortRequest<PortName>[] = [...toStart].flatMap((service) =>
    SERVICE_PORTS[service].map((name) => ({
      name,
      preferred: [state.ports[name], DEFAULT_PORTS[name]].filter(
        (port): port is number => port !== undefined,
      ),
    })),
  );
  save(withPorts(state, await choosePorts(requests, netPortProbes, reserved)));
  const ports = state.ports as PortAssignment;

  // The registry's datasource names a Postgres port: if Postgres moved, the registry follows.
  const registry = state.services.registry;
  if (registry && registry.postgresPort !== ports.postgres) {
    report('postgres moved: restarting the registry');
    await stopServices(ctx, ['registry']);
    state = readState(layout);
    toStart.add('registry');
  }

  if (toStart.size === 0) {
    const env = envOfState(state) as StackEnv;
    writeEnvFile(layout, env);
    report('already running and healthy');
    return { env, started: [] };
  }

  // 4. Start: Postgres and Kafka side by side, the registry once Postgres answers.
  const env = envOfState(state) as StackEnv;
  const started: ServiceName[] = [];
  const record = (
    service: ServiceName,
    pid: number,
    extra: { postgresPort?: number } = {},
  ): void => {
    started.push(service);
    save(withService(state, service, { pid, startedAt: new Date().toISOString(), ...extra }));
  };
  const awaitHealthy = (service: ServiceName, pid: number) =>
    waitHealthy(probeFor(service, env), {
      service,
      timeoutMs: HEALTH_TIMEOUT_MS[service],
      isRunning: () => isAlive(pid),
      logTail: () =>
        logFilesOf(service, layout, state)
          .map((file) => tailFile(file, 25))
          .filter(Boolean)
          .join('\n'),
    });

  const startPostgresStep = async (): Promise<void> => {
    if (!toStart.has('postgres')) return;
    const paths = await choosePostgresDir(layout, state, report);
    if (paths.dir !== layout.postgres.dir) save({ ...state, pgDir: paths.dir });
    report(`starting postgres on port ${ports.postgres}`);
    const pid = await startPostgres(paths, ports.postgres, report);
    record('postgres', pid);
    await awaitHealthy('postgres', pid);
  };
  const startKafkaStep = async (): Promise<void> => {
    if (!toStart.has('kafka')) return;
    report(`starting kafka on port ${ports.kafka} (controller ${ports.kafkaController})`);
    const pid = await startKafka(layout, state, ports, report);
    record('kafka', pid);
    await awaitHealthy('kafka', pid);
  };
  const startRegistryStep = async (): Promise<void> => {
    if (!toStart.has('registry')) return;
    report(`starting the schema registry on port ${ports.registry}`);
    const pid = await startRegistry(layout, state, ports);
    record('registry', pid, { postgresPort: ports.postgres });
    await awaitHealthy('registry', pid);
  };

  try {
    const results = await Promise.allSettled([
      startKafkaStep(),
      startPostgresStep().then(startRegistryStep),
    ]);
    const failures = results.flatMap((result) =>
      result.status === 'rejected' ? [result.reason as unknown] : [],
    );
    if (failures.length > 0) throw failures[0];
  } catch (error) {
    // All or nothing: stop what this call started, keep what was running before.
    if (started.length > 0) {
      report(`start failed; stopping ${started.join(', ')}`);
      await stopServices(ctx, started);
    }
    throw error;
  }

  writeEnvFile(layout, env);
  report(`started ${started.join(', ')} in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  return { env, started };
}
