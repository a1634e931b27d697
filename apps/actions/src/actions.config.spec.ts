import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readActionsConfig } from './actions.config';

function fileWith(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'actions-config-')), 'routing.json');
  writeFileSync(path, content);
  return path;
}

const base = { KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081' };
const routing = JSON.stringify({
  version: 1,
  destinations: { hook: { type: 'webhook', url: 'https://x.example/h', secret: { env: 'HOOK' } } },
  tenants: { '*': [{ destination: 'hook' }] },
});

describe('actions configuration', () => {
  it('reads the routing file and the defaults', () => {
    const config = readActionsConfig({
      ...base,
      HOOK: 'k',
      ACTIONS_CONFIG_FILE: fileWith(routing),
    });
    expect(config).toMatchObject({
      groupId: 'soc-actions',
      incidentsTopic: 'soc.incidents.v1',
      deadLetterTopic: 'soc.actions.v1.dlq',
      startFrom: 'latest',
      retry: { maxAttempts: 8, initialDelayMs: 500, maxDelayMs: 60_000 },
    });
    expect([...config.routing.destinations.keys()]).toEqual(['hook']);
  });

  it('says which file is not JSON and which variable is wrong', () => {
    expect(() => readActionsConfig({ ...base, ACTIONS_CONFIG_FILE: fileWith('{ nope') })).toThrow(
      /ACTIONS_CONFIG_FILE \(.*routing\.json\): invalid routing configuration:\n {2}not JSON/,
    );
    expect(() =>
      readActionsConfig({
        ...base,
        HOOK: 'k',
        ACTIONS_CONFIG_FILE: fileWith(routing),
        ACTIONS_START_FROM: 'now',
      }),
    ).toThrow("ACTIONS_START_FROM: expected earliest or latest, got 'now'");
    expect(() => readActionsConfig({ ...base })).toThrow(/ACTIONS_CONFIG_FILE: required/);
  });
});
