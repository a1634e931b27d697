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

  it('refuses stray arguments', async () => {
    expect(await correlateVerb(['alerts.jsonl'], fakeIo([]))).toBe(2);
  });
});
