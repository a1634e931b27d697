import type { IncidentEvent } from '@soc/contracts';
import { generateLabeledAlerts } from '../simulation';
import { correlateAll } from './runner';
import { deterministicIds } from './ids';
import { defaultCorrelationConfig, withAssetLookup } from './config';
import { decideCorrelation } from './decide';
import { stateSize } from './state-size';
import {
  anAlert,
  configOf,
  Harness,
  host,
  ip,
  MIN,
  only,
  T0,
  typesOf,
  user,
} from '../../test/correlation/spec-support';

describe('decideCorrelation: grouping alerts into incidents', () => {
  it('opens a new incident when no open incident shares an entity', () => {
    const h = new Harness();
    const alert = anAlert({ alertId: 'first', at: 0 });
    const events = h.alert(alert);
    expect(typesOf(events)).toEqual(['IncidentOpened', 'IncidentScored']);
    const [opened, scored] = events as [IncidentEvent, IncidentEvent];
    expect(opened).toMatchObject({
      type: 'IncidentOpened',
      schemaVersion: 1,
      tenantId: 'acme',
      partitionKey: 'acme',
      sequence: 1,
      occurredAt: alert.observedAt,
      causationId: 'first',
      actor: 'rule:correlation',
      data: { title: alert.title, windowMs: 15 * MIN, campaignHorizonMs: 24 * 60 * MIN },
    });
    expect(opened.streamId).toBe(opened.type === 'IncidentOpened' ? opened.data.incidentId : '');
    expect(opened.eventId).toBe(`${opened.streamId}#1`);
    expect(scored).toMatchObject({
      type: 'IncidentScored',
      streamId: opened.streamId,
      sequence: 2,
      actor: 'rule:scoring',
    });
  });

  it('attaches an alert that shares a linking entity within the window, saying which entity linked it', () => {
    const h = new Harness();
    h.alert(anAlert({ at: 0, entities: [host('ws-01'), user('acme\\alice')] }));
    const events = h.alert(
      anAlert({ at: 10, ruleId: 'R-2', entities: [user('acme\\alice'), ip('203.0.113.7')] }),
    );
    const [attached] = only(events, 'AlertAttached');
    expect(attached?.data.linkedBy).toEqual([user('acme\\alice')]);
    expect(attached?.sequence).toBe(3);
    expect(h.grouping()).toHaveLength(1);
  });

  it('opens a new incident for an alert that shares an entity only outside the window', () => {
    const h = new Harness();
    h.alert(anAlert({ at: 0 }));
    h.alert(anAlert({ at: 15, ruleId: 'R-2' }));
    expect(only(h.events, 'IncidentOpened')).toHaveLength(2);
  });

  it('links alerts a window apart through a chain of alerts each less than a window apart', () => {
    const h = new Harness();
    h.alert(anAlert({ at: 0, ruleId: 'R-1' }));
    h.alert(anAlert({ at: 14, ruleId: 'R-2' }));
    h.alert(anAlert({ at: 28, ruleId: 'R-3' }));
    expect(h.grouping()).toHaveLength(1);
  });

  it('keeps tenants apart: the same host in two tenants never links', () => {
    const h = new Harness();
    h.alert(anAlert({ tenantId: 'acme', at: 0 }));
    const events = h.alert(anAlert({ tenantId: 'globex', at: 1 }));
    expect(typesOf(events)).toEqual(['IncidentOpened', 'IncidentScored']);
    expect(events[0]?.partitionKey).toBe('globex');
  });

  it('merges the incidents an alert bridges: the oldest survives, the other is closed as merged', () => {
    const h = new Harness();
    const [oldest] = h.alert(anAlert({ alertId: 'one', at: 0, entities: [host('ws-01')] }));
    const [younger] = h.alert(
      anAlert({ alertId: 'two', at: 2, ruleId: 'R-2', entities: [host('ws-02')] }),
    );
    const events = h.alert(
      anAlert({
        alertId: 'bridge',
        at: 3,
        ruleId: 'R-3',
        // A severity the detector has not sent before: evidence, so the merge re-scores.
        severity: 60,
        entities: [host('ws-02'), host('ws-01')],
      }),
    );
    const survivor = oldest?.streamId as string;
    const absorbed = younger?.streamId as string;
    expect(events.map((e) => [e.type, e.streamId])).toEqual([
      ['IncidentsMerged', survivor],
      ['IncidentMergedInto', absorbed],
      ['IncidentClosed', absorbed],
      ['AlertAttached', survivor],
      ['IncidentScored', survivor],
    ]);
    expect(only(events, 'IncidentsMerged')[0]?.data).toEqual({
      incidentId: survivor,
      absorbedIncidentId: absorbed,
      bridgingAlertId: 'bridge',
      sharedEntities: [host('ws-02')],
    });
    expect(only(events, 'IncidentClosed')[0]?.data.reason).toBe('merged');
    expect(only(events, 'AlertAttached')[0]?.data.linkedBy).toEqual([host('ws-01'), host('ws-02')]);
    expect(only(events, 'IncidentScored')[0]?.data.alertCount).toBe(3);
    expect(h.grouping()).toEqual([['bridge', 'one', 'two']]);
  });

  it('never links through allowlisted infrastructure: exact values, IPv4 networks, user names', () => {
    const h = new Harness(
      configOf({
        defaults: {
          allowlist: {
            values: { domain: ['update.example.net'] },
            cidrs: ['10.0.0.0/24'],
            users: ['svc_*'],
          },
        },
      }),
    );
    const shared = [
      { type: 'domain' as const, value: 'update.example.net', role: null, hashAlgorithm: null },
      ip('10.0.0.53'),
      user('acme\\svc_backup'),
    ];
    h.alert(anAlert({ at: 0, ruleId: 'R-1', entities: [host('ws-01'), ...shared] }));
    h.alert(anAlert({ at: 1, ruleId: 'R-2', entities: [host('ws-02'), ...shared] }));
    expect(only(h.events, 'IncidentOpened')).toHaveLength(2);
  });

  it('does not link through entity types outside the linking set', () => {
    const process = {
      type: 'process' as const,
      value: 'powershell.exe',
      role: null,
      hashAlgorithm: null,
    };
    const h = new Harness();
    h.alert(anAlert({ at: 0, ruleId: 'R-1', entities: [host('ws-01'), process] }));
    h.alert(anAlert({ at: 1, ruleId: 'R-2', entities: [host('ws-02'), process] }));
    expect(only(h.events, 'IncidentOpened')).toHaveLength(2);
    const linking = new Harness(
      configOf({ defaults: { linkingEntityTypes: ['host', 'process'] } }),
    );
    linking.alert(anAlert({ at: 0, ruleId: 'R-1', entities: [host('ws-01'), process] }));
    linking.alert(anAlert({ at: 1, ruleId: 'R-2', entities: [host('ws-02'), process] }));
    expect(only(linking.events, 'IncidentOpened')).toHaveLength(1);
  });

  it('records a suppressed alert on the tenant stream and keeps it out of incidents', () => {
    const h = new Harness(
      configOf({
        defaults: {
          suppressions: [
            {
              id: 'S-1',
              reason: 'vulnerability scanner',
              ruleNames: ['*port scan*'],
              entities: [{ type: 'host', value: 'scanner-*' }],
            },
          ],
        },
      }),
    );
    const events = h.alert(
      anAlert({ alertId: 'scan', ruleName: 'Internal port scan', entities: [host('scanner-01')] }),
    );
    expect(events).toEqual([
      expect.objectContaining({
        type: 'AlertSuppressed',
        streamId: 'unattached:acme',
        sequence: 1,
        data: expect.objectContaining({
          incidentId: null,
          suppressionRuleId: 'S-1',
          reason: 'vulnerability scanner',
        }),
      }),
    ]);
    expect(
      h.alert(anAlert({ ruleName: 'Internal port scan', entities: [host('scanner-02')] }))[0]
        ?.sequence,
    ).toBe(2);
    // Both criteria must match: the same rule on another host is not suppressed.
    expect(
      typesOf(h.alert(anAlert({ ruleName: 'Internal port scan', entities: [host('ws-01')] }))),
    ).toContain('IncidentOpened');
  });

  it('closes an incident only when the watermark passes its window', () => {
    const h = new Harness();
    const [opened] = h.alert(anAlert({ at: 0 }));
    expect(h.tick(14)).toEqual([]);
    const closed = h.tick(15);
    expect(closed).toEqual([
      expect.objectContaining({
        type: 'IncidentClosed',
        streamId: opened?.streamId,
        occurredAt: T0 + 15 * MIN,
        causationId: `tick:${T0 + 15 * MIN}`,
        actor: 'rule:correlation-window',
        data: { incidentId: opened?.streamId, reason: 'window-expired' },
      }),
    ]);
    expect(stateSize(h.state).openIncidents).toBe(0);
  });

  it('closes an incident that reaches the max span, and later alerts open a new one', () => {
    const h = new Harness(
      configOf({ defaults: { windowMs: 10 * MIN, maxIncidentSpanMs: 30 * MIN } }),
    );
    for (let at = 0; at < 30; at += 5) h.alert(anAlert({ at, ruleId: `R-${at}` }));
    const after = h.alert(anAlert({ at: 31, ruleId: 'R-late' }));
    expect(typesOf(after)).toContain('IncidentOpened');
    expect(only(h.tick(30), 'IncidentClosed').map((e) => e.data.reason)).toEqual([
      'max-span-reached',
    ]);
  });

  it('escalates once when the priority first crosses the high-priority threshold', () => {
    const h = new Harness(configOf({ defaults: { scoring: { highPriorityThreshold: 60 } } }));
    const severe = { severity: 95, confidence: 95, tactics: ['TA0002'] };
    h.alert(anAlert({ at: 0, ruleId: 'R-1', ...severe }));
    h.alert(anAlert({ at: 1, ruleId: 'R-2', ...severe, tactics: ['TA0003'] }));
    h.alert(anAlert({ at: 2, ruleId: 'R-3', ...severe, tactics: ['TA0008'] }));
    const escalations = only(h.events, 'IncidentEscalated');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]?.data.threshold).toBe(60);
  });

  it("scores business context from the shell's per-tenant asset inventory", () => {
    const inventory = { acme: { criticality: 5, tags: ['crown-jewel'] }, globex: undefined };
    const h = new Harness(
      withAssetLookup(
        defaultCorrelationConfig(),
        (tenantId) => (entity) =>
          entity.value === 'db-01' ? inventory[tenantId as keyof typeof inventory] : undefined,
      ),
    );
    const acme = only(
      h.alert(anAlert({ tenantId: 'acme', entities: [host('db-01')] })),
      'IncidentScored',
    )[0];
    const globex = only(
      h.alert(anAlert({ tenantId: 'globex', entities: [host('db-01')] })),
      'IncidentScored',
    )[0];
    expect(acme?.data.explanation.factors[1]?.reason).toBe(
      'highest criticality 5 of 5 (host db-01); crown jewel +20',
    );
    expect(globex?.data.explanation.factors[1]?.reason).toMatch(/no inventory entry/);
    expect(acme?.data.priority).toBeGreaterThan(globex?.data.priority ?? 100);
  });

  it('emits IncidentScored only when the priority changes', () => {
    const h = new Harness();
    h.alert(anAlert({ at: 0, ruleId: 'R-1', severity: 50 }));
    const same = h.alert(
      anAlert({ at: 1, ruleId: 'R-1', severity: 50, entities: [host('ws-01'), user('acme\\bob')] }),
    );
    expect(typesOf(same)).toEqual(['AlertAttached']);
  });
});

