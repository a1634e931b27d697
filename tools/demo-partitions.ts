// Prints the partition count the demo must use: that of the co-partitioned topics already on
// the stack (alerts, incidents, intel), or the fallback given as the argument when none exists.
// Exits 1 with a clear message when they disagree (a test run created some with other counts).
import { Kafka, logLevel } from 'kafkajs';

const TOPICS = ['soc.alerts.v1', 'soc.incidents.v1', 'soc.intel.v1', 'soc.tenant-config.v1'];
const fallback = process.argv[2] ?? '3';

async function main(): Promise<string> {
  const kafka = new Kafka({
    brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const present = TOPICS.filter((topic) => existing.has(topic));
    if (present.length === 0) return fallback;
    const { topics } = await admin.fetchTopicMetadata({ topics: present });
    const counts = new Map(topics.map((topic) => [topic.name, topic.partitions.length]));
    const distinct = new Set(counts.values());
    if (distinct.size > 1) {
      const listed = [...counts].map(([name, count]) => `${name}: ${count}`).join(', ');
      throw new Error(
        `co-partitioned topics on this stack disagree (${listed}); ` +
          '`npm run stack -- reset` gives the demo a clean stack',
      );
    }
    return String([...distinct][0]);
  } finally {
    await admin.disconnect();
  }
}

main().then(
  (count) => process.stdout.write(`${count}\n`),
  (error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
