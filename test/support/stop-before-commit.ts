// Test support, preloaded into an ingest child process by the crash spec (`node -r`): freezes
// the process (SIGSTOP) just before it commits its Nth Kafka transaction, when the transaction
// has sent its alerts and consumer offsets, and says so on stderr. The spec then kills it with
// SIGKILL: a crash with a transaction open, every time, instead of whenever a race allows.
// Does nothing unless SOC_TEST_STOP_BEFORE_COMMIT names N.
import { writeSync } from 'node:fs';
import { Kafka, type Producer, type Transaction } from 'kafkajs';

export const STOPPED_BEFORE_COMMIT = 'soc-test: stopped before committing a transaction';

const stopAt = Number(process.env.SOC_TEST_STOP_BEFORE_COMMIT ?? '0');

if (stopAt > 0) {
  let commits = 0;
  const withStop = (transaction: Transaction): Transaction => {
    const commit = transaction.commit.bind(transaction);
    transaction.commit = async () => {
      commits += 1;
      if (commits === stopAt) {
        writeSync(2, `${STOPPED_BEFORE_COMMIT}\n`);
        process.kill(process.pid, 'SIGSTOP');
      }
      return commit();
    };
    return transaction;
  };
  const createProducer = Kafka.prototype.producer;
  Kafka.prototype.producer = function producer(
    this: Kafka,
    ...args: Parameters<Kafka['producer']>
  ): Producer {
    const created = createProducer.apply(this, args);
    const begin = created.transaction.bind(created);
    created.transaction = async () => withStop(await begin());
    return created;
  };
}
