import { MAX_TENANT_CONFIG_BYTES, parseTenantConfig } from './parse-tenant-config';

const parse = (input: unknown) => parseTenantConfig(input, { tenantId: 'acme', path: 'config' });
const pathsOf = (input: unknown): string[] => {
  const result = parse(input);
  return result.ok ? [] : result.errors.map((e) => e.path);
};

describe('parseTenantConfig', () => {
  it('accepts a full configuration and fills absent parts with empty ones', () => {
    const result = parse({ correlation: { windowMs: 600_000 } });
    expect(result).toEqual({
      ok: true,
      config: { correlation: { windowMs: 600_000 }, connectors: [], rejectedProposals: [] },
    });
  });

  it('names the field of a bad correlation value, a misspelt field and a cross-field clash', () => {
    expect(pathsOf({ correlation: { windowMs: -5 } })).toEqual(['config.correlation.windowMs']);
    expect(pathsOf({ correlation: { windowMS: 5 } })).toEqual(['config.correlation.windowMS']);
    expect(pathsOf({ correlation: { windowMs: 3_600_000, maxIncidentSpanMs: 60_000 } })).toEqual([
      'config.correlation.maxIncidentSpanMs',
    ]);
    expect(pathsOf({ correlation: { scoring: { weights: { severity: 'x' } } } })).toEqual([
      'config.correlation.scoring.weights.severity',
    ]);
    expect(pathsOf({ extra: 1 })).toEqual(['config.extra']);
  });

  it('refuses a connector secret written out, another tenant and duplicate ids', () => {
    const splunk = { id: 'acme-splunk', type: 'splunk', token: { env: 'ACME_SPLUNK_TOKEN' } };
    expect(parse({ connectors: [splunk] }).ok).toBe(true);
    expect(pathsOf({ connectors: [{ ...splunk, token: 's3cret' }] })).toEqual([
      'config.connectors[0].token',
    ]);
    expect(pathsOf({ connectors: [{ ...splunk, tenant: 'globex' }] })).toEqual([
      'config.connectors[0].tenant',
    ]);
    expect(pathsOf({ connectors: [splunk, splunk] })).toEqual(['config.connectors[1].id']);
  });

  it('bounds the document in bytes and the rejected proposals in entries', () => {
    const huge = {
      correlation: {
        suppressions: [{ id: 'x', reason: 'é'.repeat(MAX_TENANT_CONFIG_BYTES), ruleIds: ['R'] }],
      },
    };
    expect(pathsOf(huge)).toEqual(['config']);
    expect(pathsOf({ rejectedProposals: [''] })).toEqual(['config.rejectedProposals']);
  });
});
