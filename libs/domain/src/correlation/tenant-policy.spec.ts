import type {
  IncidentEvent,
  TenantConfigChanged,
  TenantConfigDocument,
  TenantPolicyApplied,
} from '@soc/contracts';
import { defaultCorrelationConfig } from './config';
import { deterministicIds } from './ids';
import { createCorrelator } from './runner';
import { anAlert, configOf, host, MIN, only, T0 } from '../../test/correlation/spec-support';

/** A TenantConfigChanged of `tenantId`, version `version`. */
function aConfig(
  version: number,
  correlation: TenantConfigDocument['correlation'],
  { tenantId = 'acme' }: { readonly tenantId?: string } = {},
): TenantConfigChanged {
  return {
    eventId: `cfg-${tenantId}-${version}`,
    type: 'TenantConfigChanged',
    schemaVersion: 1,
    tenantId,
    streamId: `tenant-config:${tenantId}`,
    sequence: version,
    partitionKey: tenantId,
    occurredAt: T0 - MIN,
    causationId: `request:cfg-${version}`,
    actor: 'admin:alice',
    data: {
      version,
      config: { correlation, connectors: [], rejectedProposals: [] },
      change: 'edited',
      proposalId: null,
      reason: 'tuning',
    },
  };
}

const correlator = (config = defaultCorrelationConfig()) =>
  createCorrelator(config, deterministicIds());
const opened = (events: readonly IncidentEvent[]) => only(events, 'IncidentOpened');

describe('decideCorrelation: tenant configuration', () => {
  it('opens the next incidents under the new window, recorded as TenantPolicyApplied', () => {
    const c = correlator();
    const applied = c.push({ kind: 'tenant-config', event: aConfig(1, { windowMs: 2 * MIN }) });
    const [event] = only(applied, 'TenantPolicyApplied');
    expect(event?.streamId).toBe('unattached:acme');
    expect(event?.data).toMatchObject({ version: 1, changedBy: 'admin:alice', problems: [] });
    expect(JSON.parse(event?.data.policyJson ?? '{}')).toMatchObject({ windowMs: 2 * MIN });
    c.push({ kind: 'alert', alert: anAlert({ at: 0 }) });
    // 5 minutes later: inside the default 15-minute window, outside the new 2-minute one.
    expect(opened(c.push({ kind: 'alert', alert: anAlert({ at: 5 }) }))).toHaveLength(1);
  });

  it('suppresses the next matching alert once a suppression is in the configuration', () => {
    const c = correlator();
    const suppression = {
      id: 'fp-1',
      reason: 'scanner',
      ruleIds: ['R-1'],
      entities: [{ type: 'host', value: '*' }],
    };
    c.push({ kind: 'tenant-config', event: aConfig(1, { suppressions: [suppression] }) });
    const events = c.push({ kind: 'alert', alert: anAlert({ at: 0 }) });
    expect(only(events, 'AlertSuppressed')[0]?.data.suppressionRuleId).toBe('fp-1');
    expect(opened(events)).toHaveLength(0);
  });

  it('takes each version once: a redelivered or older version decides nothing', () => {
    const c = correlator();
    c.push({ kind: 'tenant-config', event: aConfig(2, { windowMs: 2 * MIN }) });
    expect(c.push({ kind: 'tenant-config', event: aConfig(2, { windowMs: 2 * MIN }) })).toEqual([]);
    expect(c.push({ kind: 'tenant-config', event: aConfig(1, { windowMs: 30 * MIN }) })).toEqual(
      [],
    );
    expect(c.state.tenants.get('acme')?.policy?.policy.windowMs).toBe(2 * MIN);
  });

  it("never changes another tenant's policy", () => {
    const c = correlator();
    c.push({ kind: 'tenant-config', event: aConfig(1, { windowMs: 2 * MIN }) });
    c.push({ kind: 'alert', alert: anAlert({ tenantId: 'globex', at: 0 }) });
    const later = c.push({ kind: 'alert', alert: anAlert({ tenantId: 'globex', at: 5 }) });
    expect(opened(later)).toHaveLength(0);
  });

  it('restores the policy from the incident log alone, whatever the file says by then', () => {
    const first = correlator();
    const log = first.push({ kind: 'tenant-config', event: aConfig(1, { windowMs: 2 * MIN }) });
    const rebuilt = correlator(configOf({ defaults: { windowMs: 60 * MIN } }));
    rebuilt.replay(log);
    rebuilt.push({ kind: 'alert', alert: anAlert({ at: 0 }) });
    expect(opened(rebuilt.push({ kind: 'alert', alert: anAlert({ at: 5 }) }))).toHaveLength(1);
    expect(rebuilt.push({ kind: 'tenant-config', event: aConfig(1, {}) })).toEqual([]);
  });

  it("applies the configuration over the file's policy for the tenant, and records a clash instead of applying it", () => {
    const config = configOf({
      tenants: { acme: { maxIncidentSpanMs: 20 * MIN, linkingEntityTypes: ['host'] } },
    });
    const c = correlator(config);
    const [ok] = only(
      c.push({ kind: 'tenant-config', event: aConfig(1, { windowMs: 10 * MIN }) }),
      'TenantPolicyApplied',
    );
    expect(JSON.parse(ok?.data.policyJson ?? '{}')).toMatchObject({
      windowMs: 10 * MIN,
      linkingEntityTypes: ['host'],
    });
    const [clash] = only(
      c.push({ kind: 'tenant-config', event: aConfig(2, { windowMs: 30 * MIN }) }),
      'TenantPolicyApplied',
    ) as TenantPolicyApplied[];
    expect(clash?.data.problems).toEqual([
      'correlation.maxIncidentSpanMs: must be at least windowMs',
    ]);
    expect(c.state.tenants.get('acme')?.policy?.policy.windowMs).toBe(10 * MIN);
    expect(c.state.tenants.get('acme')?.policyVersion).toBe(2);
  });

  it('leaves open incidents on the window they opened under', () => {
    const c = correlator();
    c.push({ kind: 'alert', alert: anAlert({ at: 0, entities: [host('ws-01')] }) });
    c.push({ kind: 'tenant-config', event: aConfig(1, { windowMs: 2 * MIN }) });
    const state = c.state.tenants.get('acme');
    expect([...(state?.open.values() ?? [])].map((incident) => incident.windowMs)).toEqual([
      15 * MIN,
    ]);
  });
});
