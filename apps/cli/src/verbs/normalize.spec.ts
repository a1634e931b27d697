import type { CanonicalAlert } from '@soc/contracts';
import { fakeIo } from '../../test/fake-io';
import { normalizeVerb } from './normalize';

const INGESTED = ['--ingested-at', '2026-01-01T00:00:00Z'];
const SURICATA =
  '{"timestamp":"2017-04-07T22:24:37.251547+0100","flow_id":586497171462735,"event_type":"alert","src_ip":"192.168.2.14","src_port":50096,"dest_ip":"209.53.113.5","dest_port":80,"proto":"TCP","alert":{"action":"allowed","gid":1,"signature_id":2018358,"rev":10,"signature":"ET HUNTING GENERIC SUSPICIOUS POST to Dotted Quad with Fake Browser 1","category":"Potentially Bad Traffic","severity":2}}';
const CEF =
  'Sep 19 08:26:10 host CEF:0|security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232';
const LEEF_WITHOUT_TIME =
  'LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5^srcPort=81^dstPort=21';

describe('soc normalize', () => {
  it('writes one canonical alert per line, detecting each format, and exits 0', async () => {
    const io = fakeIo([SURICATA, '', CEF]);
    expect(await normalizeVerb(['--tenant', 'acme', ...INGESTED], io)).toBe(0);
    const alerts = io.outs as CanonicalAlert[];
    expect(alerts.map((a) => [a.format, a.tenantId, a.ingestedAt])).toEqual([
      ['suricata', 'acme', Date.UTC(2026, 0, 1)],
      ['cef', 'acme', Date.UTC(2026, 0, 1)],
    ]);
    expect(io.errs).toEqual([]);
  });

  it('reports rejections on stderr with their line number and exits 1, still writing the rest', async () => {
    const io = fakeIo([SURICATA, LEEF_WITHOUT_TIME, 'not a record']);
    expect(await normalizeVerb(INGESTED, io)).toBe(1);
    expect(io.outs).toHaveLength(1);
    expect(io.errs).toEqual([
      {
        line: 2,
        format: 'leef',
        field: 'devTime',
        reason: 'missing: no devTime and no syslog header time',
      },
      {
        line: 3,
        format: 'unknown',
        field: '(record)',
        reason: 'unrecognized format: not JSON, no CEF: or LEEF: header',
      },
    ]);
  });

  it('reads a whole JSON array when the input starts with [', async () => {
    const io = fakeIo(['', '[', `  ${SURICATA},`, '  {"hello": "world"}', ']']);
    expect(await normalizeVerb(INGESTED, io)).toBe(1);
    expect((io.outs as CanonicalAlert[]).map((a) => a.format)).toEqual(['suricata']);
    expect(io.errs).toEqual([
      {
        line: 2,
        index: 1,
        format: 'unknown',
        field: '(record)',
        reason: expect.stringContaining('unrecognized format'),
      },
    ]);
  });

  it('reports an array that is not valid JSON as one rejection of the input', async () => {
    const io = fakeIo(['[{"a": 1},', '']);
    expect(await normalizeVerb(INGESTED, io)).toBe(1);
    expect(io.errs).toEqual([
      {
        line: 1,
        format: 'unknown',
        field: '(input)',
        reason: expect.stringContaining('invalid JSON array'),
      },
    ]);
  });

  it('passes --format and --source to the normalizer', async () => {
    const io = fakeIo([SURICATA, CEF]);
    expect(
      await normalizeVerb(['--format', 'suricata', '--source', 'ids-eu-1', ...INGESTED], io),
    ).toBe(1);
    expect((io.outs as CanonicalAlert[])[0]?.sourceSystem).toBe('ids-eu-1');
    expect(io.errs).toEqual([
      {
        line: 2,
        format: 'suricata',
        field: '(record)',
        reason: 'a suricata record is a JSON object, this line is not JSON',
      },
    ]);
  });

  it('gives the same output for the same input and --ingested-at', async () => {
    const first = fakeIo([SURICATA, CEF]);
    const second = fakeIo([SURICATA, CEF]);
    await normalizeVerb(['--ingested-at', '1767225600000'], first);
    await normalizeVerb(INGESTED, second);
    expect(first.outs).toEqual(second.outs);
  });

  it('exits 2 on an unknown format, a bad --ingested-at or a stray argument', async () => {
    expect(await normalizeVerb(['--format', 'syslog'], fakeIo([]))).toBe(2);
    expect(await normalizeVerb(['--ingested-at', 'yesterday'], fakeIo([]))).toBe(2);
    expect(await normalizeVerb(['alerts.jsonl'], fakeIo([]))).toBe(2);
  });
});
