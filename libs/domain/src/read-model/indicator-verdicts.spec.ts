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

  it('is empty for an incident without intel', () => {
    expect(indicatorVerdicts([{ type: 'IncidentOpened', details: {} }])).toEqual([]);
  });
});
