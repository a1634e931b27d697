import type { AlertFormat } from '@soc/contracts';
import { readRawRecord, type RawTenantSource } from './raw-record';

const message = (value: Buffer | string | null, key: string | null = 'acme', headers = {}) => ({
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(value),
  headers,
});

const TRUSTED: RawTenantSource = { mapped: undefined, trusted: true };
const rules = (format: AlertFormat, tenant: RawTenantSource = TRUSTED) => ({
  format,
  maxBytes: 1024,
  tenant,
});

describe('readRawRecord', () => {
  it('takes the tenant from the header before the key on a topic of trusted producers', () => {
    const outcome = readRawRecord(
      message('{"a":1}', 'acme', { 'x-tenant-id': Buffer.from('globex') }),
      rules('suricata'),
    );
    expect(outcome).toEqual({ ok: true, tenantId: 'globex', record: { a: 1 } });
  });

  it("takes a mapped topic's tenant, whatever the producer's header or key say", () => {
    const outcome = readRawRecord(
      message('{"a":1}', 'acme', { 'x-tenant-id': Buffer.from('globex') }),
      rules('suricata', { mapped: 'initech', trusted: false }),
    );
    expect(outcome).toEqual({ ok: true, tenantId: 'initech', record: { a: 1 } });
  });

  it('dead-letters a record of an unmapped topic of untrusted producers, saying so', () => {
    const outcome = readRawRecord(
      message('{"a":1}', 'acme', { 'x-tenant-id': Buffer.from('globex') }),
      rules('suricata', { mapped: undefined, trusted: false }),
    );
    expect(outcome).toEqual({
      ok: false,
      field: 'tenant',
      reason:
        'no tenant: the topic is not in INGEST_RAW_TENANT_BY_TOPIC and its producers are not trusted (INGEST_RAW_TRUSTED_TOPICS)',
    });
  });

  it('keeps CEF and LEEF records as text', () => {
    expect(readRawRecord(message('CEF:0|a|b|c|d|e|5|'), rules('cef'))).toEqual({
      ok: true,
      tenantId: 'acme',
      record: 'CEF:0|a|b|c|d|e|5|',
    });
  });

  it('accepts a record that contains U+FFFD as a character', () => {
    const outcome = readRawRecord(message('{"note":"caf\uFFFD"}'), rules('ms-graph'));
    expect(outcome).toEqual({ ok: true, tenantId: 'acme', record: { note: 'caf\uFFFD' } });
  });

  it.each([
    ['no tenant', message('{}', null), 'tenant'],
    ['an empty value', message(null), 'value'],
    ['an oversized record', message('x'.repeat(2048)), 'value'],
    ['garbage bytes', message(Buffer.from([0xff, 0xfe, 0x00, 0x81])), 'value'],
    ['truncated JSON', message('{"event_type":"alert","src_ip":'), 'value'],
  ])('rejects %s with the field that failed', (_name, raw, field) => {
    const outcome = readRawRecord(raw, rules('suricata'));
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.field).toBe(field);
  });
});