describe('decideCorrelation: repeats and routine noise', () => {
  const repeatOf = (at: number, alertId: string) =>
    anAlert({ alertId, at, ruleId: 'R-cron', entities: [host('fs-01')] });

  it('folds repeats of one rule on one entity set into one counter event per flush', () => {
    const h = new Harness();
    h.alert(repeatOf(0, 'r0'));
    expect(h.alert(repeatOf(1, 'r1'))).toEqual([]);
    expect(h.alert(repeatOf(2, 'r2'))).toEqual([]);
    const flushed = h.tick(0);
    const counted = only(flushed, 'IncidentRepeatsCounted');
    expect(counted).toHaveLength(1);
    expect(counted[0]?.data.series).toHaveLength(1);
    expect(counted[0]?.data.series[0]).toMatchObject({
      alertIds: ['r1', 'r2'],
      observedAts: [T0 + MIN, T0 + 2 * MIN],
      totalRepeats: 2,
      lastObservedAt: T0 + 2 * MIN,
      routine: false,
    });
    expect(counted[0]?.causationId).toBe(`tick:${T0 - 2 * MIN + 2 * MIN}`);
    expect(h.tick(0)).toEqual([]);
    h.alert(repeatOf(3, 'r3'));
    expect(only(h.tick(1), 'IncidentRepeatsCounted')[0]?.data.series[0]).toMatchObject({
      alertIds: ['r3'],
      totalRepeats: 3,
    });
    expect(h.grouping()).toEqual([['r0', 'r1', 'r2', 'r3']]);
  });

  it('counts every series with pending repeats of one incident in one event per flush, numbered gap-free', () => {
    const h = new Harness();
    h.alert(repeatOf(0, 'cron-0'));
    h.alert(anAlert({ alertId: 'scan-0', at: 0.5, ruleId: 'R-scan', entities: [host('fs-01')] }));
    h.alert(repeatOf(1, 'cron-1'));
    h.alert(anAlert({ alertId: 'scan-1', at: 1.5, ruleId: 'R-scan', entities: [host('fs-01')] }));
    h.alert(repeatOf(2, 'cron-2'));
    const flushed = h.tick(2);
    expect(typesOf(flushed).filter((type) => type.includes('Repeats'))).toEqual([
      'IncidentRepeatsCounted',
    ]);
    const series = only(flushed, 'IncidentRepeatsCounted')[0]?.data.series ?? [];
    expect(
      series.map(({ ruleId, alertIds, totalRepeats }) => [ruleId, alertIds, totalRepeats]),
    ).toEqual([
      ['R-cron', ['cron-1', 'cron-2'], 2],
      ['R-scan', ['scan-1'], 1],
    ]);
    const sequences = h.events
      .filter((e) => e.streamId === flushed[0]?.streamId)
      .map((e) => e.sequence);
    expect(sequences).toEqual(sequences.map((_, index) => index + 1));
    expect(h.grouping()).toEqual([['cron-0', 'cron-1', 'cron-2', 'scan-0', 'scan-1']]);
  });

  it('marks a steady rhythm routine, scores it down with the reason, and still attaches a new rule on the same entity', () => {
    const h = new Harness();
    for (let i = 0; i <= 5; i += 1) h.alert(repeatOf(i * 5, `cron-${i}`));
    const flushed = h.tick(25);
    expect(only(flushed, 'IncidentRepeatsCounted')[0]?.data.series[0]).toMatchObject({
      totalRepeats: 5,
      routine: true,
      intervalCv: 0,
    });
    const rescored = only(flushed, 'IncidentScored')[0];
    expect(rescored?.data.priority).toBeLessThan(rescored?.data.previousPriority ?? 0);
    expect(rescored?.data.explanation.adjustments).toEqual([
      expect.objectContaining({
        name: 'routine_noise',
        points: -30,
        reason: expect.stringContaining('6 of 6 alerts are routine repeats of rule R-cron'),
      }),
    ]);

    const attack = h.alert(
      anAlert({
        alertId: 'attack',
        at: 26,
        ruleId: 'R-lsass',
        severity: 90,
        entities: [host('fs-01')],
      }),
    );
    expect(typesOf(attack)).toEqual(['AlertAttached', 'IncidentScored']);
    const after = only(attack, 'IncidentScored')[0];
    expect(after?.data.priority).toBeGreaterThan(rescored?.data.priority ?? 100);
    expect(after?.data.explanation.adjustments[0]?.reason).toContain('6 of 7 alerts');
  });

  it('does not call a fast burst routine, however steady', () => {
    const h = new Harness();
    for (let i = 0; i <= 8; i += 1)
      h.alert(anAlert({ at: i * 0.1, ruleId: 'R-brute', entities: [host('dc-01')] }));
    expect(only(h.tick(1), 'IncidentRepeatsCounted')[0]?.data.series[0]?.routine).toBe(false);
  });

  it('folds repeats even when their only entity is allowlisted: the repeat key links them', () => {
    const h = new Harness(configOf({ defaults: { allowlist: { cidrs: ['10.0.0.0/8'] } } }));
    h.alert(anAlert({ alertId: 'dns-1', at: 0, ruleId: 'R-dns', entities: [ip('10.0.0.53')] }));
    h.alert(anAlert({ alertId: 'dns-2', at: 1, ruleId: 'R-dns', entities: [ip('10.0.0.53')] }));
    h.alert(anAlert({ alertId: 'other', at: 1, ruleId: 'R-other', entities: [ip('10.0.0.53')] }));
    h.tick(5);
    expect(h.grouping()).toEqual([['dns-1', 'dns-2'], ['other']]);
  });

  it('adds every repeat as a row when repeat folding is off', () => {
    const h = new Harness(configOf({ defaults: { repeats: { enabled: false } } }));
    h.alert(repeatOf(0, 'x0'));
    expect(typesOf(h.alert(repeatOf(1, 'x1')))).toEqual(['AlertAttached']);
  });
});

