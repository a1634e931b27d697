import { parseFeedSpec } from '../feeds/feed-loader';
import { IntelSettings } from './intel-settings';

const env = { VIRUSTOTAL_API_KEY: 'platform-vt', ACME_ABUSEIPDB_KEY: 'acme-abuse' };

describe('per-tenant intel settings', () => {
  const parsed = IntelSettings.parse(
    {
      defaults: {
        ownDomains: ['corp.example'],
        limits: { virustotal: { perMinute: 500, perDay: 30000 } },
      },
      tenants: {
        acme: {
          providers: ['virustotal', 'abuseipdb'],
          ownDomains: ['acme.example'],
          allowlist: ['8.8.8.8'],
          keys: { abuseipdb: 'env:ACME_ABUSEIPDB_KEY' },
          budgets: { virustotal: { perMinute: 2, perDay: 100 } },
        },
      },
    },
    env,
  );

  it('gives a tenant its providers, keys by reference, budgets and never-send lists', () => {
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const acme = parsed.settings.forTenant('acme');
    expect(
      acme.providers.map((p) => [p.provider, p.apiKey.reference, p.apiKey.reveal(), p.budgets]),
    ).toEqual([
      [
        'virustotal',
        'env:VIRUSTOTAL_API_KEY',
        'platform-vt',
        [
          {
            scope: 'key:virustotal:env:VIRUSTOTAL_API_KEY',
            limits: { perMinute: 500, perDay: 30000 },
          },
          { scope: 'tenant:acme:virustotal', limits: { perMinute: 2, perDay: 100 } },
        ],
      ],
      [
        'abuseipdb',
        'env:ACME_ABUSEIPDB_KEY',
        'acme-abuse',
        [
          {
            scope: 'key:abuseipdb:env:ACME_ABUSEIPDB_KEY',
            limits: { perMinute: 60, perDay: 1000 },
          },
          { scope: 'tenant:acme:abuseipdb', limits: { perMinute: 60, perDay: 1000 } },
        ],
      ],
    ]);
    expect(acme.neverSend).toEqual({
      ownDomains: ['corp.example', 'acme.example'],
      allowlist: ['8.8.8.8'],
    });
  });

  it('leaves out a provider that has no key', () => {
    if (!parsed.ok) throw new Error('invalid');
    expect(parsed.settings.forTenant('globex').providers.map((p) => p.provider)).toEqual([
      'virustotal',
    ]);
  });

  it('names every bad field, and refuses keys written into the file', () => {
    const bad = IntelSettings.parse(
      {
        tenants: {
          acme: {
            providers: ['shodan'],
            keys: { virustotal: 'sk-live-123', abuseipdb: 'env:MISSING' },
            budgets: { virustotal: { perMinute: 0 } },
          },
        },
      },
      env,
    );
    expect(bad.ok ? [] : bad.errors).toEqual([
      {
        path: 'tenants.acme.providers',
        message: 'must list providers among virustotal, abuseipdb',
      },
      {
        path: 'tenants.acme.keys.virustotal',
        message: 'must be a reference env:VARIABLE (keys are never written in the file)',
      },
      { path: 'tenants.acme.keys.abuseipdb', message: 'environment variable MISSING is not set' },
      {
        path: 'tenants.acme.budgets.virustotal',
        message: 'must be { perMinute, perDay } with positive integers',
      },
    ]);
  });
});

describe('feed specs', () => {
  it.each([
    [
      'feodo=plain:feeds/ipblocklist.csv#dst_ip,malware',
      {
        name: 'feodo',
        format: 'plain',
        location: 'feeds/ipblocklist.csv',
        plain: { column: 'dst_ip', labelColumn: 'malware' },
      },
    ],
    ['stix:intel/bundle.json', { name: 'bundle', format: 'stix', location: 'intel/bundle.json' }],
    [
      'circl=misp:https://feeds.example/misp',
      { name: 'circl', format: 'misp', location: 'https://feeds.example/misp' },
    ],
    ['drop.txt', { name: 'drop', format: 'auto', location: 'drop.txt' }],
    ['list.csv#2', { name: 'list', format: 'auto', location: 'list.csv', plain: { column: 2 } }],
  ])('reads %s', (spec, expected) => {
    expect(parseFeedSpec(spec)).toEqual(expected);
  });

  it('refuses a spec without a location', () => {
    expect(parseFeedSpec('x=stix:')).toMatch(/names no file or URL/);
  });
});
