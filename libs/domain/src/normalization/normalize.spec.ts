import fc from 'fast-check';
import { ALERT_FORMATS } from '@soc/contracts';
import { detectFormat, MAX_RECORD_BYTES, normalizeRecord } from './normalize';
import {
  context,
  INGESTED_AT,
  normalizeOk,
  normalizeRejected,
} from '../../test/normalization/expect-result';
import type { NormalizeResult } from './types';

const SIMPLE = {
  id: 'a1',
  severity: 'high',
  description: 'x',
  source_ip: '10.0.0.1',
  target_user: 'bob',
  timestamp: '2024-05-01T10:00:00Z',
};

/** A result is well-formed when it is exactly one of the two shapes and never a bug report. */
function assertWellFormed(result: NormalizeResult): void {
  if (result.ok) {
    expect(typeof result.alert.alertId).toBe('string');
    expect(Number.isInteger(result.alert.severity)).toBe(true);
  } else {
    expect(typeof result.rejection.field).toBe('string');
    expect(result.rejection.reason.startsWith('normalizer bug')).toBe(false);
  }
}

/** A record arbitrary from a shape whose leaves are arbitraries or constants. */
function arbitraryOf(shape: unknown): fc.Arbitrary<unknown> {
  if (shape instanceof fc.Arbitrary) return shape as fc.Arbitrary<unknown>;
  if (typeof shape === 'object' && shape !== null) {
    const fields: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [key, value] of Object.entries(shape)) fields[key] = arbitraryOf(value);
    return fc.record(fields);
  }
  return fc.constant(shape);
}

