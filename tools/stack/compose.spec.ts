// deploy/docker-compose.yml is for Docker users; it must run the broker the way the local stack
// and the testcontainers path do.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKA_SHARED_SETTINGS, kafkaImageEnvName, REGISTRY_VERSION } from './config';

const compose = readFileSync(join(__dirname, '..', '..', 'deploy', 'docker-compose.yml'), 'utf8');
const valueOf = (name: string): string | undefined =>
  new RegExp(`^\\s+${name}:\\s*(['"]?)([^'"\\n]*)\\1\\s*$`, 'm').exec(compose)?.[2];

describe('docker-compose broker settings', () => {
  it.each(Object.entries(KAFKA_SHARED_SETTINGS))('sets %s like the local stack', (key, value) => {
    expect(valueOf(kafkaImageEnvName(key))).toBe(value);
  });

  it('runs the registry version the local stack runs', () => {
    expect(compose).toContain(`image: apicurio/apicurio-registry:${REGISTRY_VERSION}`);
  });
});
