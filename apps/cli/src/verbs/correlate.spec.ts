import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncidentEvent } from '@soc/contracts';
import { generateLabeledAlerts, labeledAlertRecord } from '@soc/domain';
import { fakeIo } from '../../test/fake-io';
import { correlateVerb } from './correlate';

const traffic = generateLabeledAlerts({
  seed: 'cli',
  tenants: 2,
  alertCount: 400,
  durationMs: 2 * 3_600_000,
});
const alertLines = traffic.map((labeled) => JSON.stringify(labeled.alert));
const SURICATA =
  '{"timestamp":"2017-04-07T22:24:37.251547+0100","flow_id":586497171462735,"event_type":"alert","src_ip":"192.168.2.14","src_port":50096,"dest_ip":"209.53.113.5","dest_port":80,"proto":"TCP","alert":{"action":"allowed","gid":1,"signature_id":2018358,"rev":10,"signature":"ET HUNTING GENERIC SUSPICIOUS POST to Dotted Quad with Fake Browser 1","category":"Potentially Bad Traffic","severity":2}}';

const configFile = (config: unknown): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'soc-correlate-')), 'config.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
};

describe('soc correlate', () => {
  it('writes the incident events of canonical alerts as JSON lines and exits 0', async () => {
    const io = fakeIo(alertLines);
    expect(await correlateVerb([], io)).toBe(0);
    const events = io.outs as IncidentEvent[];
    expect(events.length).toBeGreaterThan(traffic.length / 2);
    const types = new Set(events.map((e) => e.type));
    for (const type of [
      'IncidentOpened',
      'IncidentScored',
      'AlertAttached',
      'IncidentClosed',
    ] as const)
      expect(types).toContain(type);
    expect(events.filter((e) => e.type === 'IncidentOpened').length).toBeGreaterThan(10);
    expect(new Set(events.map((e) => e.tenantId))).toEqual(
      new Set(traffic.map((l) => l.alert.tenantId)),
    );
    expect(io.errs).toEqual([]);
  });

  it('gives the same output for the same input on every run', async () => {
    const first = fakeIo(alertLines);
    const second = fakeIo(alertLines);
    await correlateVerb([], first);
    await correlateVerb([], second);
    expect(JSON.stringify(second.outs)).toBe(JSON.stringify(first.outs));
  });

  it('accepts labeled lines, ignoring the label', async () => {
    const labeled = fakeIo(traffic.map((l) => JSON.stringify(labeledAlertRecord(l))));
    const plain = fakeIo(alertLines);
    await correlateVerb([], labeled);
    await correlateVerb([], plain);
    expect(labeled.outs).toEqual(plain.outs);
  });

  it('normalizes a line that is not canonical, for the --tenant given, and reports lines nothing accepts', async () => {
    const io = fakeIo([SURICATA, '', 'not a record']);
    expect(await correlateVerb(['--tenant', 'acme'], io)).toBe(1);
    const events = io.outs as IncidentEvent[];
    expect(events[0]).toMatchObject({ type: 'IncidentOpened', tenantId: 'acme' });
    expect(io.errs).toEqual([expect.objectContaining({ line: 3, reason: expect.any(String) })]);
  });

  it('applies a config file: a suppression turns alerts into AlertSuppressed', async () => {
    const first = traffic[0]?.alert;
    const path = configFile({
      defaults: { suppressions: [{ id: 'S-1', reason: 'test', ruleIds: [first?.ruleId] }] },
    });
    const io = fakeIo(alertLines);
    expect(await correlateVerb(['--config', path], io)).toBe(0);
    const suppressed = (io.outs as IncidentEvent[]).filter((e) => e.type === 'AlertSuppressed');
    expect(suppressed.length).toBeGreaterThan(0);
  });

  it('refuses an invalid config with the offending field paths and exits 2', async () => {
    const io = fakeIo(alertLines);
    expect(await correlateVerb(['--config', configFile({ defaults: { windowMs: -5 } })], io)).toBe(
      2,
    );
    expect(io.outs).toEqual([]);
    expect(io.errs).toEqual([
      expect.objectContaining({ errors: [expect.objectContaining({ path: 'defaults.windowMs' })] }),
    ]);
  });

  describe('--intel-feed', () => {
    const FIXTURES = join(
      __dirname,
      '..',
      '..',
      '..',
      '..',
      'libs',
      'domain',
      'src',
      'intel',
      'fixtures',
    );
    const feodo = `feodo=${join(FIXTURES, 'plain', 'feodo-ipblocklist.csv')}#dst_ip,malware`;
    const drop = join(FIXTURES, 'plain', 'spamhaus-drop.txt');
    const stix = join(FIXTURES, 'stix', 'indicators-bundle.json');
    const alertTo = (ip: string, alertId: string) => {
      const base = traffic[0]?.alert as (typeof traffic)[number]['alert'];
      return JSON.stringify({
        ...base,
        tenantId: 'intel-cli',
        alertId,
        entities: [{ type: 'ip', value: ip, role: 'destination', hashAlgorithm: null }],
        threatIntel: [],
      });
    };
    const threatFactors = (events: IncidentEvent[]) =>
      events.flatMap((e) =>
        e.type === 'IncidentScored'
          ? e.data.explanation.factors
              .filter((f) => f.name === 'threat_intel')
              .map((f) => [f.raw, f.reason])
          : [],
      );

    it('matches indicators offline from local feeds and scores them, each --intel-feed adding a feed', async () => {
      const lines = [alertTo('154.12.233.66', 'a-feodo')];
      const without = fakeIo(lines);
      expect(await correlateVerb([], without)).toBe(0);
      // No verdict is no evidence: the factor is left out (raw 0, weight 0), not a made-up 50.
      expect(threatFactors(without.outs as IncidentEvent[])[0]).toEqual([
        0,
        'no threat-intel verdict: not counted',
      ]);

      const withFeeds = fakeIo(lines);
      expect(
        await correlateVerb(
          ['--intel-feed', feodo, '--intel-feed', drop, `--intel-feed=${stix}`],
          withFeeds,
        ),
      ).toBe(0);
      expect(threatFactors(withFeeds.outs as IncidentEvent[])[0]).toEqual([
        97.5,
        'malicious verdict (score 90)',
      ]);
      expect(withFeeds.errs).toEqual([
        { feed: 'feodo', entries: 4, skipped: 0 },
        { feed: 'spamhaus-drop', entries: 5, skipped: 0 },
        { feed: 'indicators-bundle', entries: 7, skipped: 3 },
      ]);
      const opened = (withFeeds.outs as IncidentEvent[]).find((e) => e.type === 'IncidentOpened');
      expect(opened?.type === 'IncidentOpened' && opened.data.firstAlert.threatIntel).toEqual([
        {
          indicator: '154.12.233.66',
          indicatorType: 'ip',
          source: 'feed:feodo',
          verdict: 'malicious',
          score: 90,
        },
      ]);
    });

    it('matches an address inside a Spamhaus DROP range', async () => {
      const io = fakeIo([alertTo('1.10.20.30', 'a-drop')]);
      expect(await correlateVerb(['--intel-feed', drop], io)).toBe(0);
      expect(threatFactors(io.outs as IncidentEvent[])[0]?.[0]).toBe(97.5);
    });

    it('gives the same output for the same alerts and feeds on every run', async () => {
      const lines = [alertTo('154.12.233.66', 'a-1'), alertTo('8.8.8.8', 'a-2')];
      const first = fakeIo(lines);
      const second = fakeIo(lines);
      await correlateVerb(['--intel-feed', feodo], first);
      await correlateVerb(['--intel-feed', feodo], second);
      expect(JSON.stringify(second.outs)).toBe(JSON.stringify(first.outs));
    });

    it('refuses a feed it cannot read, and unknown flags, with exit 2', async () => {
      const missing = fakeIo([]);
      expect(await correlateVerb(['--intel-feed', '/nonexistent/feed.txt'], missing)).toBe(2);
      expect(missing.errs).toEqual([
        expect.objectContaining({
          error: expect.stringContaining('feed feed (/nonexistent/feed.txt)'),
        }),
      ]);
      const unknown = fakeIo([]);
      expect(await correlateVerb(['--intel-feeds', drop], unknown)).toBe(2);
      expect(unknown.errs).toEqual([
        expect.objectContaining({ error: expect.stringMatching(/^unknown flag --intel-feeds/) }),
      ]);
    });
  });

  it('refuses stray arguments', async () => {
    expect(await correlateVerb(['alerts.jsonl'], fakeIo([]))).toBe(2);
  });
});