describe('normalizeRecord', () => {
  it('accepts a JSON text line, its bytes and the parsed object alike (original aside)', () => {
    const text = JSON.stringify(SIMPLE);
    const fromText = normalizeOk(text);
    expect(normalizeOk(new TextEncoder().encode(text))).toEqual(fromText);
    expect(normalizeOk(SIMPLE)).toEqual(fromText);
    expect(fromText.original).toBe(text);
  });

  it('keeps the line exactly as received in original', () => {
    const line = '  CEF:0|v|p|1|sig|name|5|src=10.0.0.1 rt=1500000000000  ';
    expect(normalizeOk(line).original).toBe(line);
  });

  it('defaults sourceSystem to the format and takes the caller one when given', () => {
    expect(normalizeOk(SIMPLE).sourceSystem).toBe('simple-json');
    const named = normalizeRecord(SIMPLE, { ...context(), sourceSystem: 'sensor-7' });
    expect(named.ok && named.alert.sourceSystem).toBe('sensor-7');
  });

  it('stamps the caller tenant and arrival time', () => {
    const alert = normalizeOk(SIMPLE);
    expect([alert.tenantId, alert.ingestedAt]).toEqual(['acme', INGESTED_AT]);
  });

  it('rejects an unusable context instead of inventing a tenant or a time', () => {
    expect(normalizeRecord(SIMPLE, { tenantId: ' ', ingestedAt: INGESTED_AT })).toEqual({
      ok: false,
      rejection: {
        format: 'unknown',
        field: 'context.tenantId',
        reason: 'the caller must name the tenant',
      },
    });
    expect(normalizeRecord(SIMPLE, { tenantId: 'acme', ingestedAt: Number.NaN }).ok).toBe(false);
    expect(
      normalizeRecord(SIMPLE, { tenantId: 'acme', ingestedAt: 1, format: 'syslog' as never }).ok,
    ).toBe(false);
  });

  it('rejects what is not a record, naming the whole record', () => {
    expect(normalizeRejected('{"broken": ').field).toBe('(record)');
    expect(normalizeRejected('[1,2]').reason).toBe(
      'unrecognized format: not JSON, no CEF: or LEEF: header',
    );
    expect(normalizeRejected(42)).toEqual({
      format: 'unknown',
      field: '(record)',
      reason: 'expected a text line or a JSON object',
    });
    expect(normalizeRejected({ hello: 'world' }).reason).toContain('unrecognized format');
    expect(normalizeRejected('x'.repeat(MAX_RECORD_BYTES + 1)).reason).toContain('larger than');
  });

  it('refuses a text format given as an object and a JSON format given as a non-JSON line', () => {
    expect(normalizeRejected({ message: 'CEF:0|...' }, 'cef').reason).toBe(
      'cef records are text lines, not JSON objects',
    );
    expect(normalizeRejected('CEF:0|v|p|1|sig|name|5|', 'wazuh').reason).toBe(
      'a wazuh record is a JSON object, this line is not JSON',
    );
  });

  it('never throws and never reports a bug, on any string', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 400 }),
        fc.constantFrom(undefined, ...ALERT_FORMATS),
        (text, format) => {
          assertWellFormed(normalizeRecord(text, context(format)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never throws and never reports a bug, on any JSON value, named format or not', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 4 }),
        fc.constantFrom(undefined, ...ALERT_FORMATS),
        (value, format) => {
          assertWellFormed(normalizeRecord(value, context(format)));
          assertWellFormed(normalizeRecord(JSON.stringify(value) ?? '', context(format)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never throws on CEF and LEEF shaped lines with arbitrary fields', () => {
    const token = fc.string({
      unit: fc.constantFrom('a', '=', '|', '\\', ' ', '\t', 'n', '^', '1', ':', 'x', '5', 'E'),
      maxLength: 40,
    });
    fc.assert(
      fc.property(
        fc.constantFrom(
          'CEF:0|',
          'LEEF:1.0|',
          'LEEF:2.0|',
          'Jan 18 11:07:53 h CEF:0|',
          '<13>1 2019-01-18T11:07:53Z h LEEF:2.0|',
        ),
        fc.array(token, { maxLength: 10 }),
        (head, parts) => {
          assertWellFormed(normalizeRecord(head + parts.join('|'), context()));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('never throws on the known formats with fields of the wrong types', () => {
    const shapes = [
      {
        event_type: 'alert',
        src_ip: fc.anything(),
        alert: fc.anything(),
        timestamp: fc.anything(),
      },
      {
        rule: { level: fc.anything(), mitre: fc.anything() },
        agent: fc.anything(),
        timestamp: fc.anything(),
        data: fc.anything(),
      },
      {
        class_uid: fc.constantFrom(2001, 2004),
        category_uid: 2,
        time: fc.anything(),
        severity_id: fc.anything(),
        finding_info: fc.anything(),
        observables: fc.anything(),
        evidences: fc.anything(),
      },
      {
        'kibana.alert.rule.name': fc.anything(),
        '@timestamp': fc.anything(),
        'kibana.alert.rule.threat': fc.anything(),
        host: fc.anything(),
      },
      { result: fc.anything(), sid: 's', search_name: fc.anything() },
      {
        '@odata.type': '#microsoft.graph.security.alert',
        createdDateTime: fc.anything(),
        evidence: fc.anything(),
        severity: fc.anything(),
      },
      {
        tenantId: fc.anything(),
        alertId: fc.anything(),
        observedAt: fc.anything(),
        format: fc.anything(),
        entities: fc.anything(),
        threatIntel: fc.anything(),
      },
    ];
    for (const shape of shapes) {
      fc.assert(
        fc.property(arbitraryOf(shape), (record) => {
          assertWellFormed(normalizeRecord(record, context()));
        }),
        { numRuns: 300 },
      );
    }
  });
});

describe('detectFormat', () => {
  it('prefers Elastic over Wazuh when an Elastic alert copies Wazuh fields', () => {
    expect(
      detectFormat({ 'kibana.alert.rule.name': 'r', rule: { level: 5 }, agent: { name: 'a' } }),
    ).toBe('elastic');
    expect(detectFormat({ rule: { level: 5 }, agent: { name: 'a' } })).toBe('wazuh');
  });

  it.each([
    ['CEF:0|v|p|1|sig|name|5|src=1.2.3.4', 'cef'],
    ['<13>Jan 18 11:07:53 192.168.1.1 LEEF:1.0|Microsoft|MSExchange|4.0 SP1|15345|', 'leef'],
    ['LEEF:1.0|V|P|1|E|msg=mentions CEF:0 later', 'leef'],
    ['{"event_type":"alert","alert":{}}', 'suricata'],
    ['{"class_uid":2004,"category_uid":2}', 'ocsf'],
    ['{"result":{},"sid":"x"}', 'splunk'],
    ['{"time":1,"event":{}}', 'splunk'],
    ['{"rule_name":"x","_time":"2020-01-01T00:00:00Z"}', 'splunk'],
    ['{"@odata.type":"#microsoft.graph.security.alert"}', 'ms-graph'],
    ['{"id":1,"timestamp":"2020-01-01T00:00:00Z"}', 'simple-json'],
    ['hello world', undefined],
    ['XCEF:0|a', undefined],
  ])('detects %s as %s', (line, format) => {
    expect(detectFormat(line)).toBe(format);
  });
});
