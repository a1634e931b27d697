// Starting and stopping each service of the stack (process I/O). The orchestration (what to
// start, ports, state, health) is in stack.ts.
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  HOST,
  JVM_HEAP,
  kafkaClusterId,
  localKafkaSettings,
  PG_PASSWORD,
  PG_USER,
  REGISTRY_DATABASE,
  registryEnvironment,
  renderKafkaLog4j2,
  renderProperties,
  ServiceName,
} from './config';
import { randomClusterBytes, Reporter } from './files';
import { postgresPaths, PostgresPaths, StackLayout } from './layout';
import {
  isAlive,
  isRoot,
  ownsProcess,
  run,
  runChecked,
  spawnDetached,
  terminate,
} from './processes';
import { StackState } from './state';
import { findJava, findPostgres } from './toolchain';

/** Command-line markers that identify a stack process, checked before it is signalled. */
export const processMarkers = (
  service: ServiceName,
  layout: StackLayout,
  state: StackState,
): string[] => {
  switch (service) {
    case 'kafka':
    case 'registry':
      return [`-Dsoc.stack.service=${service}`, `-Dsoc.stack.dir=${layout.dir}`];
    case 'postgres':
      return [pgPathsOf(layout, state).data];
    default: {
      const unreachable: never = service;
      return unreachable;
    }
  }
};

export const pgPathsOf = (layout: StackLayout, state: StackState): PostgresPaths =>
  state.pgDir ? postgresPaths(state.pgDir) : layout.postgres;

export const logFilesOf = (
  service: ServiceName,
  layout: StackLayout,
  state: StackState,
): string[] => {
  switch (service) {
    case 'kafka':
      return [layout.kafka.log, layout.kafka.stdout];
    case 'registry':
      return [layout.registry.log];
    case 'postgres':
      return [pgPathsOf(layout, state).log];
    default: {
      const unreachable: never = service;
      return unreachable;
    }
  }
};

// ---------------------------------------------------------------- Kafka

export async function startKafka(
  layout: StackLayout,
  state: StackState,
  ports: { readonly kafka: number; readonly kafkaController: number },
  report: Reporter,
): Promise<number> {
  const java = await findJava();
  const { kafka } = layout;
  mkdirSync(join(kafka.dir, 'logs'), { recursive: true });
  writeFileSync(
    kafka.serverProperties,
    renderProperties(
      localKafkaSettings({
        brokerPort: ports.kafka,
        controllerPort: ports.kafkaController,
        logDir: kafka.data,
      }),
    ),
  );
  writeFileSync(kafka.log4j2, renderKafkaLog4j2(kafka.log));
  const classpath = join(kafka.libs, '*'); // expanded by java itself
  const logging = `-Dlog4j2.configurationFile=${kafka.log4j2}`;
  // Formatted once; the data is kept across restarts until `reset`. Without meta.properties the
  // folder holds no usable data (an interrupted format), so it is formatted again.
  if (!existsSync(join(kafka.data, 'meta.properties'))) {
    rmSync(kafka.data, { recursive: true, force: true });
    let clusterId: string | undefined;
    while (clusterId === undefined) clusterId = kafkaClusterId(randomClusterBytes());
    report(`formatting Kafka storage (cluster id ${clusterId})`);
    await runChecked('formatting Kafka storage', java, [
      logging,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      kafka.serverProperties,
      '--standalone',
    ]);
  }
  return spawnDetached(
    java,
    [
      JVM_HEAP.kafka,
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      ...processMarkers('kafka', layout, state),
      logging,
      '-cp',
      classpath,
      'kafka.Kafka',
      kafka.serverProperties,
    ],
    { cwd: kafka.dir, logFile: kafka.stdout },
  );
}

// ---------------------------------------------------------------- Schema registry

export async function startRegistry(
  layout: StackLayout,
  state: StackState,
  ports: { readonly registry: number; readonly postgres: number },
): Promise<number> {
  const java = await findJava();
  await ensureDatabase(ports.postgres, REGISTRY_DATABASE);
  mkdirSync(layout.registry.dir, { recursive: true });
  return spawnDetached(
    java,
    [
      JVM_HEAP.registry,
      '-XX:+ExitOnOutOfMemoryError',
      ...processMarkers('registry', layout, state),
      // System properties outrank environment variables in Quarkus, so a stray QUARKUS_HTTP_PORT
      // in the caller's environment cannot move the registry.
      `-Dquarkus.http.port=${ports.registry}`,
      `-Dquarkus.http.host=${HOST}`,
      '-jar',
      layout.registry.jar,
    ],
    {
      cwd: layout.registry.app,
      env: { ...process.env, ...registryEnvironment(`${HOST}:${ports.postgres}`) },
      logFile: layout.registry.log,
    },
  );
}

