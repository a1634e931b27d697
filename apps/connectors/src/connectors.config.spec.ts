import { ConfigError } from '@soc/config';
import { parseConnectorsFile } from './connectors.config';

const file = (connectors: unknown[]) => JSON.stringify({ connectors });

describe('connectors file', () => {
  it('reads a Splunk connector with its token from the environment', () => {
    const [splunk] = parseConnectorsFile(
      file([
        {
          id: 'acme-splunk',
          tenant: 'acme',
          type: 'splunk',
          baseUrl: 'https://splunk.acme.example:8089/',
          search: 'search `notable`',
          token: { env: 'ACME_SPLUNK_TOKEN' },
          interval: '30s',
          overlap: '10m',
        },
      ]),
      { ACME_SPLUNK_TOKEN: 's3cr3t' },
    );
    expect(splunk).toMatchObject({
      id: 'acme-splunk',
      tenantId: 'acme',
      type: 'splunk',
      intervalMs: 30_000,
      settings: {
        baseUrl: 'https://splunk.acme.example:8089',
        authorization: 'Bearer s3cr3t',
        cursor: { overlapMs: 600_000 },
      },
    });
  });

  it('builds Basic authorization from a username and password for Elastic', () => {
    const [elastic] = parseConnectorsFile(
      file([
        {
          id: 'e',
          tenant: 't',
          type: 'elastic',
          baseUrl: 'http://es:9200',
          username: 'u',
          password: 'p',
        },
      ]),
      {},
    );
    expect(elastic?.type === 'elastic' && elastic.settings.authorization).toBe(
      `Basic ${Buffer.from('u:p').toString('base64')}`,
    );
    expect(elastic?.type === 'elastic' && elastic.settings.index).toBe('.alerts-security.alerts-*');
  });

  it('collects every problem, naming fields and never quoting a secret', () => {
    let error: unknown;
    try {
      parseConnectorsFile(
        file([
          {
            id: 'g',
            tenant: 't',
            type: 'ms-graph',
            tokenUrl: 'ftp://x',
            clientId: 'c',
            clientSecret: { env: 'MISSING' },
          },
          { id: 'g', tenant: 't', type: 'qradar' },
          {
            id: 'bad id',
            tenant: 't',
            type: 'splunk',
            baseUrl: 'http://s',
            token: 'hunter2',
            interval: 'often',
          },
        ]),
        {},
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'connectors[0].tokenUrl: expected an http(s) URL',
        'connectors[0].clientSecret: environment variable MISSING is not set',
        "connectors[1].type: expected 'splunk', 'elastic' or 'ms-graph'",
        'connectors[2].id: letters, digits, ".", "_" and "-" only (it names a transactional id)',
        'connectors[2].search: give either search or savedSearch',
        'connectors[2].interval: expected a duration such as 500ms, 30s, 5m, 1h',
      ]),
    );
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('takes an id once per tenant: the same id in two tenants is two connectors', () => {
    const entry = (tenant: string) => ({
      id: 'siem',
      tenant,
      type: 'elastic',
      baseUrl: 'http://es:9200',
      apiKey: 'k',
    });
    expect(parseConnectorsFile(file([entry('a'), entry('b')]), {})).toHaveLength(2);
    expect(() => parseConnectorsFile(file([entry('a'), entry('a')]), {})).toThrow(
      "connectors: 'a/siem' is used twice",
    );
  });
});
