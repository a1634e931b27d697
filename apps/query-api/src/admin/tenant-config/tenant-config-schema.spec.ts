import { Value } from '@sinclair/typebox/value';
import { DEFAULT_CORRELATION_POLICY } from '@soc/domain';
import { schemaProblems } from './schema-problems';
import { PutTenantConfigSchema, TenantConfigSchema } from './tenant-config-schema';

describe('tenant configuration schema', () => {
  it('describes every field of the correlation policy, and the default policy fits it', () => {
    const correlation = TenantConfigSchema.properties.correlation;
    expect(Object.keys(correlation.properties).sort()).toEqual(
      Object.keys(DEFAULT_CORRELATION_POLICY).sort(),
    );
    expect(Value.Check(TenantConfigSchema, { correlation: DEFAULT_CORRELATION_POLICY })).toBe(true);
  });

  it('names each wrong field as the API names fields, an unknown one included', () => {
    const problems = schemaProblems(PutTenantConfigSchema, {
      version: 1,
      reason: 'x',
      config: {
        correlation: { windowMs: 'soon', windowMS: 5 },
        connectors: [{ id: '', type: 'splunk' }],
      },
    });
    expect(problems.map((p) => p.path)).toEqual([
      'config.correlation.windowMS',
      'config.correlation.windowMs',
      'config.connectors[0].id',
    ]);
    expect(problems[0]?.reason).toBe('unknown field');
    expect(problems[1]?.reason).toMatch(/^must be integer/);
  });

  it('requires the version and the reason', () => {
    expect(schemaProblems(PutTenantConfigSchema, { config: {} }).map((p) => p.path)).toEqual([
      'version',
      'reason',
    ]);
  });
});