async function ensureDatabase(pgPort: number, name: string): Promise<void> {
  const client = new Client({
    host: HOST,
    port: pgPort,
    user: PG_USER,
    password: PG_PASSWORD,
    database: 'postgres',
    connectionTimeoutMillis: 5_000,
  });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------- PostgreSQL

/**
 * The folder Postgres runs in. The server refuses to run as root, so as root it runs as the
 * postgres user, which must reach the folder. A repository under a private home folder (a fresh
 * clone in root's home) is out of its reach: then the data goes to a per-repository folder in
 * the system's temporary directory (recorded in the state file; `reset` deletes it too).
 */
export async function choosePostgresDir(
  layout: StackLayout,
  state: StackState,
  report: Reporter,
): Promise<PostgresPaths> {
  const pg = await findPostgres();
  const candidates = [state.pgDir ?? layout.postgres.dir, fallbackPgDir(layout)];
  for (const dir of [...new Set(candidates)]) {
    mkdirSync(dir, { recursive: true });
    if (isRoot()) await chownToServerUser(dir);
    const [command, args] = pg.asServerUser('test', ['-w', dir, '-a', '-x', dir]);
    if ((await run(command, args)).code === 0) {
      if (dir !== layout.postgres.dir && dir !== state.pgDir) {
        report(
          `the ${PG_USER} user cannot reach ${layout.postgres.dir}; Postgres keeps its data in ${dir}`,
        );
      }
      return postgresPaths(dir);
    }
  }
  throw new Error(`the ${PG_USER} user can write neither ${candidates.join(' nor ')}`);
}

export const fallbackPgDir = (layout: StackLayout): string =>
  join(
    tmpdir(),
    `soc-stack-${createHash('sha256').update(layout.dir).digest('hex').slice(0, 12)}`,
    'pg',
  );

async function chownToServerUser(dir: string): Promise<void> {
  const uid = Number((await runChecked('id', 'id', ['-u', PG_USER])).stdout.trim());
  const gid = Number((await runChecked('id', 'id', ['-g', PG_USER])).stdout.trim());
  chownSync(dir, uid, gid);
}

export async function startPostgres(
  paths: PostgresPaths,
  port: number,
  report: Reporter,
): Promise<number> {
  const pg = await findPostgres();
  const bin = (name: string) => join(pg.binDir, name);
  const versionFile = join(paths.data, 'PG_VERSION');
  if (!existsSync(versionFile)) {
    rmSync(paths.data, { recursive: true, force: true });
    report(`initializing a PostgreSQL ${pg.major} cluster`);
    const [command, args] = pg.asServerUser(bin('initdb'), [
      '-D',
      paths.data,
      '-A',
      'trust',
      '-U',
      PG_USER,
      '--no-sync',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
    await runChecked('initdb', command, args, { cwd: paths.dir });
  } else {
    const dataMajor = readFileSync(versionFile, 'utf8').trim();
    if (pg.major !== 'unknown' && dataMajor !== pg.major) {
      throw new Error(
        `the stack's Postgres data was created by PostgreSQL ${dataMajor}, the server found is ${pg.major}: ` +
          'run `npm run stack -- reset` (this deletes the stack data)',
      );
    }
  }
  const serverOptions = [
    `-p ${port}`,
    `-k ${tmpdir()}`,
    `-c listen_addresses=${HOST}`,
    // Throwaway development data: durability is not worth the disk flushes.
    '-c fsync=off',
  ].join(' ');
  const [command, args] = pg.asServerUser(bin('pg_ctl'), [
    '-D',
    paths.data,
    '-l',
    paths.log,
    '-o',
    serverOptions,
    '-w',
    '-t',
    '90',
    'start',
  ]);
  await runChecked('pg_ctl start', command, args, { cwd: paths.dir, detached: true });
  const pid = postmasterPid(paths);
  if (pid === undefined)
    throw new Error(`pg_ctl started no server (no ${join(paths.data, 'postmaster.pid')})`);
  return pid;
}

export const postmasterPid = (paths: PostgresPaths): number | undefined => {
  try {
    const pid = Number(readFileSync(join(paths.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
};

export async function stopPostgres(paths: PostgresPaths, pid: number | undefined): Promise<void> {
  const running = pid ?? postmasterPid(paths);
  if (running === undefined || !ownsProcess(running, [paths.data])) return;
  try {
    const pg = await findPostgres();
    const [command, args] = pg.asServerUser(join(pg.binDir, 'pg_ctl'), [
      '-D',
      paths.data,
      '-m',
      'fast',
      '-w',
      '-t',
      '60',
      'stop',
    ]);
    await runChecked('pg_ctl stop', command, args, { cwd: paths.dir });
  } catch {
    // pg_ctl missing or failed: fall back to signals (SIGTERM is a smart shutdown).
  }
  await terminate(running, 30_000);
}
