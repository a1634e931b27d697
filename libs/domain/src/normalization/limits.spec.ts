import type { CanonicalAlert } from '@soc/contracts';
import { anAlert } from '../../test/correlation/spec-support';
import { ALERT_LIMITS, storableText, utf8Head, utf8Length } from './limits';
import { normalizeOk, normalizeRejected } from '../../test/normalization/expect-result';

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');
const encodedJson = (alert: CanonicalAlert): number => utf8(JSON.stringify(alert));

const canonical = (overrides: Record<string, unknown>): Record<string, unknown> => ({
  ...anAlert({ alertId: 'a-1', entities: [], original: '{}' }),
  ...overrides,
});

describe('alert size limits', () => {
  it('stops a Splunk $field$ substitution bomb at the title cap and records the cut', () => {
    // 2,946 bytes of notable whose title names one field 300 times: 603 KB of title before.
    const notable = {
      _time: '2024-06-05T09:15:24Z',
      rule_title: '$dest$'.repeat(300),
      dest: 'h'.repeat(2_000),
    };
    const alert = normalizeOk(notable, 'splunk');
    expect(utf8(alert.title)).toBe(ALERT_LIMITS.titleBytes);
    expect(alert.truncated).toEqual(['title']);
  });

  it('keeps a 115 KB record with a 50,000-token title within the caps and a bounded time', () => {
    const notable = {
      _time: '2024-06-05T09:15:24Z',
      rule_title: '$v$'.repeat(35_000),
      v: 'x'.repeat(10_000),
    };
    const started = process.hrtime.bigint();
    const alert = normalizeOk(notable, 'splunk');
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(utf8(alert.title)).toBe(ALERT_LIMITS.titleBytes);
    expect(encodedJson(alert)).toBeLessThan(ALERT_LIMITS.originalBytes * 2);
    expect(elapsedMs).toBeLessThan(1_000);
  });

  it('caps the entity list of a 500-entity canonical alert and says so', () => {
    const entities = Array.from({ length: 500 }, (_, i) => ({
      type: 'ip',
      value: `10.0.${Math.floor(i / 256)}.${i % 256}`,
      role: 'source',
      hashAlgorithm: null,
    }));
    const alert = normalizeOk(canonical({ entities }), 'canonical');
    expect(alert.entities).toHaveLength(ALERT_LIMITS.entities);
    expect(alert.entities[0]?.value).toBe('10.0.0.0');
    expect(alert.truncated).toEqual(['entities']);
  });

  it('caps every string of the canonical format in UTF-8 bytes, not characters', () => {
    const alert = normalizeOk(
      canonical({
        title: '€'.repeat(5_000),
        description: 'd'.repeat(100_000),
        techniques: Array.from({ length: 100 }, (_, i) => `T${1000 + i}`),
        entities: [
          { type: 'url', value: `http://x/${'a'.repeat(5_000)}`, role: null, hashAlgorithm: null },
        ],
        original: '😀'.repeat(100_000),
      }),
      'canonical',
    );
    expect(utf8(alert.title)).toBeLessThanOrEqual(ALERT_LIMITS.titleBytes);
    expect(alert.title).toBe('€'.repeat(Math.floor(ALERT_LIMITS.titleBytes / 3)));
    expect(utf8(alert.description ?? '')).toBe(ALERT_LIMITS.descriptionBytes);
    expect(alert.techniques).toHaveLength(ALERT_LIMITS.attackRefs);
    expect(utf8(alert.entities[0]?.value ?? '')).toBe(ALERT_LIMITS.entityValueBytes);
    expect(alert.original).toBe('😀'.repeat(ALERT_LIMITS.originalBytes / 4));
    expect(alert.truncated).toEqual([
      'title',
      'description',
      'techniques',
      'entities[].value',
      'original',
    ]);
  });

  it('keeps two oversized alert ids apart: a head and a hash of the whole id', () => {
    const first = normalizeOk(canonical({ alertId: `${'i'.repeat(10_000)}1` }), 'canonical');
    const second = normalizeOk(canonical({ alertId: `${'i'.repeat(10_000)}2` }), 'canonical');
    expect(utf8(first.alertId)).toBeLessThanOrEqual(ALERT_LIMITS.idBytes);
    expect(first.alertId).not.toBe(second.alertId);
    expect(first.alertId).toMatch(/^i+…fnv1a64:[0-9a-f]{16}$/);
    expect(first.truncated).toEqual(['alertId']);
  });

  it('records no cut on an alert within every cap', () => {
    expect(normalizeOk(canonical({}), 'canonical').truncated).toEqual([]);
  });

  it('refuses a record over the byte limit even when its character count is under it', () => {
    const record = `CEF:0|v|p|1|sig|${'€'.repeat(400_000)}|5|`;
    expect(record.length).toBeLessThan(ALERT_LIMITS.recordBytes);
    expect(normalizeRejected(record)).toEqual({
      format: 'unknown',
      field: '(record)',
      reason: `larger than ${ALERT_LIMITS.recordBytes} bytes`,
    });
    expect(normalizeRejected(Buffer.from(record)).reason).toContain('larger than');
  });
});

describe('text PostgreSQL can store', () => {
  it('replaces NUL in a CEF line with U+FFFD in every field it reaches', () => {
    const alert = normalizeOk(
      'CEF:0|Vendor|Product|1.0|100|evil\u0000name|5|rt=1718000000000 suser=evil\u0000user',
    );
    expect(alert.title).toBe('evil\ufffdname');
    expect(alert.original).not.toContain('\u0000');
    expect(JSON.stringify(alert)).not.toContain('\\u0000');
  });

  it('replaces lone surrogates and keeps pairs', () => {
    expect(storableText('a\ud800b\udc00c😀')).toBe('a\ufffdb\ufffdc😀');
    expect(storableText('end\ud83d')).toBe('end\ufffd');
    const alert = normalizeOk(canonical({ title: 'x\udfffy' }), 'canonical');
    expect(alert.title).toBe('x\ufffdy');
  });

  it('cuts at a character boundary and measures UTF-8 like the encoder', () => {
    expect(utf8Head('ab😀', 5)).toBe('ab');
    expect(utf8Head('ab😀', 6)).toBe('ab😀');
    for (const text of ['', 'plain', 'é€😀', 'x\ud800y']) expect(utf8Length(text)).toBe(utf8(text));
  });
});
