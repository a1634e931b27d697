// The hostile-input corpus: records built from the attacks of issue 11 and more, each with
// the door it goes through and what must become of it. Deterministic: the same build gives
// the same bytes, so a failure names a case that can be rebuilt. `build-corpus.ts` writes it
// out for inspection; the integration spec sends it through the real doors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What must become of a record: an alert (maybe with caps recorded), or a stated refusal. */
export type Outcome =
  | { readonly kind: 'alert'; readonly alertId: string; readonly truncated: readonly string[] }
  | { readonly kind: 'dead-letter'; readonly marker: string; readonly reason: RegExp }
  | { readonly kind: 'refused'; readonly status: number; readonly reason: RegExp }
  | { readonly kind: 'nothing' };

export type Door =
  | { readonly door: 'http'; readonly contentType: string; readonly body: Buffer }
  | { readonly door: 'syslog-udp'; readonly datagram: Buffer }
  | { readonly door: 'syslog-tcp'; readonly stream: Buffer }
  | {
      readonly door: 'raw';
      readonly format: 'splunk' | 'ms-graph' | 'cef';
      readonly value: Buffer;
    };

export type HostileCase = { readonly name: string; readonly expect: Outcome } & Door;

const FIXTURES = join(__dirname, '..', '..', 'libs', 'domain', 'src', 'normalization', 'fixtures');
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');
const TIME = '2026-01-15T12:00:00Z';
const RT = Date.UTC(2026, 0, 15, 12);

const cef = (id: string, name: string, extra = ''): string =>
  `CEF:0|Acme|Sensor|1.0|100|${name}|7|rt=${RT} src=10.0.0.1 externalId=${id}${extra}`;

const canonical = (id: string, overrides: Record<string, unknown> = {}) => ({
  tenantId: 'ignored',
  alertId: id,
  sourceSystem: 'edr',
  observedAt: RT,
  ingestedAt: RT,
  product: null,
  vendor: null,
  ruleId: null,
  ruleName: null,
  title: 'hostile canonical alert',
  description: null,
  severity: 50,
  severityLabel: 'medium',
  confidence: null,
  category: null,
  tactics: [],
  techniques: [],
  entities: [],
  threatIntel: [],
  format: 'canonical',
  original: '{}',
  ...overrides,
});

/** A Splunk notable whose title names one field many times: the substitution bomb. */
const splunkBomb = (id: string, repeats: number, valueBytes: number) => ({
  _time: TIME,
  event_id: id,
  search_name: 'Hostile - Substitution - Rule',
  rule_title: '$dest$'.repeat(repeats),
  dest: 'h'.repeat(valueBytes),
});

/** Microsoft's documented Graph alert with its description padded to `bytes`. */
function graphAlert(id: string, bytes: number): Record<string, unknown> {
  const example = JSON.parse(
    readFileSync(join(FIXTURES, 'ms-graph', 'get-alert-docs-example.json'), 'utf8'),
  ) as Record<string, unknown>;
  const base = JSON.stringify({ ...example, id, providerAlertId: id, description: '' }).length;
  return {
    ...example,
    id,
    providerAlertId: id,
    description: 'd'.repeat(Math.max(0, bytes - base)),
  };
}

const entities = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    type: 'ip',
    value: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    role: 'source',
    hashAlgorithm: null,
  }));

