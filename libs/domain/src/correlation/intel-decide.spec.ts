import type { IncidentEvent, IntelVerdictRecorded, IntelVerdictRecordedData } from '@soc/contracts';
import { defaultCorrelationConfig } from './config';
import { deterministicIds } from './ids';
import { createCorrelator } from './runner';
import { MAX_REMEMBERED_VERDICTS } from './state';
import { anAlert, host, ip, MIN, only, T0, typesOf } from '../../test/correlation/spec-support';

const HOUR = 60 * MIN;
let serial = 0;

/** An IntelVerdictRecorded of AbuseIPDB for 203.0.113.7; `fetchedAt` in minutes after T0. */
function aVerdict(
  overrides: Partial<IntelVerdictRecordedData> & { readonly fetchedMin?: number } = {},
): IntelVerdictRecorded {
  serial += 1;
  const { fetchedMin = 1, ...data } = overrides;
  const fetchedAt = T0 + fetchedMin * MIN;
  return {
    eventId: `intel:abuseipdb:ip:203.0.113.7#${serial}`,
    type: 'IntelVerdictRecorded',
    schemaVersion: 1,
    tenantId: 'acme',
    streamId: 'intel:abuseipdb:ip:203.0.113.7',
    sequence: serial,
    partitionKey: 'acme',
    occurredAt: fetchedAt,
    causationId: 'a-1',
    actor: 'intel:abuseipdb',
    data: {
      provider: 'abuseipdb',
      indicator: '203.0.113.7',
      kind: 'ip',
      verdict: 'malicious',
      score: 97,
      evidence: 'AbuseIPDB confidence 97 for 203.0.113.7, 412 reports',
      fetchedAt,
      expiresAt: fetchedAt + 24 * HOUR,
      alertIds: [],
      ...data,
    },
  };
}

const correlator = () => createCorrelator(defaultCorrelationConfig(), deterministicIds());
const threatReasonOf = (events: readonly IncidentEvent[]): string | undefined =>
  only(events, 'IncidentScored')
    .at(-1)
    ?.data.explanation.factors.find((factor) => factor.name === 'threat_intel')?.reason;

