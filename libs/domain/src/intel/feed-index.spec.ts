import type { AlertEntity, CanonicalAlert } from '@soc/contracts';
import { buildFeedIndex, matchIndicator } from './feed-index';
import { parsePlainList } from './feeds/plain-list';
import { parseStixBundle } from './feeds/stix';
import { canonicalIndicator, type Indicator } from './indicators';
import { withFeedVerdicts } from './offline-enrichment';
import { fixtureJson, fixtureText } from '../../test/intel/feed-fixtures';

const at = Date.UTC(2026, 11, 1);
const feodo = parsePlainList(fixtureText('plain/feodo-ipblocklist.csv'), {
  column: 'dst_ip',
  labelColumn: 'malware',
}).entries;
const index = buildFeedIndex([
  { name: 'feodo', entries: feodo },
  {
    name: 'spamhaus-drop',
    entries: parsePlainList(fixtureText('plain/spamhaus-drop.txt')).entries,
  },
  { name: 'stix', entries: parseStixBundle(fixtureJson('stix/indicators-bundle.json')).entries },
  { name: 'wide', entries: parsePlainList('0.0.0.0/1\n').entries },
]);
const ip = (value: string) => canonicalIndicator('ip', value) as Indicator;

describe('feed index', () => {
  it('matches exact values and addresses inside CIDR ranges', () => {
    expect(matchIndicator(index, ip('103.82.243.5'), at).map((m) => m.feed)).toEqual([
      'feodo',
      'wide',
    ]);
    expect(
      matchIndicator(index, ip('1.10.31.255'), at).map((m) => `${m.feed} ${m.entry.value}`),
    ).toEqual(['spamhaus-drop 1.10.16.0/20', 'wide 0.0.0.0/1']);
    expect(matchIndicator(index, ip('1.10.32.0'), at).map((m) => m.feed)).toEqual(['wide']);
    expect(matchIndicator(index, ip('200.1.1.1'), at)).toEqual([]);
    expect(
      matchIndicator(index, ip('2001:db8:dead:beef:dead:beef:dead:1'), at).map((m) => m.feed),
    ).toEqual(['stix']);
  });

  it('matches domains, URLs and hashes exactly after canonicalization', () => {
    const md5 = canonicalIndicator('file_hash', '79054025255FB1A26E4BC422AEF54EB4') as Indicator;
    expect(matchIndicator(index, md5, at)).toHaveLength(1);
    expect(
      matchIndicator(
        index,
        canonicalIndicator('domain', 'PAYPA1-secure.example.net') as Indicator,
        at,
      ),
    ).toHaveLength(1);
  });

  it('stops matching an entry after its valid_until', () => {
    const expiring = buildFeedIndex([
      {
        name: 'x',
        entries: [
          {
            kind: 'ip',
            value: '118.25.6.39',
            verdict: 'malicious',
            score: 80,
            label: null,
            validUntil: at,
          },
        ],
      },
    ]);
    expect(matchIndicator(expiring, ip('118.25.6.39'), at - 1)).toHaveLength(1);
    expect(matchIndicator(expiring, ip('118.25.6.39'), at)).toHaveLength(0);
  });
});

describe('offline enrichment', () => {
  const entity = (type: AlertEntity['type'], value: string): AlertEntity => ({
    type,
    value,
    role: null,
    hashAlgorithm: null,
  });
  const alert = {
    entities: [entity('ip', '154.12.233.66'), entity('ip', '10.0.0.1')],
    threatIntel: [],
    observedAt: at,
  } as unknown as CanonicalAlert;

  it('adds one merged verdict per matched indicator to the alert’s threat intel', () => {
    const feodoOnly = buildFeedIndex([{ name: 'feodo', entries: feodo }]);
    expect(withFeedVerdicts(alert, feodoOnly).threatIntel).toEqual([
      {
        indicator: '154.12.233.66',
        indicatorType: 'ip',
        source: 'feed:feodo',
        verdict: 'malicious',
        score: 90,
      },
    ]);
  });

  it('leaves an alert without matches as it was', () => {
    expect(withFeedVerdicts(alert, buildFeedIndex([]))).toBe(alert);
  });
});