describe('decideCorrelation: event time and late alerts', () => {
  const lateness = configOf({ defaults: { allowedLatenessMs: 2 * MIN } });

  it('treats an alert within the allowed lateness as on time', () => {
    const h = new Harness(lateness);
    h.alert(anAlert({ at: 10 }));
    const events = h.alert(anAlert({ at: 8.5, ruleId: 'R-2', entities: [host('ws-09')] }));
    expect(typesOf(events)).toEqual(['IncidentOpened', 'IncidentScored']);
  });

  it("closes each tenant's windows by the tenant's own event time and lateness, never another tenant's", () => {
    const h = new Harness(
      configOf({
        defaults: { allowedLatenessMs: 2 * MIN },
        tenants: { patient: { allowedLatenessMs: 30 * MIN } },
      }),
    );
    h.alert(anAlert({ at: 0, tenantId: 'patient' }));
    h.alert(anAlert({ at: 0, tenantId: 'acme' }));
    h.alert(anAlert({ at: 0, tenantId: 'quiet' }));
    h.alert(anAlert({ at: 40, tenantId: 'patient', entities: [host('other')] }));
    h.alert(anAlert({ at: 20, tenantId: 'acme', entities: [host('other')] }));
    const events = h.push({ kind: 'tick' });
    const closed = only(events, 'IncidentClosed').map((event) => event.tenantId);
    expect(closed).toEqual(['acme']);
  });

  it('attaches a late alert to a still-open incident and says so', () => {
    const h = new Harness(lateness);
    h.alert(anAlert({ at: 0 }));
    h.alert(anAlert({ at: 10, ruleId: 'R-2', entities: [host('ws-01'), host('ws-02')] }));
    const events = h.alert(anAlert({ at: 5, ruleId: 'R-3', entities: [host('ws-02')] }));
    expect(typesOf(events)).toEqual(['LateAlertHandled', 'AlertAttached', 'IncidentScored']);
    expect(only(events, 'LateAlertHandled')[0]?.data).toMatchObject({
      outcome: 'attached-to-open-incident',
      watermark: T0 + 8 * MIN,
    });
  });

  it('reopens the closed incident a late alert belongs to inside the revision horizon, and re-scores it', () => {
    const h = new Harness(lateness);
    const [opened] = h.alert(anAlert({ at: 0 }));
    h.alert(anAlert({ at: 40, entities: [host('ws-99')] }));
    expect(typesOf(h.tick(38))).toContain('IncidentClosed');
    const straggler = anAlert({ alertId: 'straggler', at: 3, ruleId: 'R-2', severity: 95 });
    const events = h.alert(straggler);
    // The evidence-based scorer escalates the re-scored incident (a severity-95 rule not seen
    // before on this host), so an IncidentEscalated follows the score.
    expect(typesOf(events)).toEqual([
      'IncidentReopened',
      'LateAlertHandled',
      'AlertAttached',
      'IncidentScored',
      'IncidentEscalated',
    ]);
    expect(events.every((event) => event.streamId === opened?.streamId)).toBe(true);
    expect(events.map((event) => event.sequence)).toEqual([4, 5, 6, 7, 8]);
    expect(only(events, 'LateAlertHandled')[0]?.data.outcome).toBe('reopened-closed-incident');
    expect(only(events, 'IncidentReopened')[0]?.data).toMatchObject({
      cause: 'late-alert',
      alertId: 'straggler',
    });
    expect(only(h.push({ kind: 'tick' }), 'IncidentClosed')[0]?.streamId).toBe(opened?.streamId);
  });

  it('opens a new incident for a late alert beyond the revision horizon and says why', () => {
    const h = new Harness(configOf({ defaults: { revisionHorizonMs: 30 * MIN } }));
    h.alert(anAlert({ at: 0 }));
    h.alert(anAlert({ at: 120, entities: [host('ws-99')] }));
    h.push({ kind: 'tick' });
    const events = h.alert(anAlert({ alertId: 'straggler', at: 3, ruleId: 'R-2' }));
    expect(typesOf(events)).toEqual(['IncidentOpened', 'LateAlertHandled', 'IncidentScored']);
    expect(only(events, 'LateAlertHandled')[0]?.data.reason).toContain(
      'beyond the revision horizon',
    );
  });

  it('opens an incident for a late alert that belongs to no incident, so it is still triaged', () => {
    const h = new Harness(lateness);
    h.alert(anAlert({ at: 60, entities: [host('ws-99')] }));
    const events = h.alert(anAlert({ at: 0, entities: [host('ws-07')] }));
    expect(typesOf(events)).toEqual(['IncidentOpened', 'LateAlertHandled', 'IncidentScored']);
    expect(only(events, 'LateAlertHandled')[0]?.data.outcome).toBe('opened-incident');
  });
});

