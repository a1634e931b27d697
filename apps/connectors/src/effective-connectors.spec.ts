import { connectorKey } from './connector-definition';
import { parseConnectorsFile } from './connectors.config';
import { effectiveConnectors } from './effective-connectors';

const env = { ACME_TOKEN: 'from-env', GLOBEX_KEY: 'globex-key' };
const splunk = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'splunk',
  baseUrl: 'https://splunk.example:8089',
  search: 'search `notable`',
  token: { env: 'ACME_TOKEN' },
  ...extra,
});
const file = parseConnectorsFile(
  JSON.stringify({
    connectors: [
      { ...splunk('siem'), tenant: 'acme' },
      { ...splunk('siem'), tenant: 'globex' },
    ],
  }),
  env,
);

describe('effective connectors: the file with the tenants configured connectors over it', () => {
  it('runs the file alone while no tenant has configured connectors', () => {
    const { definitions, problems } = effectiveConnectors({ file, tenants: [], env });
    expect(definitions.map(connectorKey)).toEqual(['acme/siem', 'globex/siem']);
    expect(problems).toEqual([]);
  });

  it("replaces the file's connector of the same tenant and id, and adds the others", () => {
    const { definitions } = effectiveConnectors({
      file,
      tenants: [
        {
          tenantId: 'acme',
          version: 3,
          connectors: [
            splunk('siem', { interval: '5m' }),
            {
              id: 'es',
              type: 'elastic',
              baseUrl: 'http://es:9200',
              apiKey: { env: 'GLOBEX_KEY' },
            },
          ],
        },
      ],
      env,
    });
    const intervals = new Map(definitions.map((d) => [connectorKey(d), d.intervalMs]));
    expect(intervals).toEqual(
      new Map([
        ['acme/siem', 300_000],
        ['globex/siem', 60_000],
        ['acme/es', 60_000],
      ]),
    );
    const es = definitions.find((d) => d.id === 'es');
    expect(es?.type === 'elastic' && es.settings.authorization).toBe('ApiKey globex-key');
  });

  it("gives every entry the configuration's own tenant", () => {
    const { definitions } = effectiveConnectors({
      file: [],
      tenants: [{ tenantId: 'initech', version: 1, connectors: [splunk('s', { tenant: 'acme' })] }],
      env,
    });
    expect(definitions.map(connectorKey)).toEqual(['initech/s']);
  });

  it("runs neither an entry that does not parse nor the file's connector it names", () => {
    const { definitions, problems } = effectiveConnectors({
      file,
      tenants: [
        {
          tenantId: 'acme',
          version: 2,
          connectors: [splunk('siem', { token: { env: 'UNSET' } }), splunk('other')],
        },
      ],
      env,
    });
    expect(definitions.map(connectorKey)).toEqual(['globex/siem', 'acme/other']);
    expect(problems.length).toBeGreaterThan(0);
    expect(
      problems.every((p) => p.startsWith('tenant acme version 2: connectors[0].token: ')),
    ).toBe(true);
    expect(problems).toContain(
      'tenant acme version 2: connectors[0].token: environment variable UNSET is not set',
    );
  });
});