/** Builds the corpus; `nonce` makes this run's ids its own (the topics are shared). */
export function buildCorpus(nonce: string): HostileCase[] {
  const id = (name: string) => `${nonce}-${name}`;
  const alert = (name: string, truncated: readonly string[] = []): Outcome => ({
    kind: 'alert',
    alertId: id(name),
    truncated,
  });
  const http = (body: Buffer, contentType = 'application/json') =>
    ({ door: 'http', contentType, body }) as const;
  const lie = cef(id('hidden'), 'hidden inside an oversized frame');
  return [
    // --- HTTP ---
    {
      name: 'splunk substitution bomb (2,946 bytes to 603 KB)',
      ...http(json(splunkBomb(id('bomb'), 300, 2_000))),
      expect: alert('bomb', ['title']),
    },
    {
      name: 'splunk 115 KB record with 35,000 tokens',
      ...http(
        json({
          _time: TIME,
          event_id: id('bomb-115k'),
          search_name: 'Hostile - 115k',
          rule_title: '$v$'.repeat(35_000),
          v: 'x'.repeat(10_000),
        }),
      ),
      expect: alert('bomb-115k', ['title']),
    },
    {
      name: 'NUL in a CEF name and user',
      ...http(Buffer.from(cef(id('nul'), 'evil\u0000name', ' suser=evil\u0000user')), 'text/plain'),
      expect: alert('nul'),
    },
    {
      name: 'lone surrogates in a canonical title',
      ...http(
        Buffer.from(JSON.stringify(canonical(id('surrogate'), { title: 'x\ud800y\udfffz' }))),
      ),
      expect: alert('surrogate'),
    },
    {
      name: 'oversized alert id (10 KB)',
      ...http(json(canonical(`${id('long-id')}${'i'.repeat(10_000)}`))),
      expect: { kind: 'alert', alertId: '', truncated: ['alertId'] },
    },
    {
      name: '500-entity canonical alert',
      ...http(json(canonical(id('entities'), { entities: entities(500) }))),
      expect: alert('entities', ['entities']),
    },
    {
      name: 'entity values of 100 KB',
      ...http(
        json(
          canonical(id('entity-value'), {
            entities: [
              {
                type: 'url',
                value: `http://x/${'a'.repeat(100_000)}`,
                role: null,
                hashAlgorithm: null,
              },
            ],
          }),
        ),
      ),
      expect: alert('entity-value', ['entities[].value']),
    },
    {
      name: '964 KB Graph alert',
      ...http(json(graphAlert(id('graph'), 964_000))),
      expect: alert('graph', ['description', 'original']),
    },
    {
      name: 'record over 1 MiB in a body under the body limit',
      ...http(json(canonical(id('huge'), { description: 'd'.repeat(1_100_000) }))),
      expect: { kind: 'refused', status: 400, reason: /larger than 1048576 bytes/ },
    },
    {
      name: '10 MB body',
      ...http(Buffer.alloc(10 * 1024 * 1024, 0x61), 'text/plain'),
      expect: { kind: 'refused', status: 413, reason: /exceeds the limit/ },
    },
    {
      name: 'JSON nested 10,000 deep',
      ...http(Buffer.from(`${'['.repeat(10_000)}${']'.repeat(10_000)}`)),
      expect: { kind: 'refused', status: 400, reason: /./ },
    },
    // --- syslog ---
    {
      name: '65 KB datagram of CR',
      door: 'syslog-udp',
      datagram: Buffer.alloc(65_000, 0x0d),
      expect: { kind: 'nothing' },
    },
    {
      name: 'line that is no alert format, over UDP',
      door: 'syslog-udp',
      datagram: Buffer.from(`garbage ${id('garbage')}`),
      expect: { kind: 'dead-letter', marker: id('garbage'), reason: /unrecognized format/ },
    },
    {
      name: 'octet-count lie: 70,000-byte frame hiding a CEF line',
      door: 'syslog-tcp',
      stream: Buffer.from(`70000 ${`${lie}\n`.padEnd(70_000, 'p')}`),
      expect: { kind: 'dead-letter', marker: id('hidden'), reason: /frame over the limit/ },
    },
    {
      name: 'NUL in a CEF line over TCP',
      door: 'syslog-tcp',
      stream: Buffer.from(`${cef(id('tcp-nul'), 'a\u0000b')}\n`),
      expect: alert('tcp-nul'),
    },
    {
      name: 'CR and NUL flood after a CEF line over TCP',
      door: 'syslog-tcp',
      stream: Buffer.from(`${cef(id('tcp-cr'), 'cr flood')}${'\r\u0000'.repeat(30_000)}\n`),
      expect: alert('tcp-cr'),
    },
    // --- raw topics ---
    {
      name: 'splunk bomb on the raw topic',
      door: 'raw',
      format: 'splunk',
      value: json(splunkBomb(id('raw-bomb'), 300, 2_000)),
      expect: alert('raw-bomb', ['title']),
    },
    {
      name: '964 KB Graph alert on the raw topic',
      door: 'raw',
      format: 'ms-graph',
      value: json(graphAlert(id('raw-graph'), 964_000)),
      expect: alert('raw-graph', ['description', 'original']),
    },
    {
      name: 'invalid UTF-8 on the raw topic',
      door: 'raw',
      format: 'cef',
      value: Buffer.concat([
        Buffer.from(`CEF:0|x|${id('raw-utf8')}|`),
        Buffer.from([0xff, 0xfe, 0xc0]),
      ]),
      expect: { kind: 'dead-letter', marker: id('raw-utf8'), reason: /not valid UTF-8/ },
    },
    {
      name: 'near-limit invalid record on the raw topic: its dead letter must fit too',
      door: 'raw',
      format: 'ms-graph',
      value: Buffer.from(`{"id": "${id('raw-near-limit')}", ${'x'.repeat(1_048_000)}`),
      expect: {
        kind: 'dead-letter',
        marker: id('raw-near-limit'),
        reason: /invalid JSON/,
      },
    },
    {
      name: 'NUL in a raw CEF line',
      door: 'raw',
      format: 'cef',
      value: Buffer.from(cef(id('raw-nul'), 'x\u0000y')),
      expect: alert('raw-nul'),
    },
  ];
}
