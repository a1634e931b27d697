import { randomBytes } from 'node:crypto';

/**
 * A name no other test run or spec shares, for topics, consumer groups, transactional ids and
 * registry subjects: `<prefix>-<time>-<random>`, limited to characters Kafka accepts in names.
 */
export function uniqueName(prefix: string): string {
  const safe = prefix.replace(/[^a-zA-Z0-9._-]+/g, '-').slice(0, 180) || 'test';
  return `${safe}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
