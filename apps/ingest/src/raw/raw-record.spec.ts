import { readRawRecord } from './raw-record';

const message = (value: Buffer | string | null, key: string | null = 'acme', headers = {}) => ({
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(value),
  headers,
});

describe('readRawRecord', () => {
  it('takes the tenant from the header before the key', () => {
    const outcome = readRawRecord(
      message('{"a":1}', 'acme', { 'x-tenant-id': Buffer.from('globex') }),
      'suricata',
      1024,
    );
    expect(outcome).toEqual({ ok: true, tenantId: 'globex', record: { a: 1 } });
  });

  it('keeps CEF and LEEF records as text', () => {
    expect(readRawRecord(message('CEF:0|a|b|c|d|e|5|'), 'cef', 1024)).toEqual({
      ok: true,
      tenantId: 'acme',
      record: 'CEF:0|a|b|c|d|e|5|',
    });
  });

  it('accepts a record that contains U+FFFD as a character', () => {
    const outcome = readRawRecord(message('{"note":"caf\uFFFD"}'), 'ms-graph', 1024);
    expect(outcome).toEqual({ ok: true, tenantId: 'acme', record: { note: 'caf\uFFFD' } });
  });

  it.each([
    ['no tenant', message('{}', null), 'tenant'],
    ['an empty value', message(null), 'value'],
    ['an oversized record', message('x'.repeat(2048)), 'value'],
    ['garbage bytes', message(Buffer.from([0xff, 0xfe, 0x00, 0x81])), 'value'],
    ['truncated JSON', message('{"event_type":"alert","src_ip":'), 'value'],
  ])('rejects %s with the field that failed', (_name, raw, field) => {
    const outcome = readRawRecord(raw, 'suricata', 1024);
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.field).toBe(field);
  });
});
