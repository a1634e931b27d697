import { canonicalIndicator, type Indicator } from './indicators';
import { abuseIpdbFinding, notFoundFinding, virusTotalFinding } from './provider-findings';
import { DEFAULT_VERDICT_TTLS, mergeVerdicts, stampVerdict, type IntelVerdict } from './verdicts';

const ip = canonicalIndicator('ip', '118.25.6.39') as Indicator;
const vt = (stats: Record<string, number>, reputation = 0) => ({
  data: {
    type: 'ip_address',
    id: ip.value,
    attributes: {
      last_analysis_stats: {
        harmless: 0,
        malicious: 0,
        suspicious: 0,
        undetected: 0,
        timeout: 0,
        ...stats,
      },
      reputation,
    },
  },
});

describe('VirusTotal verdicts', () => {
  it.each([
    [{ malicious: 7, harmless: 60, undetected: 25 }, 0, 'malicious', 100],
    [{ malicious: 2, harmless: 70, undetected: 20 }, 0, 'malicious', 60],
    [{ malicious: 1, harmless: 70, undetected: 20 }, 0, 'suspicious', 40],
    [{ harmless: 70, undetected: 20 }, -15, 'suspicious', 45],
    [{ harmless: 70, undetected: 20 }, 3, 'benign', 0],
    [{ undetected: 90 }, 0, 'unknown', 0],
  ] as const)(
    'maps %o with reputation %d to %s (score %d)',
    (stats, reputation, verdict, score) => {
      const result = virusTotalFinding(vt(stats, reputation), ip);
      expect(result).toMatchObject({ ok: true, finding: { verdict, score } });
    },
  );

  it('words the evidence with the engines and the reputation', () => {
    const result = virusTotalFinding(
      vt({ malicious: 7, suspicious: 1, harmless: 60, undetected: 24 }, -12),
      ip,
    );
    expect(result.ok && result.finding.evidence).toBe(
      'VirusTotal: 7 of 92 engines malicious, 1 suspicious, reputation -12 for 118.25.6.39',
    );
  });

  it('refuses a body without analysis stats instead of calling it clean', () => {
    expect(virusTotalFinding({ data: { attributes: {} } }, ip)).toEqual({
      ok: false,
      reason: 'VirusTotal answer has no data.attributes.last_analysis_stats',
    });
  });

  it('calls an indicator VirusTotal never saw unknown', () => {
    expect(notFoundFinding('VirusTotal', ip)).toEqual({
      verdict: 'unknown',
      score: 0,
      evidence: 'VirusTotal has no record of 118.25.6.39',
    });
  });
});

describe('AbuseIPDB verdicts', () => {
  const check = (data: Record<string, unknown>) => ({
    data: {
      ipAddress: ip.value,
      isPublic: true,
      ipVersion: 4,
      isWhitelisted: false,
      totalReports: 0,
      numDistinctUsers: 0,
      ...data,
    },
  });

  it('quotes the confidence, the address and the reports', () => {
    const result = abuseIpdbFinding(
      check({ abuseConfidenceScore: 97, totalReports: 412, numDistinctUsers: 180 }),
      ip,
    );
    expect(result).toEqual({
      ok: true,
      finding: {
        verdict: 'malicious',
        score: 97,
        evidence: 'AbuseIPDB confidence 97 for 118.25.6.39, 412 reports from 180 users',
      },
    });
  });

  it.each([
    [75, false, 'malicious'],
    [74, false, 'suspicious'],
    [25, false, 'suspicious'],
    [24, false, 'unknown'],
    [0, true, 'benign'],
  ] as const)('confidence %d (whitelisted %s) is %s', (score, isWhitelisted, verdict) => {
    expect(
      abuseIpdbFinding(check({ abuseConfidenceScore: score, isWhitelisted, totalReports: 3 }), ip),
    ).toMatchObject({ finding: { verdict } });
  });

  it('refuses a body without a confidence score', () => {
    expect(abuseIpdbFinding({ errors: [{ detail: 'x', status: 422 }] }, ip).ok).toBe(false);
  });
});

describe('verdict lifetime and merging', () => {
  const at = Date.UTC(2026, 11, 1);
  const verdict = (
    provider: string,
    label: IntelVerdict['verdict'],
    score: number,
    evidence: string,
  ): IntelVerdict =>
    stampVerdict({
      provider,
      indicator: ip,
      finding: { verdict: label, score, evidence },
      fetchedAt: at,
      ttls: DEFAULT_VERDICT_TTLS,
    });

  it('gives each verdict kind its own TTL', () => {
    expect(verdict('abuseipdb', 'malicious', 90, 'x').expiresAt - at).toBe(24 * 3_600_000);
    expect(verdict('abuseipdb', 'benign', 0, 'x').expiresAt - at).toBe(7 * 24 * 3_600_000);
    expect(verdict('abuseipdb', 'unknown', 0, 'x').expiresAt - at).toBe(6 * 3_600_000);
  });

  it('lets one malicious verdict stand against benign ones and names who agrees', () => {
    const merged = mergeVerdicts(
      [
        verdict('virustotal', 'benign', 0, 'VirusTotal: 0 of 90 engines malicious'),
        verdict('abuseipdb', 'malicious', 97, 'AbuseIPDB confidence 97'),
        verdict('feed:feodo', 'malicious', 90, 'feed feodo lists it'),
      ],
      at,
    );
    expect(merged).toMatchObject({
      provider: 'abuseipdb',
      verdict: 'malicious',
      score: 97,
      evidence: 'AbuseIPDB confidence 97; also malicious per feed feodo',
    });
  });

  it('drops expired verdicts, and merges nothing to nothing', () => {
    const old = verdict('abuseipdb', 'malicious', 97, 'old');
    expect(mergeVerdicts([old], old.expiresAt)).toBeUndefined();
    expect(mergeVerdicts([], at)).toBeUndefined();
  });
});
