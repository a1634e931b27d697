import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { ensureTopics } from '@soc/kafka';
import { connectorKey, type ConnectorDefinition } from './connector-definition';
import type { ConnectorsConfig } from './connectors.config';
import type { ConnectorMetrics } from './connector-metrics';
import { ConnectorRunner } from './connector-runner';
import { ElasticSource } from './elastic/elastic-source';
import { GraphSource } from './graph/graph-source';
import type { PullSource } from './pull-source';
import { SplunkSource } from './splunk/splunk-source';

interface RunningConnector {
  /** The definition as JSON: a connector whose definition changes is restarted. */
  readonly fingerprint: string;
  readonly runner: ConnectorRunner<unknown>;
}

/**
 * The connectors running now, each with its own runner and transactional id, brought to a new
 * set of definitions without a restart of the app. Changes apply one set at a time, in order.
 * A connector no longer in the set is stopped: its runner finishes the page it is committing
 * and abandons a page it is still fetching (uncommitted, so nothing is lost). A connector whose
 * definition changed is stopped the same way and started again under the same key, so it
 * resumes from its checkpoint; an unchanged one is left running.
 */
export class ConnectorFleet {
  private readonly running = new Map<string, RunningConnector>();
  private readonly rawTopics = new Set<string>();
  private applying: Promise<void> = Promise.resolve();

  constructor(
    private readonly kafka: Kafka,
    private readonly config: ConnectorsConfig,
    private readonly metrics: ConnectorMetrics,
    private readonly logger: Logger,
  ) {}

  /** Creates the checkpoint topic; connectors start with the first `apply`. */
  async start(): Promise<void> {
    // One partition: a connector reads it whole at start; compaction keeps one record per connector.
    await this.ensureTopics([
      {
        topic: this.config.checkpointTopic,
        numPartitions: 1,
        config: { 'cleanup.policy': 'compact' },
      },
    ]);
  }

  /** Runs exactly `definitions`, after every set applied before; rejects if one fails to start. */
  apply(definitions: readonly ConnectorDefinition[]): Promise<void> {
    const next = this.applying.then(() => this.reconcile(definitions));
    this.applying = next.catch(() => undefined);
    return next;
  }

  async stop(): Promise<void> {
    await this.applying;
    await Promise.all([...this.running.values()].map(({ runner }) => runner.stop()));
    this.running.clear();
  }

  /** The keys of the connectors running, as `<tenant>/<id>`. */
  get keys(): readonly string[] {
    return [...this.running.keys()];
  }

  private async reconcile(definitions: readonly ConnectorDefinition[]): Promise<void> {
    const wanted = new Map(definitions.map((d) => [connectorKey(d), d]));
    const outdated = [...this.running].filter(
      ([key, { fingerprint }]) => fingerprintOf(wanted.get(key)) !== fingerprint,
    );
    await Promise.all(
      outdated.map(async ([key, { runner }]) => {
        await runner.stop();
        this.running.delete(key);
        this.logger.info({ connector: key }, 'connector stopped');
      }),
    );
    const failures: string[] = [];
    for (const [key, definition] of wanted) {
      if (this.running.has(key)) continue;
      try {
        this.running.set(key, {
          fingerprint: fingerprintOf(definition),
          runner: await this.started(definition),
        });
      } catch (error) {
        this.logger.error({ connector: key, err: error }, 'connector failed to start');
        failures.push(key);
      }
    }
    if (failures.length > 0) throw new Error(`connectors failed to start: ${failures.join(', ')}`);
  }

  private async started(definition: ConnectorDefinition): Promise<ConnectorRunner<unknown>> {
    const source = sourceOf(definition);
    const rawTopic = `${this.config.rawTopicPrefix}${source.format}`;
    if (!this.rawTopics.has(rawTopic)) {
      await this.ensureTopics([{ topic: rawTopic, numPartitions: this.config.topicPartitions }]);
      this.rawTopics.add(rawTopic);
    }
    const runner = new ConnectorRunner({
      kafka: this.kafka,
      connector: { id: definition.id, tenantId: definition.tenantId, type: definition.type },
      source,
      rawTopic,
      checkpointTopic: this.config.checkpointTopic,
      transactionalIdPrefix: this.config.transactionalIdPrefix,
      intervalMs: definition.intervalMs,
      backoff: this.config.backoff,
      logger: this.logger,
      metrics: this.metrics,
    });
    await runner.start();
    return runner;
  }

  private async ensureTopics(specs: Parameters<typeof ensureTopics>[1]): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, specs);
    } finally {
      await admin.disconnect();
    }
  }
}

const fingerprintOf = (definition: ConnectorDefinition | undefined): string =>
  definition === undefined ? '' : JSON.stringify(definition);

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
