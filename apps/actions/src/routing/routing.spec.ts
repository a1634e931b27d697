import { IncidentTracker } from '../incident-tracker';
import type { IncidentNotification } from '../notification';
import { incidentEscalated, liveIncident, T0 } from '../../../../test/support/incident-events';
import { RoutingConfigError, parseRouting } from './routing';

const env = { HOOK_SECRET: 's3cr3t-value', HIVE_KEY: 'hive-key-value', SLACK_URL: 'http://x' };

const file = {
  version: 1,
  destinations: {
    hook: { type: 'webhook', url: 'https://soar.example/hook', secret: { env: 'HOOK_SECRET' } },
    hive: { type: 'thehive', url: 'https://hive.example', apiKey: { env: 'HIVE_KEY' } },
    chat: { type: 'slack', url: { env: 'SLACK_URL' } },
  },
  tenants: {
    'tenant-a': [
      { destination: 'hook' },
      { destination: 'hive' },
      { destination: 'chat', minPriority: 90 },
    ],
    '*': [{ destination: 'hook', changes: ['closed'] }],
  },
};

function notifications(tenantId: string): IncidentNotification[] {
  const tracker = new IncidentTracker();
  return [
    ...liveIncident(tenantId, 'inc-1', T0, { priority: 85 }),
    incidentEscalated('inc-1', 85, { tenantId, sequence: 4 }),
  ]
    .map((event) => tracker.apply(event))
    .filter((n): n is IncidentNotification => n !== null);
}

describe('routing configuration', () => {
  const routing = parseRouting(file, { source: 'spec', env });
  const names = (n: IncidentNotification | undefined) =>
    routing.routesFor(n as IncidentNotification).map((route) => route.destination);

  it('routes by tenant, change, priority, and sends case tools only escalated incidents', () => {
    const [opened, attached, scored, escalated] = notifications('tenant-a');
    expect(names(opened)).toEqual(['hook']);
    expect(names(attached)).toEqual([]);
    expect(names(scored)).toEqual([]);
    // Slack wants priority 90; the incident is at 85.
    expect(names(escalated)).toEqual(['hook', 'hive']);
  });

  it('applies the * routes to a tenant without routes of its own', () => {
    expect(notifications('tenant-z').flatMap(names)).toEqual([]);
  });

  it('names every problem with its path and never a secret value', () => {
    const broken = {
      ...file,
      destinations: {
        ...file.destinations,
        hook: { type: 'webhook', url: 'ftp://nope', secret: { env: 'HOOK_SECRET' } },
      },
    };
    expect(() => parseRouting(broken, { source: 'spec', env })).toThrow(/\/destinations\/hook/);
    let error: unknown;
    try {
      parseRouting(file, { source: 'spec', env: { HOOK_SECRET: 's3cr3t-value' } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RoutingConfigError);
    expect((error as RoutingConfigError).problems).toEqual([
      '/destinations/hive/apiKey: environment variable HIVE_KEY is not set',
      '/destinations/chat/url: environment variable SLACK_URL is not set',
    ]);
    expect(String(error)).not.toContain('s3cr3t-value');
  });

  it('refuses a route to a destination that does not exist', () => {
    const dangling = { ...file, tenants: { 'tenant-a': [{ destination: 'pager' }] } };
    expect(() => parseRouting(dangling, { source: 'spec', env })).toThrow(
      "/tenants/tenant-a/0/destination: no destination named 'pager'",
    );
  });
});