describe('decideCorrelation: campaign horizon', () => {
  const severe = { severity: 90, confidence: 90 };

  it('links incidents that share an entity after the earlier window closed, when both matter', () => {
    const h = new Harness();
    const [first] = h.alert(
      anAlert({
        alertId: 'phish',
        at: 0,
        ...severe,
        entities: [user('acme\\alice'), host('ws-01')],
      }),
    );
    h.tick(20);
    const events = h.alert(
      anAlert({
        alertId: 'lateral',
        at: 120,
        ruleId: 'R-lat',
        ...severe,
        entities: [user('acme\\alice'), host('srv-02')],
      }),
    );
    const links = only(events, 'CampaignLinked');
    expect(links.map((e) => e.streamId)).toEqual([events[0]?.streamId, first?.streamId]);
    expect(links[0]?.data.linkedIncidentIds).toEqual([first?.streamId]);
    expect(links[0]?.data.reason).toContain('shares user:acme\\alice');
    expect(links[0]?.data.campaignId).toBe(links[1]?.data.campaignId);
  });

  it('does not link low-priority incidents by a shared entity alone', () => {
    const h = new Harness();
    h.alert(anAlert({ at: 0, severity: 10, entities: [host('ws-01')] }));
    h.tick(20);
    const events = h.alert(
      anAlert({ at: 120, ruleId: 'R-2', severity: 10, entities: [host('ws-01')] }),
    );
    expect(only(events, 'CampaignLinked')).toEqual([]);
  });

  it("links every incident of an entity once the entity's accumulated risk crosses the threshold", () => {
    const h = new Harness(
      configOf({ defaults: { campaign: { riskThreshold: 150, minPriority: 100 } } }),
    );
    h.alert(anAlert({ at: 0, ...severe, entities: [host('ws-01')] }));
    h.alert(anAlert({ at: 30, ruleId: 'R-2', ...severe, entities: [host('ws-01')] }));
    const events = h.alert(
      anAlert({ at: 60, ruleId: 'R-3', ...severe, entities: [host('ws-01')] }),
    );
    const links = only(events, 'CampaignLinked');
    expect(links[0]?.data.linkedIncidentIds).toHaveLength(2);
    expect(links[0]?.data.reason).toMatch(
      /accumulated risk of host:ws-01 is [\d.]+ \(threshold 150\)/,
    );
    expect(links[0]?.data.accumulatedRisk).toBeGreaterThanOrEqual(150);
  });

  it('forgets incidents and entity risk older than the horizon on the next tick that records the watermark', () => {
    const h = new Harness(configOf({ defaults: { campaign: { horizonMs: 60 * MIN } } }));
    h.alert(anAlert({ at: 0, entities: [host('ws-01'), user('acme\\alice')] }));
    h.tick(30);
    expect(stateSize(h.state)).toMatchObject({
      openIncidents: 0,
      rememberedIncidents: 1,
      trackedEntities: 2,
    });
    h.alert(anAlert({ at: 200, entities: [host('ws-02')] }));
    // A tick records its watermark through the events it causes (here the close at 215).
    expect(typesOf(h.tick(216))).toEqual(['IncidentClosed']);
    expect(stateSize(h.state)).toMatchObject({ rememberedIncidents: 1, trackedEntities: 1 });
  });
});

