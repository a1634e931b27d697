import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { testKafka, uniqueName } from '@soc/testing';
import { ensureTopics, retentionOf } from './topics';

describe('ensureTopics on the real broker', () => {
  let admin: Admin;
  const created: string[] = [];

  beforeAll(async () => {
    admin = testKafka().admin();
    await admin.connect();
  });

  afterAll(async () => {
    if (created.length > 0) await admin.deleteTopics({ topics: created });
    await admin.disconnect();
  });

  const configOf = async (topic: string): Promise<Record<string, string>> => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    });
    return Object.fromEntries(
      (resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]),
    );
  };

  it('creates the incident log with infinite retention and alerts with seven days', async () => {
    const log = `${uniqueName('spec')}.soc.incidents.v1`;
    const alerts = `${uniqueName('spec')}.soc.alerts.v1`;
    const dlq = `${alerts}.dlq`;
    created.push(log, alerts, dlq);
    await ensureTopics(
      admin,
      [log, alerts, dlq].map((topic) => ({ topic, numPartitions: 1 })),
    );
    expect(await configOf(log)).toMatchObject({ 'retention.ms': '-1', 'retention.bytes': '-1' });
    expect((await configOf(alerts))['retention.ms']).toBe(String(7 * 86_400_000));
    expect((await configOf(dlq))['retention.ms']).toBe(String(30 * 86_400_000));
  });

  it('raises an existing log created with the broker default to infinite retention, keeping its other settings', async () => {
    const log = `${uniqueName('spec')}.soc.feedback.v1`;
    created.push(log);
    await admin.createTopics({
      topics: [
        {
          topic: log,
          numPartitions: 1,
          configEntries: [
            { name: 'retention.ms', value: '604800000' },
            { name: 'max.message.bytes', value: '2000000' },
          ],
        },
      ],
    });
    await ensureTopics(admin, [{ topic: log, numPartitions: 1 }]);
    expect(await configOf(log)).toMatchObject({
      'retention.ms': '-1',
      'retention.bytes': '-1',
      'max.message.bytes': '2000000',
    });
  });

  it('gives every other topic an explicit finite retention', () => {
    expect(retentionOf('soc.raw.cef')).toEqual({
      'cleanup.policy': 'delete',
      'retention.ms': String(7 * 86_400_000),
    });
  });
});
