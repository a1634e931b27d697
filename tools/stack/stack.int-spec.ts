// Runs only when the specs run on the local stack (no Docker engine, no environment given):
// the stack the global setup started reports itself healthy with the environment specs got.
import { stackEnvironment, stackStatus } from './index';

const onLocalStack = process.env.SOC_TEST_INFRA_SOURCE === 'local-stack';

(onLocalStack ? describe : describe.skip)('the local stack under test', () => {
  it('reports every service healthy and the environment the specs run with', async () => {
    const statuses = await stackStatus();
    expect(statuses.map(({ service, health }) => [service, health])).toEqual([
      ['postgres', 'healthy'],
      ['kafka', 'healthy'],
      ['registry', 'healthy'],
    ]);
    expect(await stackEnvironment()).toEqual({
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL,
      DATABASE_URL: process.env.DATABASE_URL,
    });
  });
});
