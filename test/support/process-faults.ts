// Faults and waits on apps run as child processes (see app-process.ts): a log line to appear,
// failure messages that carry each process's output, and a kill with a transaction open.
import type { Kafka } from 'kafkajs';
import { uniqueName, waitFor } from '@soc/testing';
import type { AppProcess } from './app-process';

/** Waits for a log line with `msg`, failing early with the output when the process exited. */
export async function waitForLog(
  instance: AppProcess,
  msg: string,
  timeoutMs: number,
  matches: (line: Record<string, unknown>) => boolean = () => true,
): Promise<Record<string, unknown>> {
  const found = await waitFor(
    () =>
      instance.logs().find((l) => l['msg'] === msg && matches(l)) ??
      (instance.exited() ? 'exited' : undefined),
    { timeoutMs, intervalMs: 100, describe: `${instance.name} to log '${msg}'` },
  );
  if (found === 'exited') throw new Error(`${instance.name} exited:\n${instance.output()}`);
  return found;
}

/** Runs `task`; when it fails, the error also carries the tail of each process's output. */
export async function withOutputOf<T>(
  instances: readonly AppProcess[],
  task: () => Promise<T>,
): Promise<T> {
  try {
    return await task();
  } catch (error) {
    const outputs = instances
      .map((instance) => `--- ${instance.name} ---\n${instance.output().slice(-4_000)}`)
      .join('\n');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${outputs}`);
  }
}

export interface MidTransactionKill {
  /** Produce steps it took until the victim was caught with a transaction open. */
  readonly attempts: number;
  /** The first record of the open transaction the victim died with, or undefined if never caught. */
  readonly open: { readonly partition: number; readonly offset: string } | undefined;
}

/**
 * SIGKILLs `victim` while it has a transaction open on `topic` (one of `partitions`): a
 * read-uncommitted consumer freezes the victim (SIGSTOP) the moment one of its records appears,
 * then the transaction is checked still open (the last stable offset has not passed the record)
 * before the kill; otherwise the victim resumes and the next `step` produces more work. Without
 * a catch after the last step, the victim is killed anyway and `open` is undefined.
 */
export async function killMidTransaction(
  kafka: Kafka,
  victim: AppProcess,
  topic: string,
  partitions: readonly number[],
  steps: readonly (() => Promise<void>)[],
  settled: () => Promise<boolean>,
): Promise<MidTransactionKill> {
  let armed = false;
  let caught: { partition: number; offset: string } | undefined;
  const tail = kafka.consumer({
    groupId: uniqueName('spec-tail'),
    readUncommitted: true,
    maxWaitTimeInMs: 10,
  });
  let joined = false;
  tail.on(tail.events.GROUP_JOIN, () => {
    joined = true;
  });
  await tail.connect();
  const admin = kafka.admin();
  await admin.connect();
  try {
    await tail.subscribe({ topic, fromBeginning: false });
    await tail.run({
      eachBatch: async ({ batch }) => {
        const first = batch.messages[0];
        if (!armed || first === undefined || !partitions.includes(batch.partition)) return;
        victim.signal('SIGSTOP');
        armed = false;
        caught = { partition: batch.partition, offset: first.offset };
      },
    });
    await waitFor(() => joined, {
      timeoutMs: 30_000,
      describe: 'the read-uncommitted tail to join',
    });
    for (const [index, step] of steps.entries()) {
      caught = undefined;
      armed = true;
      await step();
      await waitFor(async () => caught !== undefined || (await settled()), {
        timeoutMs: 30_000,
        describe: `the victim to write or settle step ${index + 1}`,
      });
      armed = false;
      const open = caught as { partition: number; offset: string } | undefined;
      if (open === undefined) continue;
      // Frozen now: the transaction is open when the last stable offset is not past its record.
      const stable = (await admin.fetchTopicOffsets(topic)).find(
        (o) => o.partition === open.partition,
      );
      if (stable !== undefined && BigInt(stable.high) <= BigInt(open.offset)) {
        await victim.kill('SIGKILL');
        return { attempts: index + 1, open };
      }
      victim.signal('SIGCONT');
    }
    await victim.kill('SIGKILL');
    return { attempts: steps.length, open: undefined };
  } finally {
    armed = false;
    await admin.disconnect();
    await tail.disconnect();
  }
}
