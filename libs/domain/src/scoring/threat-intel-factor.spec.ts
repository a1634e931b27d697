import { threatIntelFactor, type ThreatIntelFacts } from './threat-intel-factor';

const none: ThreatIntelFacts = {
  maliciousMax: null,
  suspiciousMax: null,
  benignVerdicts: 0,
  unknownVerdicts: 0,
};

describe('the threat-intel factor', () => {
  it('names the provider and its evidence for a malicious verdict', () => {
    const factor = threatIntelFactor({
      ...none,
      maliciousMax: 97,
      decisive: {
        provider: 'abuseipdb',
        indicator: '203.0.113.7',
        verdict: 'malicious',
        score: 97,
        evidence: 'AbuseIPDB confidence 97 for 203.0.113.7, 412 reports',
      },
    });
    expect(factor).toEqual({
      raw: 99.3,
      reason: 'malicious: AbuseIPDB confidence 97 for 203.0.113.7, 412 reports',
    });
  });

  it('falls back to the verdict and score when no evidence travelled with them', () => {
    expect(threatIntelFactor({ ...none, suspiciousMax: 50 })).toEqual({
      raw: 65,
      reason: 'suspicious verdict (score 50)',
    });
  });

  it('counts absent evidence as neither good nor bad', () => {
    expect(threatIntelFactor(none)).toEqual({
      raw: 50,
      reason: 'no threat-intel verdict: unknown counts as neutral, not benign',
    });
    expect(threatIntelFactor({ ...none, unknownVerdicts: 2 })).toEqual({
      raw: 50,
      reason: '2 unknown verdicts: no provider knows the indicators, neutral, not benign',
    });
    expect(threatIntelFactor({ ...none, benignVerdicts: 3, unknownVerdicts: 1 })).toEqual({
      raw: 50,
      reason: '3 benign and 1 unknown verdicts: unknown keeps it neutral',
    });
  });

  it('lowers the factor only when every verdict is benign', () => {
    expect(
      threatIntelFactor({
        ...none,
        benignVerdicts: 1,
        decisive: {
          provider: 'virustotal',
          indicator: '8.8.8.8',
          verdict: 'benign',
          score: 0,
          evidence: 'VirusTotal: 0 of 92 engines malicious, reputation 40 for 8.8.8.8',
        },
      }),
    ).toEqual({
      raw: 20,
      reason:
        'every threat-intel verdict is benign: VirusTotal: 0 of 92 engines malicious, reputation 40 for 8.8.8.8',
    });
  });

  it('does not quote evidence of another verdict than the one that decided', () => {
    const reason = threatIntelFactor({
      ...none,
      maliciousMax: 80,
      decisive: {
        provider: 'x',
        indicator: 'y',
        verdict: 'suspicious',
        score: 40,
        evidence: 'weak',
      },
    }).reason;
    expect(reason).toBe('malicious verdict (score 80)');
  });
});