describe('decideCorrelation: purity and envelopes', () => {
  const traffic = generateLabeledAlerts({
    seed: 'envelopes',
    tenants: 2,
    alertCount: 1_500,
    durationMs: 4 * 60 * MIN,
  });

  it('numbers every stream gap-free from 1 and gives every event a unique id', () => {
    const { events } = correlateAll(
      traffic.map((l) => l.alert),
      defaultCorrelationConfig(),
      deterministicIds(),
    );
    const last = new Map<string, number>();
    for (const event of events) {
      const key = `${event.tenantId}/${event.streamId}`;
      expect(event.sequence).toBe((last.get(key) ?? 0) + 1);
      last.set(key, event.sequence);
      expect(event.partitionKey).toBe(event.tenantId);
      expect(event.schemaVersion).toBe(1);
    }
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
  });

  it('gives the same events, ids included, for the same input', () => {
    const run = () =>
      correlateAll(
        traffic.map((l) => l.alert),
        defaultCorrelationConfig(),
        deterministicIds(),
      ).events;
    expect(run()).toEqual(run());
  });

  it('never changes the state it decides from', () => {
    const h = new Harness();
    for (const { alert } of traffic.slice(0, 400)) h.alert(alert);
    const before = JSON.stringify(stateSize(h.state));
    const probe = anAlert({ tenantId: traffic[0]?.alert.tenantId ?? 'acme', observedAt: T0 });
    const first = decideCorrelation({ kind: 'alert', alert: probe }, h.state, h.config, h.ids);
    const second = decideCorrelation({ kind: 'alert', alert: probe }, h.state, h.config, h.ids);
    expect(second).toEqual(first);
    expect(JSON.stringify(stateSize(h.state))).toBe(before);
  });
});
