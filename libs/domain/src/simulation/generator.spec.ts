import { attackStageOf } from '../scoring';
import {
  generateLabeledAlerts,
  generateTraffic,
  labeledAlertRecord,
  type LabeledAlert,
} from './generator';
import { mulberry32 } from './prng';

const HOUR = 3_600_000;
const params = { seed: 42, tenants: 3, alertCount: 3_000, durationMs: 8 * HOUR };

const byGroup = (alerts: readonly LabeledAlert[], kind: string): Map<string, LabeledAlert[]> => {
  const groups = new Map<string, LabeledAlert[]>();
  for (const labeled of alerts) {
    const group = labeled.label.group;
    if (group === null || group.split(':')[1] !== kind) continue;
    groups.set(group, [...(groups.get(group) ?? []), labeled]);
  }
  return groups;
};

describe('mulberry32', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const draw = (seed: number | string) => Array.from({ length: 5 }, mulberry32(seed).next);
    expect(draw(1)).toEqual(draw(1));
    expect(draw('a')).toEqual(draw('a'));
    expect(draw(1)).not.toEqual(draw(2));
    for (const value of draw(3)) expect(value >= 0 && value < 1).toBe(true);
  });
});

describe('generateTraffic', () => {
  const alerts = generateLabeledAlerts(params);

  it('is reproducible: the same parameters give the same alerts, another seed others', () => {
    expect(generateLabeledAlerts(params)).toEqual(alerts);
    expect(generateLabeledAlerts({ ...params, seed: 43 })).not.toEqual(alerts);
  });

  it('never draws from Math.random', () => {
    const random = jest.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('Math.random used');
    });
    try {
      expect(generateLabeledAlerts({ ...params, alertCount: 200 })).toHaveLength(200);
    } finally {
      random.mockRestore();
    }
  });

  it('yields the requested number of alerts in arrival order, each arriving after it fired', () => {
    expect(alerts).toHaveLength(params.alertCount);
    for (let i = 1; i < alerts.length; i += 1) {
      expect((alerts[i] as LabeledAlert).alert.ingestedAt).toBeGreaterThanOrEqual(
        (alerts[i - 1] as LabeledAlert).alert.ingestedAt,
      );
    }
    for (const { alert } of alerts)
      expect(alert.ingestedAt).toBeGreaterThanOrEqual(alert.observedAt);
    expect(new Set(alerts.map(({ alert }) => `${alert.tenantId}/${alert.alertId}`)).size).toBe(
      alerts.length,
    );
  });

  it('spreads traffic over several tenants and the requested event-time span', () => {
    expect(new Set(alerts.map(({ alert }) => alert.tenantId))).toEqual(
      new Set(['acme', 'globex', 'initech']),
    );
    const times = alerts.map(({ alert }) => alert.observedAt);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(0.7 * params.durationMs);
  });

  it('mixes campaigns, admin bursts, routine jobs and noise, labeled with their verdicts', () => {
    const count = (predicate: (labeled: LabeledAlert) => boolean) =>
      alerts.filter(predicate).length / alerts.length;
    expect(count((l) => l.label.group === null)).toBeGreaterThan(0.4);
    expect(count((l) => l.label.verdict === 'tp')).toBeGreaterThan(0.05);
    expect(count((l) => l.label.group?.includes(':routine:') ?? false)).toBeGreaterThan(0.15);
    for (const l of alerts) {
      if (l.label.group === null) expect(['fp', 'benign']).toContain(l.label.verdict);
      else if (l.label.group.includes(':campaign:')) expect(l.label.verdict).toBe('tp');
      else expect(l.label.verdict).toBe('benign');
    }
  });

  it('walks attack campaigns along the kill chain across hosts and users that their alerts share', () => {
    const campaigns = byGroup(alerts, 'campaign');
    expect(campaigns.size).toBeGreaterThan(10);
    let crossHost = 0;
    let linked = 0;
    let alone = 0;
    for (const members of campaigns.values()) {
      const ordered = [...members].sort((a, b) => a.alert.observedAt - b.alert.observedAt);
      const stages = ordered.map(({ alert }) => attackStageOf(alert.tactics[0] ?? ''));
      expect(stages).toEqual([...stages].sort((a, b) => a - b));
      const hosts = new Set(
        ordered.flatMap(({ alert }) =>
          alert.entities.filter((e) => e.type === 'host').map((e) => e.value),
        ),
      );
      if (hosts.size > 1) crossHost += 1;
      for (const { alert } of ordered) {
        const keys = new Set(
          alert.entities.filter((e) => e.type !== 'process').map((e) => `${e.type}:${e.value}`),
        );
        const shares = ordered.some(
          (other) =>
            other.alert !== alert &&
            other.alert.entities.some((e) => keys.has(`${e.type}:${e.value}`)),
        );
        if (shares) linked += 1;
        else alone += 1;
      }
    }
    expect(crossHost).toBeGreaterThan(2);
    // Almost every alert shares an entity with another alert of its campaign (not all: a
    // password spray names only the targeted account and the source address).
    expect(linked / (linked + alone)).toBeGreaterThan(0.9);
  });

  it('sends noise as real streams do: bursts of one rule on one host, and scans of many hosts', () => {
    const noise = alerts.filter((l) => l.label.group === null).map((l) => l.alert);
    const series = new Map<string, number[]>();
    for (const alert of noise) {
      const subject = alert.entities.map((e) => `${e.type}:${e.value}`).join(',');
      const key = `${alert.tenantId}|${alert.ruleId}|${subject}`;
      series.set(key, [...(series.get(key) ?? []), alert.observedAt]);
    }
    // Most noise alerts repeat the rule on the same entities within minutes.
    const repeated = [...series.values()].filter((times) => times.length > 1);
    const inBursts = repeated.reduce((sum, times) => sum + times.length, 0);
    expect(inBursts / noise.length).toBeGreaterThan(0.6);
    // A scan: one external address reported against several workstations within minutes.
    const scanned = new Map<string, Set<string>>();
    for (const alert of noise.filter((a) => a.ruleId === 'NET-5203')) {
      const source = alert.entities.find((e) => e.type === 'ip' && e.role === 'destination');
      const target = alert.entities.find((e) => e.type === 'host');
      if (source === undefined || target === undefined) continue;
      const key = `${alert.tenantId}|${source.value}`;
      scanned.set(key, (scanned.get(key) ?? new Set()).add(target.value));
    }
    expect(Math.max(...[...scanned.values()].map((hosts) => hosts.size))).toBeGreaterThanOrEqual(4);
  });

  it('gives routine jobs a steady rhythm', () => {
    for (const members of byGroup(alerts, 'routine').values()) {
      if (members.length < 5) continue;
      const times = members.map(({ alert }) => alert.observedAt).sort((a, b) => a - b);
      const gaps = times.slice(1).map((time, i) => time - (times[i] as number));
      const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
      const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
      expect(sd / mean).toBeLessThan(0.05);
    }
  });

  it('streams: the first alerts of a huge request come without generating the rest', () => {
    const iterator = generateTraffic({
      seed: 1,
      tenants: 5,
      alertCount: 1_000_000_000,
      ratePerSecond: 500,
    });
    const first = Array.from({ length: 100 }, () => iterator.next().value as LabeledAlert);
    expect(first.every((l) => l.alert.tenantId.length > 0)).toBe(true);
  });

  it('writes a JSON-lines record as the canonical alert plus its label', () => {
    const record = labeledAlertRecord(alerts[0] as LabeledAlert);
    expect(record).toEqual({
      ...(alerts[0] as LabeledAlert).alert,
      label: (alerts[0] as LabeledAlert).label,
    });
  });
});
