import {
  kafkaClusterId,
  kafkaImageEnv,
  kafkaImageEnvName,
  localKafkaSettings,
  newestPostgresMajor,
  parseJavaMajor,
  registryEnvironment,
  renderEnvFile,
  renderExports,
  renderKafkaLog4j2,
  renderProperties,
  shellQuote,
  stackEnv,
} from './config';

describe('local broker settings', () => {
  const settings = localKafkaSettings({
    brokerPort: 9192,
    controllerPort: 9193,
    logDir: '/data/kafka',
  });

  it('runs one combined broker and controller node on the chosen ports, loopback only', () => {
    expect(settings).toMatchObject({
      'process.roles': 'broker,controller',
      'node.id': '1',
      'controller.quorum.bootstrap.servers': '127.0.0.1:9193',
      listeners: 'PLAINTEXT://127.0.0.1:9192,CONTROLLER://127.0.0.1:9193',
      'advertised.listeners': 'PLAINTEXT://127.0.0.1:9192',
      'controller.listener.names': 'CONTROLLER',
      'inter.broker.listener.name': 'PLAINTEXT',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'log.dirs': '/data/kafka',
    });
  });

  it('keeps single-node replication for internal topics and never creates topics implicitly', () => {
    expect(settings).toMatchObject({
      'offsets.topic.replication.factor': '1',
      'transaction.state.log.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
      'group.initial.rebalance.delay.ms': '0',
      'auto.create.topics.enable': 'false',
    });
  });

  it('renders a properties file with one key per line and escaped backslashes', () => {
    const text = renderProperties({ 'log.dirs': 'C:\\kafka', 'node.id': '1' });
    expect(text.split('\n').filter((line) => !line.startsWith('#'))).toEqual([
      'log.dirs=C:\\\\kafka',
      'node.id=1',
      '',
    ]);
  });

  it('logs the broker to a size-capped rolling file', () => {
    const text = renderKafkaLog4j2('/logs/server.log');
    expect(text).toContain('appender.file.type = RollingFile');
    expect(text).toContain('appender.file.fileName = /logs/server.log');
    expect(text).toContain('appender.file.policies.size.size = 20MB');
  });
});

describe('apache/kafka image environment', () => {
  it('maps property names to the variables the image reads', () => {
    expect(kafkaImageEnvName('offsets.topic.replication.factor')).toBe(
      'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR',
    );
    expect(kafkaImageEnvName('some_key.with-dash')).toBe('KAFKA_SOME__KEY_WITH___DASH');
    expect(kafkaImageEnv({ 'node.id': '1' })).toEqual({ KAFKA_NODE_ID: '1' });
  });
});

describe('client environment', () => {
  const env = stackEnv({ kafka: 9092, registry: 8081, postgres: 5432 });

  it('names the broker, the Confluent-compatible registry API and the Postgres server', () => {
    expect(env).toEqual({
      KAFKA_BROKERS: '127.0.0.1:9092',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
      DATABASE_URL: 'postgres://postgres:postgres@127.0.0.1:5432/postgres',
    });
  });

  it('renders KEY=value lines for env files and export lines for eval', () => {
    expect(renderEnvFile(env)).toBe(
      'KAFKA_BROKERS=127.0.0.1:9092\nSCHEMA_REGISTRY_URL=http://127.0.0.1:8081/apis/ccompat/v7\n' +
        'DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres\n',
    );
    expect(renderExports(env).split('\n')[0]).toBe('export KAFKA_BROKERS=127.0.0.1:9092');
  });

  it('quotes values the shell would otherwise split or expand', () => {
    expect(shellQuote('plain-value:1/x')).toBe('plain-value:1/x');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's $HOME")).toBe("'it'\\''s $HOME'");
  });

  it('points the registry at its database in the stack Postgres', () => {
    expect(registryEnvironment('127.0.0.1:5433')).toMatchObject({
      APICURIO_STORAGE_KIND: 'sql',
      APICURIO_STORAGE_SQL_KIND: 'postgresql',
      APICURIO_DATASOURCE_URL: 'jdbc:postgresql://127.0.0.1:5433/registry',
    });
  });
});

describe('kafka cluster id', () => {
  it('is a version 4 UUID in 22 characters of unpadded URL-safe base64', () => {
    const id = kafkaClusterId(new Uint8Array(16).fill(0xab));
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const bytes = Buffer.from(id ?? '', 'base64url');
    expect((bytes[6] ?? 0) >> 4).toBe(4);
    expect((bytes[8] ?? 0) >> 6).toBe(0b10);
  });

  it('refuses ids that would start with a dash, which Kafka reads as a flag', () => {
    expect(kafkaClusterId(new Uint8Array(16).fill(0xfb))).toBeUndefined();
  });

  it('needs 16 random bytes', () => {
    expect(() => kafkaClusterId(new Uint8Array(8))).toThrow(/16 random bytes/);
  });
});

describe('tool versions', () => {
  it('reads the Java major version from java -version output', () => {
    expect(
      parseJavaMajor('openjdk version "17.0.13" 2024-10-15\nOpenJDK Runtime Environment'),
    ).toBe(17);
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajor('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajor('command not found')).toBeUndefined();
  });

  it('takes the newest Debian PostgreSQL major, numerically', () => {
    expect(newestPostgresMajor(['9.6', '15', '13', 'common'])).toBe('15');
    expect(newestPostgresMajor([])).toBeUndefined();
  });
});