describe('decideCorrelation: threat-intel verdicts', () => {
  it('rescores the open incident carrying the indicator, with the verdict as the cause and the provider words in the reason', () => {
    const c = correlator();
    const opened = c.push({
      kind: 'alert',
      alert: anAlert({ alertId: 'a-1', entities: [host('ws-01'), ip('203.0.113.7')] }),
    });
    const before = only(opened, 'IncidentScored')[0]?.data.priority as number;
    const verdict = aVerdict({ alertIds: ['a-1'] });
    const events = c.push({ kind: 'intel', event: verdict });
    // With no other evidence, a malicious verdict carries the priority over the high threshold.
    expect(typesOf(events)).toEqual(['IntelVerdictApplied', 'IncidentScored', 'IncidentEscalated']);
    const [applied, scored] = events as [IncidentEvent, IncidentEvent];
    expect(applied).toMatchObject({
      causationId: verdict.eventId,
      actor: 'rule:threat-intel',
      data: { provider: 'abuseipdb', verdict: 'malicious', score: 97 },
    });
    expect(scored.causationId).toBe(verdict.eventId);
    expect(scored.type === 'IncidentScored' && scored.data.priority).toBeGreaterThan(before);
    expect(threatReasonOf(events)).toBe(
      'malicious: AbuseIPDB confidence 97 for 203.0.113.7, 412 reports',
    );
  });

  it('does nothing for a repeated or an older verdict of the same provider and indicator', () => {
    const c = correlator();
    c.push({ kind: 'alert', alert: anAlert({ entities: [ip('203.0.113.7')] }) });
    const verdict = aVerdict({ fetchedMin: 5 });
    expect(c.push({ kind: 'intel', event: verdict })).toHaveLength(3);
    expect(c.push({ kind: 'intel', event: { ...verdict, eventId: 'again' } })).toEqual([]);
    expect(
      c.push({ kind: 'intel', event: aVerdict({ fetchedMin: 2, verdict: 'benign', score: 0 }) }),
    ).toEqual([]);
  });

  it('records the verdict without a score when neither the priority nor the explanation changes', () => {
    const c = correlator();
    c.push({ kind: 'alert', alert: anAlert({ entities: [ip('203.0.113.7')] }) });
    c.push({ kind: 'intel', event: aVerdict({ fetchedMin: 1 }) });
    const events = c.push({
      kind: 'intel',
      event: aVerdict({
        fetchedMin: 2,
        provider: 'virustotal',
        score: 40,
        evidence: 'VirusTotal: 3 engines malicious',
      }),
    });
    expect(typesOf(events)).toEqual(['IntelVerdictApplied']);
  });

  it('keeps a verdict that comes before its alert and applies it when the alert opens an incident', () => {
    const c = correlator();
    const kept = c.push({
      kind: 'intel',
      event: aVerdict({ provider: 'feed:blocklist', evidence: 'feed blocklist lists 203.0.113.7' }),
    });
    expect(kept).toMatchObject([
      { type: 'IntelVerdictApplied', streamId: 'unattached:acme', data: { incidentId: null } },
    ]);
    const events = c.push({
      kind: 'alert',
      alert: anAlert({ alertId: 'late-comer', entities: [ip('203.0.113.7')] }),
    });
    expect(typesOf(events)).toEqual([
      'IncidentOpened',
      'IncidentScored',
      'IntelVerdictApplied',
      'IncidentScored',
      'IncidentEscalated',
    ]);
    expect(events[2]?.causationId).toBe('late-comer');
    expect(threatReasonOf(events)).toBe('malicious: feed blocklist lists 203.0.113.7');
  });

  it('ignores a verdict the watermark has passed the expiry of', () => {
    const c = correlator();
    c.push({ kind: 'alert', alert: anAlert({ at: 0, entities: [ip('203.0.113.7')] }) });
    c.push({ kind: 'tick', watermark: T0 + 10 * HOUR });
    expect(
      c.push({ kind: 'intel', event: aVerdict({ fetchedMin: 0, expiresAt: T0 + HOUR }) }),
    ).toEqual([]);
  });

  it('rebuilds the same priorities from the incident log alone', () => {
    const live = correlator();
    const log: IncidentEvent[] = [];
    log.push(
      ...live.push({
        kind: 'intel',
        event: aVerdict({ indicator: '198.51.100.9', evidence: 'first' }),
      }),
    );
    log.push(...live.correlateBatch([anAlert({ entities: [ip('203.0.113.7'), host('ws-02')] })]));
    log.push(...live.push({ kind: 'intel', event: aVerdict({ fetchedMin: 3 }) }));
    const restarted = correlator();
    restarted.replay(log);
    const [incident] = [...(restarted.state.tenants.get('acme')?.open.values() ?? [])];
    const [liveIncident] = [...(live.state.tenants.get('acme')?.open.values() ?? [])];
    expect(incident?.priority).toBe(liveIncident?.priority);
    expect(incident?.intel).toEqual(liveIncident?.intel);
    // The remembered verdict of the other indicator survives the restart too.
    const next = restarted.push({
      kind: 'alert',
      alert: anAlert({ entities: [ip('198.51.100.9')] }),
    });
    expect(typesOf(next)).toContain('IntelVerdictApplied');
  });

  it('carries the absorbed incident verdicts into the survivor of a merge', () => {
    const c = correlator();
    c.push({
      kind: 'alert',
      alert: anAlert({ at: 0, entities: [host('ws-01'), ip('203.0.113.7')] }),
    });
    c.push({ kind: 'alert', alert: anAlert({ at: 1, entities: [host('ws-09')] }) });
    c.push({ kind: 'intel', event: aVerdict() });
    const merged = c.push({
      kind: 'alert',
      alert: anAlert({ at: 2, entities: [host('ws-01'), host('ws-09')] }),
    });
    expect(typesOf(merged)).toContain('IncidentsMerged');
    const open = [...(c.state.tenants.get('acme')?.open.values() ?? [])].filter(
      (i) => i.mergedInto === null,
    );
    expect(open).toHaveLength(1);
    expect(open[0]?.intel?.get('ip:203.0.113.7')?.get('abuseipdb')?.score).toBe(97);
  });

  it('bounds the verdicts a tenant remembers, the oldest out first', () => {
    const c = correlator();
    for (let i = 0; i <= MAX_REMEMBERED_VERDICTS; i += 1)
      c.push({
        kind: 'intel',
        event: aVerdict({ indicator: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` }),
      });
    const tenant = c.state.tenants.get('acme');
    expect(tenant?.intelCount).toBe(MAX_REMEMBERED_VERDICTS);
    expect(tenant?.intel.has('ip:10.0.0.0')).toBe(false);
    expect(tenant?.intel.has('ip:10.0.0.1')).toBe(true);
  });
});
