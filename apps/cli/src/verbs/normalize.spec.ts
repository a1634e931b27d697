import type { CanonicalAlert } from '@soc/contracts';
import { fakeIo } from '../../test/fake-io';
import { normalizeVerb } from './normalize';

const INGESTED = ['--ingested-at', '2026-01-01T00:00:00Z'];
const SURICATA =
  '{"timestamp":"2017-04-07T22:24:37.251547+0100","flow_id":586497171462735,"event_type":"alert","src_ip":"192.168.2.14","src_port":50096,"dest_ip":"209.53.113.5","dest_port":80,"proto":"TCP","alert":{"action":"allowed","gid":1,"signature_id":2018358,"rev":10,"signature":"ET HUNTING GENERIC SUSPICIOUS POST to Dotted Quad with Fake Browser 1","category":"Potentially Bad Traffic","severity":2}}';
const CEF =
  'Sep 19 08:26:10 host CEF:0|security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232';
const LEEF_WITH_UNREADABLE_TIME =
  'LEEF:2.0|Lancope|StealthWatch|1.0|41|^|devTime=soon^src=10.0.1.8^dst=10.0.0.5^sev=5';

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
    const io = fakeIo([SURICATA, LEEF_WITH_UNREADABLE_TIME, 'not a record']);
    expect(await normalizeVerb(INGESTED, io)).toBe(1);
    expect(io.outs).toHaveLength(1);
    expect(io.errs).toEqual([
      {
        line: 2,
        format: 'leef',
        field: 'devTime',
        reason: "unreadable time 'soon'",
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
        reason: 'an unterminated JSON document',
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

  it('exits 2 on an unknown flag instead of running without it', async () => {
    const io = fakeIo([SURICATA]);
    expect(await normalizeVerb(['--fromat', 'cef'], io)).toBe(2);
    expect(io.outs).toEqual([]);
    expect(io.errs).toEqual([
      expect.objectContaining({ error: expect.stringContaining('unknown flag --fromat') }),
    ]);
  });

  it('reads a pretty-printed JSON object, as vendors document alerts', async () => {
    const pretty = JSON.stringify(JSON.parse(SURICATA), null, 2).split('\n');
    const io = fakeIo(['', ...pretty]);
    expect(await normalizeVerb(INGESTED, io)).toBe(0);
    expect((io.outs as CanonicalAlert[]).map((a) => a.format)).toEqual(['suricata']);
  });

  it('reads several pretty-printed documents one after another, naming the line each starts on', async () => {
    const pretty = JSON.stringify(JSON.parse(SURICATA), null, 2).split('\n');
    const io = fakeIo([...pretty, '{', '  "hello": "world"', '}']);
    expect(await normalizeVerb(INGESTED, io)).toBe(1);
    expect(io.outs).toHaveLength(1);
    expect(io.errs).toEqual([
      expect.objectContaining({ line: pretty.length + 1, format: 'unknown' }),
    ]);
  });

  it('unwraps a Graph list envelope and names the index of a rejected element', async () => {
    const envelope = {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2',
      value: [JSON.parse(SURICATA), { hello: 'world' }],
    };
    const io = fakeIo(JSON.stringify(envelope, null, 2).split('\n'));
    expect(await normalizeVerb(INGESTED, io)).toBe(1);
    expect((io.outs as CanonicalAlert[]).map((a) => a.format)).toEqual(['suricata']);
    expect(io.errs).toEqual([expect.objectContaining({ line: 1, index: 1 })]);
  });

  it('keeps JSON lines in line mode when the first line is a whole object', async () => {
    const io = fakeIo([SURICATA, SURICATA.replace('586497171462735', '1')]);
    expect(await normalizeVerb(INGESTED, io)).toBe(0);
    expect(io.outs).toHaveLength(2);
  });
});
