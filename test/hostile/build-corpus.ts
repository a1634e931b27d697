// Writes the hostile-input corpus to a directory, one file a case plus index.json, for a
// person to inspect or replay with other tools: node -r ./tools/register.cjs
// test/hostile/build-corpus.ts <dir> [nonce]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCorpus } from './corpus';

const [dir, nonce = 'corpus'] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: build-corpus.ts <dir> [nonce]\n');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
const index = buildCorpus(nonce).map((c, i) => {
  const file = `${String(i).padStart(2, '0')}-${c.door}.bin`;
  const bytes =
    c.door === 'http'
      ? c.body
      : c.door === 'syslog-udp'
        ? c.datagram
        : c.door === 'syslog-tcp'
          ? c.stream
          : c.value;
  writeFileSync(join(dir, file), bytes);
  return { name: c.name, door: c.door, file, bytes: bytes.length, expect: c.expect.kind };
});
writeFileSync(join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
process.stdout.write(`${JSON.stringify({ dir, cases: index.length })}\n`);
