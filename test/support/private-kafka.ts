// A Kafka broker of one spec's own, for faults that are the broker's own (a crash and restart,
// a hang): the shared stack's broker is never stopped. It is the local stack's broker (same
// jars, same KRaft settings) on free ports with its data in a temporary folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@soc/testing';
import { ensureKafkaLibs } from '../../tools/stack/artifacts';
import {
  JVM_HEAP,
  kafkaClusterId,
  localKafkaSettings,
  renderKafkaLog4j2,
  renderProperties,
} from '../../tools/stack/config';
import { randomClusterBytes } from '../../tools/stack/files';
import { kafkaProbe } from '../../tools/stack/health';
import { stackLayout } from '../../tools/stack/layout';
import { runChecked } from '../../tools/stack/processes';
import { findJava } from '../../tools/stack/toolchain';
import { freePort } from './app-process';

const REPO_ROOT = join(__dirname, '..', '..');

export interface PrivateKafka {
  /** `127.0.0.1:<port>`, the same across restarts. */
  readonly brokers: string;
  /** SIGKILL: no controlled shutdown, whatever was not flushed is recovered from the log. */
  readonly kill: () => Promise<void>;
  /** Starts it again on the same ports and data, and waits until it answers. */
  readonly restart: () => Promise<void>;
  /** SIGSTOP and SIGCONT: a broker that hangs, connections open and nothing answered. */
  readonly freeze: () => void;
  readonly thaw: () => void;
  /** Kills it and deletes its data. */
  readonly remove: () => Promise<void>;
}

/** Formats a KRaft broker + controller in a temporary folder, starts it, waits until it answers. */
export async function startPrivateKafka(): Promise<PrivateKafka> {
  const java = await findJava();
  const { kafka: layout } = stackLayout(REPO_ROOT);
  await ensureKafkaLibs(stackLayout(REPO_ROOT), () => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'soc-private-kafka-'));
  const brokerPort = await freePort();
  const controllerPort = await freePort();
  const properties = join(dir, 'server.properties');
  const log4j2 = join(dir, 'log4j2.properties');
  writeFileSync(
    properties,
    renderProperties(localKafkaSettings({ brokerPort, controllerPort, logDir: join(dir, 'data') })),
  );
  writeFileSync(log4j2, renderKafkaLog4j2(join(dir, 'server.log')));
  const common = [`-Dlog4j2.configurationFile=${log4j2}`, '-cp', join(layout.libs, '*')];
  let clusterId: string | undefined;
  while (clusterId === undefined) clusterId = kafkaClusterId(randomClusterBytes());
  await runChecked('formatting the private Kafka storage', java, [
    ...common,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    properties,
    '--standalone',
  ]);

  const brokers = `127.0.0.1:${brokerPort}`;
  let child: ChildProcess | undefined;
  const killOnExit = (): void => void child?.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = (broker: ChildProcess): Promise<void> =>
    broker.exitCode !== null || broker.signalCode !== null
      ? Promise.resolve()
      : new Promise((resolve) => broker.once('exit', () => resolve()));
  const start = async (): Promise<void> => {
    const started = spawn(java, [JVM_HEAP.kafka, ...common, 'kafka.Kafka', properties], {
      cwd: dir,
      stdio: 'ignore',
    });
    child = started;
    await waitFor(
      async () => {
        if (started.exitCode !== null) throw new Error(`the private broker exited (see ${dir})`);
        return kafkaProbe(brokers)().then(
          () => true,
          () => false,
        );
      },
      { timeoutMs: 120_000, intervalMs: 250, describe: `the private broker on ${brokers}` },
    );
  };
  const kill = async (): Promise<void> => {
    const running = child;
    if (!running) return;
    running.kill('SIGCONT');
    running.kill('SIGKILL');
    await exited(running);
    child = undefined;
  };
  await start();
  return {
    brokers,
    kill,
    restart: async () => {
      await kill();
      await start();
    },
    freeze: () => void child?.kill('SIGSTOP'),
    thaw: () => void child?.kill('SIGCONT'),
    remove: async () => {
      await kill();
      process.removeListener('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
