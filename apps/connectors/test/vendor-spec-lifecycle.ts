// The set-up and tear-down every vendor connector spec shares: one Kafka client and one local
// vendor server for the file, and after each test its runners stopped and the vendor reset.
import type { Kafka } from 'kafkajs';
import { testKafka } from '@soc/testing';
import type { ConnectorRunner } from '../src/connector-runner';
import type { PullSource } from '../src/pull-source';
import { specRunner, type SpecTopics } from './connector-harness';
import { startVendorServer, type VendorHandler, type VendorServer } from './vendor-server';

export interface VendorSpec {
  readonly kafka: Kafka;
  readonly server: VendorServer;
  /** Runners a test started; each is stopped after the test. */
  readonly runners: ConnectorRunner<unknown>[];
  /** Starts a runner of `source` on `topics`, stopped after the test. */
  startRunner(
    kafka: Kafka,
    topics: SpecTopics,
    source: PullSource<unknown>,
  ): Promise<ConnectorRunner<unknown>>;
}

/**
 * Registers the spec file's hooks. `handler` gets the server's URL lazily, for vendors whose
 * responses link back to the server. `ignoreStopFailures` is for specs that leave a runner
 * failed on purpose, whose stop then rejects.
 */
export function vendorSpecLifecycle({
  handler,
  resetVendor,
  ignoreStopFailures = false,
}: {
  readonly handler: (serverUrl: () => string) => VendorHandler;
  readonly resetVendor: () => void;
  readonly ignoreStopFailures?: boolean;
}): VendorSpec {
  let kafka: Kafka | undefined;
  let server: VendorServer | undefined;
  const runners: ConnectorRunner<unknown>[] = [];
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is only there once beforeAll ran`);
    return value;
  };
  const spec: VendorSpec = {
    get kafka() {
      return started(kafka, 'the Kafka client');
    },
    get server() {
      return started(server, 'the vendor server');
    },
    runners,
    async startRunner(k, topics, source) {
      const runner = specRunner(k, topics, source);
      runners.push(runner);
      await runner.start();
      return runner;
    },
  };

  beforeAll(async () => {
    kafka = testKafka();
    server = await startVendorServer(handler(() => spec.server.url));
  });

  afterEach(async () => {
    await Promise.all(
      runners
        .splice(0)
        .map((r) => (ignoreStopFailures ? r.stop().catch(() => undefined) : r.stop())),
    );
    resetVendor();
    spec.server.requests.length = 0;
  });

  afterAll(async () => {
    await spec.server.close();
  });

  return spec;
}
