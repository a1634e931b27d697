import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { ensureTopics } from '@soc/kafka';
import type { ConnectorDefinition, ConnectorsConfig } from './connectors.config';
import type { ConnectorMetrics } from './connector-metrics';
import { ConnectorRunner } from './connector-runner';
import { ElasticSource } from './elastic/elastic-source';
import { GraphSource } from './graph/graph-source';
import type { PullSource } from './pull-source';
import { SplunkSource } from './splunk/splunk-source';

/** Every configured connector, each with its own runner and transactional id. */
export class ConnectorFleet {
  private readonly runners: ConnectorRunner<unknown>[] = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly config: ConnectorsConfig,
    private readonly metrics: ConnectorMetrics,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.ensureTopics();
    for (const definition of this.config.connectors) {
      const source = sourceOf(definition);
      const runner = new ConnectorRunner({
        kafka: this.kafka,
        connector: { id: definition.id, tenantId: definition.tenantId, type: definition.type },
        source,
        rawTopic: this.rawTopicOf(source),
        checkpointTopic: this.config.checkpointTopic,
        transactionalIdPrefix: this.config.transactionalIdPrefix,
        intervalMs: definition.intervalMs,
        backoff: this.config.backoff,
        logger: this.logger,
        metrics: this.metrics,
      });
      await runner.start();
      this.runners.push(runner);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
  }

  private rawTopicOf(source: PullSource<unknown>): string {
    return `${this.config.rawTopicPrefix}${source.format}`;
  }

  private async ensureTopics(): Promise<void> {
    const formats = new Set(this.config.connectors.map((d) => sourceOf(d).format));
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [
        ...[...formats].map((format) => ({
          topic: `${this.config.rawTopicPrefix}${format}`,
          numPartitions: this.config.topicPartitions,
        })),
        // One partition: a connector reads it whole at start; compaction keeps one record per connector.
        {
          topic: this.config.checkpointTopic,
          numPartitions: 1,
          config: { 'cleanup.policy': 'compact' },
        },
      ]);
    } finally {
      await admin.disconnect();
    }
  }
}

function sourceOf(definition: ConnectorDefinition): PullSource<unknown> {
  switch (definition.type) {
    case 'splunk':
      return new SplunkSource(definition.settings) as PullSource<unknown>;
    case 'elastic':
      return new ElasticSource(definition.settings) as PullSource<unknown>;
    case 'ms-graph':
      return new GraphSource(definition.settings) as PullSource<unknown>;
    default: {
      const unreachable: never = definition;
      return unreachable;
    }
  }
}
