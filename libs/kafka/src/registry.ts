import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

export function createSchemaRegistry(url: string): SchemaRegistry {
  return new SchemaRegistry({ host: url, retry: { retries: 5, initialRetryTimeInSecs: 0.2 } });
}
