import type { IncidentEvent } from '@soc/contracts';
import { incidentOpened } from '../../../../test/support/incident-events';
import { evolveIncidentView } from './evolve-incident-view';
import { indicatorVerdicts } from './indicator-verdicts';

const applied = (provider: string, verdict: string, score: number, fetchedAt: number) => ({
  type: 'IntelVerdictApplied',
  details: {
    provider,
    indicator: '203.0.113.7',
    kind: 'ip',
    verdict,
    score,
    evidence: `${provider} says ${verdict}`,
    fetchedAt,
    expiresAt: fetchedAt + 86_400_000,
  },
});

describe('indicatorVerdicts', () => {
  it('lists each indicator with the latest verdict of each provider, strongest first', () => {
    const result = indicatorVerdicts([
      { type: 'IncidentScored', details: { priority: 40 } },
      applied('virustotal', 'suspicious', 30, 1_000),
      applied('abuseipdb', 'unknown', 0, 1_000),
      applied('abuseipdb', 'malicious', 97, 2_000),
      applied('abuseipdb', 'malicious', 97, 2_000),
      applied('virustotal', 'benign', 0, 500),
    ]);
    expect(result).toEqual([
      {
        indicator: '203.0.113.7',
        kind: 'ip',
        verdicts: [
          expect.objectContaining({ provider: 'abuseipdb', verdict: 'malicious', score: 97 }),
          expect.objectContaining({ provider: 'virustotal', verdict: 'suspicious', score: 30 }),
        ],
      },
    ]);
    expect(result[0]?.verdicts[0]?.fetchedAt).toBe(new Date(2_000).toISOString());
  });

  it('reads what the projection writes to the timeline for IntelVerdictApplied', () => {
    const opened = evolveIncidentView(undefined, incidentOpened('inc-1'));
    const event: IncidentEvent = {
      eventId: 'inc-1#3',
      type: 'IntelVerdictApplied',
      schemaVersion: 1,
      tenantId: 'tenant-a',
      streamId: 'inc-1',
      sequence: 3,
      partitionKey: 'tenant-a',
      occurredAt: 1_000,
      causationId: 'intel-event-1',
      actor: 'rule:threat-intel',
      data: {
        incidentId: 'inc-1',
        ...applied('abuseipdb', 'malicious', 97, 1_000).details,
        kind: 'ip',
        verdict: 'malicious',
      },
    };
    const change = evolveIncidentView(opened.view, event);
    expect(change.timeline[0]?.summary).toBe(
      'Threat intel from abuseipdb: malicious 203.0.113.7 (abuseipdb says malicious)',
    );
    expect(indicatorVerdicts(change.timeline)[0]?.verdicts).toEqual([
      expect.objectContaining({ provider: 'abuseipdb', verdict: 'malicious', score: 97 }),
    ]);
  });

  it('is empty for an incident without intel', () => {
    expect(indicatorVerdicts([{ type: 'IncidentOpened', details: {} }])).toEqual([]);
  });
});
