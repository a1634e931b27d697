// Throwaway infrastructure in Docker through testcontainers, with the broker settings of the
// local stack (tools/stack/config.ts) and the images of deploy/docker-compose.yml.
// Cannot run on a machine without a Docker engine; the local stack covers that case.
import type { StartedNetwork, StartedTestContainer } from 'testcontainers';
import {
  kafkaImageEnv,
  KAFKA_SHARED_SETTINGS,
  kafkaProbe,
  PG_PASSWORD,
  PG_USER,
  postgresProbe,
  REGISTRY_CCOMPAT_PATH,
  REGISTRY_DATABASE,
  REGISTRY_VERSION,
  registryProbe,
  StackEnv,
  waitHealthy,
} from '../../tools/stack';

export const IMAGES = {
  kafka: 'apache/kafka:4.1.1',
  registry: `apicurio/apicurio-registry:${REGISTRY_VERSION}`,
  postgres: 'postgres:15',
} as const;

const KAFKA_CLIENT_PORT = 9092;
const KAFKA_INTERNAL_PORT = 9094;
const REGISTRY_PORT = 8080;
const PG_PORT = 5432;
const START_SCRIPT = '/tmp/soc-kafka-start.sh';

export interface StartedContainers {
  readonly env: StackEnv;
  readonly stop: () => Promise<void>;
}

export async function startContainers(
  report: (message: string) => void,
): Promise<StartedContainers> {
  const { GenericContainer, Network, Wait } = await import('testcontainers');
  const network: StartedNetwork = await new Network().start();
  const started: StartedTestContainer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.allSettled(started.map((container) => container.stop()));
    await network.stop().catch(() => undefined);
  };

  const startPostgres = async (): Promise<StartedTestContainer> => {
    const container = await new GenericContainer(IMAGES.postgres)
      .withNetwork(network)
      .withNetworkAliases('postgres')
      .withEnvironment({
        POSTGRES_USER: PG_USER,
        POSTGRES_PASSWORD: PG_PASSWORD,
        POSTGRES_DB: REGISTRY_DATABASE,
      })
      .withCommand(['postgres', '-c', 'fsync=off'])
      .withExposedPorts(PG_PORT)
      // The entrypoint starts the server twice (init scripts, then for real).
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .withStartupTimeout(120_000)
      .start();
    started.push(container);
    return container;
  };

  // The advertised address must carry the host port Docker maps, which is known only after the
  // container started: it waits for a start script that is copied in once the port is known.
  const startKafka = async (): Promise<StartedTestContainer> => {
    const settings = {
      ...KAFKA_SHARED_SETTINGS,
      listeners: `PLAINTEXT://0.0.0.0:${KAFKA_CLIENT_PORT},BROKER://0.0.0.0:${KAFKA_INTERNAL_PORT},CONTROLLER://0.0.0.0:9093`,
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name': 'BROKER',
      // The image's defaults set a static voter list; give it ours rather than mixing both kinds.
      'controller.quorum.voters': '1@localhost:9093',
    };
    const container = await new GenericContainer(IMAGES.kafka)
      .withNetwork(network)
      .withNetworkAliases('kafka')
      .withEnvironment(kafkaImageEnv(settings))
      .withExposedPorts(KAFKA_CLIENT_PORT)
      .withEntrypoint(['sh', '-c'])
      .withCommand([
        `echo 'waiting for the start script'; while ! grep -q '^# complete' ${START_SCRIPT} 2>/dev/null; do sleep 0.1; done; exec sh ${START_SCRIPT}`,
      ])
      .withWaitStrategy(Wait.forLogMessage(/waiting for the start script/))
      .withStartupTimeout(120_000)
      .start();
    started.push(container);
    const advertised = `PLAINTEXT://${container.getHost()}:${container.getMappedPort(KAFKA_CLIENT_PORT)},BROKER://kafka:${KAFKA_INTERNAL_PORT}`;
    await container.copyContentToContainer([
      {
        content: `export KAFKA_ADVERTISED_LISTENERS='${advertised}'\nexec /etc/kafka/docker/run\n# complete\n`,
        target: START_SCRIPT,
        mode: 0o755,
      },
    ]);
    return container;
  };

  const startRegistry = async (): Promise<StartedTestContainer> => {
    const container = await new GenericContainer(IMAGES.registry)
      .withNetwork(network)
      .withEnvironment({
        APICURIO_STORAGE_KIND: 'sql',
        APICURIO_STORAGE_SQL_KIND: 'postgresql',
        APICURIO_DATASOURCE_URL: `jdbc:postgresql://postgres:${PG_PORT}/${REGISTRY_DATABASE}`,
        APICURIO_DATASOURCE_USERNAME: PG_USER,
        APICURIO_DATASOURCE_PASSWORD: PG_PASSWORD,
      })
      .withExposedPorts(REGISTRY_PORT)
      .withWaitStrategy(
        Wait.forHttp(`${REGISTRY_CCOMPAT_PATH}/subjects`, REGISTRY_PORT).forStatusCode(200),
      )
      .withStartupTimeout(180_000)
      .start();
    started.push(container);
    return container;
  };

  try {
    const [kafka, [postgres, registry]] = await Promise.all([
      startKafka(),
      startPostgres().then(async (postgres) => [postgres, await startRegistry()] as const),
    ]);
    const env: StackEnv = {
      KAFKA_BROKERS: `${kafka.getHost()}:${kafka.getMappedPort(KAFKA_CLIENT_PORT)}`,
      SCHEMA_REGISTRY_URL: `http://${registry.getHost()}:${registry.getMappedPort(REGISTRY_PORT)}${REGISTRY_CCOMPAT_PATH}`,
      DATABASE_URL: `postgres://${PG_USER}:${PG_PASSWORD}@${postgres.getHost()}:${postgres.getMappedPort(PG_PORT)}/postgres`,
    };
    // The same health checks as the local stack: real answers, not open ports.
    await Promise.all([
      waitHealthy(kafkaProbe(env.KAFKA_BROKERS), {
        service: 'kafka container',
        timeoutMs: 120_000,
      }),
      waitHealthy(registryProbe(env.SCHEMA_REGISTRY_URL), {
        service: 'registry container',
        timeoutMs: 60_000,
      }),
      waitHealthy(postgresProbe(env.DATABASE_URL), {
        service: 'postgres container',
        timeoutMs: 60_000,
      }),
    ]);
    report(`containers ready: ${env.KAFKA_BROKERS}, ${env.SCHEMA_REGISTRY_URL}`);
    return { env, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
