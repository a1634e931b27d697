import {
  T0,
  acknowledged,
  alertAttached,
  alertSuppressed,
  anAlertSummary,
  assigned,
  campaignLinked,
  host,
  incidentClosed,
  incidentEscalated,
  incidentMergedInto,
  incidentRepeatsCounted,
  incidentOpened,
  incidentScored,
  incidentsMerged,
  ip,
  lateAlertHandled,
  priorityFeedback,
  repeatsCounted,
  statusChanged,
  verdictGiven,
} from '../../../../test/support/incident-events';
import { evolveIncidentView, hourOf, minuteOf, type ReadModelEvent } from './evolve-incident-view';
import type { IncidentView, ViewChange } from './incident-view';
import { MAX_VIEW_ENTITIES } from './view-draft';

/** Folds events in order, collecting every row the projection would append. */
function given(events: readonly ReadModelEvent[], views = new Map<string, IncidentView>()) {
  const changes: ViewChange[] = [];
  for (const event of events) {
    const id =
      'incidentId' in event.data && event.data.incidentId ? event.data.incidentId : event.streamId;
    const change = evolveIncidentView(views.get(id), event, {
      lookup: (other) => views.get(other),
    });
    if (change.view) views.set(id, change.view);
    changes.push(change);
  }
  return { views, changes, view: (id = 'inc-1') => views.get(id) as IncidentView };
}

const second = anAlertSummary({
  alertId: 'alert-2',
  observedAt: T0 + 120_000,
  ruleId: 'R-200',
  ruleName: 'Credential dumping',
  severity: 90,
  tactics: ['TA0006'],
  entities: [host('ws-01'), ip('10.0.0.5')],
});

describe('evolveIncidentView', () => {
  describe('given no view', () => {
    it('opens the row from IncidentOpened with the first alert, an alert row and a timeline entry', () => {
      const { view, changes } = given([incidentOpened('inc-1')]);
      expect(view()).toMatchObject({
        tenantId: 'tenant-a',
        incidentId: 'inc-1',
        opened: true,
        title: 'Suspicious PowerShell on ws-01 (alert-1)',
        status: 'open',
        alertCount: 1,
        distinctRules: 1,
        rules: ['R-100'],
        tactics: ['TA0002'],
        firstSeen: T0,
        lastSeen: T0,
        openedAt: T0,
        lastIncidentSeq: 1,
        lastFeedbackSeq: 0,
      });
      expect(view().entities).toEqual([
        { type: 'host', value: 'ws-01', role: null },
        { type: 'user', value: 'corp\\alice', role: null },
      ]);
      const [change] = changes;
      expect(change?.alerts).toEqual([
        expect.objectContaining({
          incidentId: 'inc-1',
          via: 'opened',
          alert: expect.objectContaining({ alertId: 'alert-1' }),
        }),
      ]);
      expect(change?.timeline).toEqual([
        expect.objectContaining({
          eventId: 'inc-tenant-a-inc-1-1',
          stream: 'incident',
          type: 'IncidentOpened',
          actor: 'rule:shared-entity',
          occurredAt: T0,
          summary: 'Incident opened: Suspicious PowerShell on ws-01 (alert-1)',
        }),
      ]);
      expect(change?.stats).toEqual(
        expect.arrayContaining([
          {
            tenantId: 'tenant-a',
            hour: hourOf(T0),
            minute: minuteOf(T0),
            alertsIn: 0,
            incidentsOpened: 1,
            escalations: 0,
          },
          {
            tenantId: 'tenant-a',
            hour: hourOf(T0),
            minute: minuteOf(T0),
            alertsIn: 1,
            incidentsOpened: 0,
            escalations: 0,
          },
        ]),
      );
    });

    it('keeps feedback that arrives before the incident opens and fills the rest in later', () => {
      const { view } = given([assigned('inc-1', 'bob', { sequence: 1 }), incidentOpened('inc-1')]);
      expect(view()).toMatchObject({
        opened: true,
        assignee: 'bob',
        alertCount: 1,
        lastFeedbackSeq: 1,
        lastIncidentSeq: 1,
      });
    });
  });

  describe('given an open incident', () => {
    const opened = [incidentOpened('inc-1')];

    it('lists at most MAX_VIEW_ENTITIES entities on the row, while every entity gets its entity row', () => {
      const wide = (n: number) =>
        anAlertSummary({
          alertId: `wide-${n}`,
          entities: Array.from({ length: 128 }, (_, i) => host(`h-${n}-${i}`)),
        });
      const attached = Array.from({ length: 100 }, (_, n) =>
        alertAttached('inc-1', wide(n), { sequence: n + 2 }),
      );
      const started = Date.now();
      const { view, changes } = given([...opened, ...attached]);
      // 12,800 entities took 4.1 s with a scan of the list per entity; linear now.
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(view().entities).toHaveLength(MAX_VIEW_ENTITIES);
      expect(view().entities[2]).toMatchObject({ value: 'h-0-0' });
      expect(changes.slice(1).reduce((n, c) => n + c.entityTouches.length, 0)).toBe(12_800);
    });

    it('counts an attached alert and adds its rule, tactics, entities and time span', () => {
      const { view, changes } = given([...opened, alertAttached('inc-1', second, { sequence: 2 })]);
      expect(view()).toMatchObject({
        alertCount: 2,
        distinctRules: 2,
        rules: ['R-100', 'R-200'],
        tactics: ['TA0002', 'TA0006'],
        firstSeen: T0,
        lastSeen: T0 + 120_000,
        maxSeverity: 90,
      });
      expect(view().entities.map((e) => `${e.type}:${e.value}`)).toEqual([
        'host:ws-01',
        'user:corp\\alice',
        'ip:10.0.0.5',
      ]);
      expect(changes[1]?.alerts[0]).toMatchObject({ via: 'attached', linkedBy: [host('ws-01')] });
      expect(changes[1]?.timeline[0]?.summary).toBe(
        'Alert attached: Suspicious PowerShell on ws-01 (alert-2) (rule Credential dumping), linked by host ws-01',
      );
      expect(changes[1]?.entityTouches.map((t) => t.value)).toEqual(['ws-01', '10.0.0.5']);
    });

    it('counts repeats by the growth of each repeat key total, not by event', () => {
      const { view, changes } = given([
        ...opened,
        repeatsCounted('inc-1', 3, { sequence: 2 }),
        repeatsCounted('inc-1', 5, { sequence: 3 }),
      ]);
      expect(view()).toMatchObject({ alertCount: 1 + 5, repeatCounts: { 'R-100|host:ws-01': 5 } });
      expect(changes[2]?.stats.reduce((sum, s) => sum + s.alertsIn, 0)).toBe(2);
      expect(changes[2]?.timeline[0]?.summary).toBe('5 repeats of rule R-100 (routine rhythm)');
    });

    it('counts every series of an IncidentRepeatsCounted, after older per-key counters, in one timeline entry', () => {
      const { view, changes } = given([
        ...opened,
        repeatsCounted('inc-1', 3, { sequence: 2 }),
        incidentRepeatsCounted(
          'inc-1',
          [
            { repeatKey: 'R-100|host:ws-01', totalRepeats: 5 },
            { repeatKey: 'R-100|host:ws-02', totalRepeats: 2 },
          ],
          { sequence: 3 },
        ),
      ]);
      expect(view()).toMatchObject({
        alertCount: 1 + 5 + 2,
        repeatCounts: { 'R-100|host:ws-01': 5, 'R-100|host:ws-02': 2 },
      });
      expect(changes[2]?.stats.reduce((sum, s) => sum + s.alertsIn, 0)).toBe(2 + 2);
      expect(changes[2]?.timeline).toHaveLength(1);
      expect(changes[2]?.timeline[0]?.summary).toBe(
        '5 repeats of rule R-100 (routine rhythm); 2 repeats of rule R-100',
      );
    });

    it('takes priority and explanation from IncidentScored and never lowers a count it knows', () => {
      const { view } = given([
        ...opened,
        alertAttached('inc-1', second, { sequence: 2 }),
        incidentScored('inc-1', 81, { sequence: 3 }),
      ]);
      expect(view()).toMatchObject({ priority: 81, alertCount: 2, distinctRules: 2 });
      expect(view().explanation?.factors.map((f) => f.name)).toEqual([
        'severity',
        'business_context',
        'threat_intel',
        'confidence',
        'freshness',
      ]);
    });

    it('marks escalation once and counts it in the hour it happened', () => {
      const at = T0 + 2 * 3_600_000 + 5;
      const { view, changes } = given([
        ...opened,
        incidentEscalated('inc-1', 85, { sequence: 2, occurredAt: at }),
        incidentEscalated('inc-1', 90, { sequence: 3, occurredAt: at + 1 }),
      ]);
      expect(view().escalated).toBe(true);
      expect(changes[1]?.stats).toEqual([
        {
          tenantId: 'tenant-a',
          hour: hourOf(at),
          minute: minuteOf(at),
          alertsIn: 0,
          incidentsOpened: 0,
          escalations: 1,
        },
      ]);
      expect(changes[2]?.stats).toEqual([]);
    });

    it('records the campaign and keeps the analyst status when the correlation window closes', () => {
      const { view } = given([
        ...opened,
        campaignLinked('inc-1', 'camp-7', { sequence: 2 }),
        incidentClosed('inc-1', 'window-expired', { sequence: 3 }),
      ]);
      expect(view()).toMatchObject({
        campaignId: 'camp-7',
        correlationClosedReason: 'window-expired',
        status: 'open',
      });
    });

    it('lists a suppressed alert without counting it in the incident', () => {
      const { view, changes } = given([
        ...opened,
        alertSuppressed('inc-1', second, { sequence: 2 }),
      ]);
      expect(view().alertCount).toBe(1);
      expect(changes[1]?.alerts[0]).toMatchObject({ via: 'suppressed' });
      expect(changes[1]?.stats).toEqual([expect.objectContaining({ alertsIn: 1 })]);
    });

    it('explains a late alert in the timeline and leaves counting to the event that attaches it', () => {
      const { view, changes } = given([
        ...opened,
        lateAlertHandled('inc-1', second, 'attached-to-open-incident', { sequence: 2 }),
      ]);
      expect(view().alertCount).toBe(1);
      expect(changes[1]?.stats).toEqual([]);
      expect(changes[1]?.timeline[0]?.summary).toBe(
        'Late alert attached to open incident: arrived 2h late',
      );
    });
  });

  describe('given two incidents that merge', () => {
    const absorbedAlert = anAlertSummary({
      alertId: 'alert-9',
      ruleId: 'R-900',
      tactics: ['TA0008'],
      entities: [host('db-01')],
    });
    const events = [
      incidentOpened('inc-1'),
      incidentOpened('inc-2', absorbedAlert, { sequence: 1 }),
      incidentMergedInto('inc-2', 'inc-1', { sequence: 2 }),
      incidentsMerged('inc-1', 'inc-2', { sequence: 2 }),
    ];

    it('the survivor takes over the absorbed alerts, rules, tactics and entities', () => {
      const { view } = given(events);
      expect(view('inc-1')).toMatchObject({
        alertCount: 2,
        rules: ['R-100', 'R-900'],
        distinctRules: 2,
        tactics: ['TA0002', 'TA0008'],
        absorbedIncidentIds: ['inc-2'],
      });
      expect(view('inc-1').entities.map((e) => e.value)).toEqual(['ws-01', 'corp\\alice', 'db-01']);
    });

    it("the survivor without a campaign joins the absorbed incident's, as the correlator does", () => {
      const linked = [
        incidentOpened('inc-1'),
        incidentOpened('inc-2', absorbedAlert, { sequence: 1 }),
        campaignLinked('inc-2', 'camp-1', { sequence: 2 }),
        incidentMergedInto('inc-2', 'inc-1', { sequence: 3 }),
        incidentsMerged('inc-1', 'inc-2', { sequence: 2 }),
      ];
      expect(given(linked).view('inc-1').campaignId).toBe('camp-1');
      expect(given(events).view('inc-1').campaignId).toBeNull();
    });

    it('the absorbed incident is closed and points at the survivor', () => {
      const { view } = given(events);
      expect(view('inc-2')).toMatchObject({
        mergedInto: 'inc-1',
        status: 'closed',
        analystStatus: 'open',
      });
    });
  });

  describe('given analyst feedback', () => {
    const opened = [incidentOpened('inc-1')];

    it('acknowledging moves an open incident to acknowledged and starts time to acknowledge', () => {
      const at = T0 + 600_000;
      const { view } = given([...opened, acknowledged('inc-1', { sequence: 1, occurredAt: at })]);
      expect(view()).toMatchObject({
        status: 'acknowledged',
        acknowledgedAt: at,
        lastFeedbackSeq: 1,
        lastIncidentSeq: 1,
      });
    });

    it('acknowledging an incident already in progress keeps its status', () => {
      const { view } = given([
        ...opened,
        statusChanged('inc-1', 'in_progress', { sequence: 1 }),
        acknowledged('inc-1', { sequence: 2 }),
      ]);
      expect(view().status).toBe('in_progress');
    });

    it('a verdict closes the incident with its notes, by the analyst who gave it', () => {
      const { view, changes } = given([
        ...opened,
        assigned('inc-1', 'alice', { sequence: 1 }),
        verdictGiven(
          'inc-1',
          'false_positive',
          { sequence: 2, actor: 'analyst:alice' },
          'known admin script',
        ),
      ]);
      expect(view()).toMatchObject({
        status: 'closed',
        verdict: 'false_positive',
        verdictNotes: 'known admin script',
        assignee: 'alice',
        closedAt: T0 + 2_000,
      });
      expect(changes[2]?.timeline[0]).toMatchObject({
        stream: 'feedback',
        actor: 'analyst:alice',
        summary: 'Closed as false positive: known admin script',
      });
    });

    it('reopening clears the close time', () => {
      const { view } = given([
        ...opened,
        statusChanged('inc-1', 'closed', { sequence: 1 }),
        statusChanged('inc-1', 'open', { sequence: 2 }),
      ]);
      expect(view()).toMatchObject({ status: 'open', closedAt: null });
    });

    it('incident-level priority feedback is kept; alert-level feedback only goes to the timeline', () => {
      const { view } = given([
        ...opened,
        priorityFeedback('inc-1', 30, { sequence: 1 }),
        priorityFeedback('inc-1', 10, { sequence: 2 }, 'alert-1'),
      ]);
      expect(view().analystPriority).toBe(30);
    });
  });

  describe('when an event is delivered again', () => {
    it('changes nothing for an incident-stream sequence already applied', () => {
      const { views, view } = given([
        incidentOpened('inc-1'),
        alertAttached('inc-1', second, { sequence: 2 }),
      ]);
      const before = view();
      const change = evolveIncidentView(before, alertAttached('inc-1', second, { sequence: 2 }));
      expect(change).toMatchObject({
        applied: false,
        skipped: 'already-applied',
        alerts: [],
        timeline: [],
        stats: [],
      });
      expect(change.view).toBe(before);
      expect(views.get('inc-1')).toBe(before);
    });

    it('checks feedback sequences separately from incident sequences', () => {
      const { view } = given([
        incidentOpened('inc-1'),
        alertAttached('inc-1', second, { sequence: 2 }),
      ]);
      const change = evolveIncidentView(view(), acknowledged('inc-1', { sequence: 1 }));
      expect(change.applied).toBe(true);
      const again = evolveIncidentView(change.view, acknowledged('inc-1', { sequence: 1 }));
      expect(again.applied).toBe(false);
    });

    it('applies an event past a sequence gap and reports the gap', () => {
      const { view } = given([incidentOpened('inc-1')]);
      const change = evolveIncidentView(view(), incidentScored('inc-1', 50, { sequence: 4 }));
      expect(change).toMatchObject({ applied: true, gap: true });
      expect(change.view?.lastIncidentSeq).toBe(4);
    });
  });

  describe('when the two streams interleave differently', () => {
    it('gives the same row whatever order incident and feedback events arrive in', () => {
      const incidentStream: ReadModelEvent[] = [
        incidentOpened('inc-1'),
        alertAttached('inc-1', second, { sequence: 2 }),
        incidentScored('inc-1', 77, { sequence: 3 }),
        incidentMergedInto('inc-1', 'inc-0', { sequence: 4 }),
      ];
      const feedbackStream: ReadModelEvent[] = [
        acknowledged('inc-1', { sequence: 1, occurredAt: T0 + 10 }),
        assigned('inc-1', 'carol', { sequence: 2, occurredAt: T0 + 20 }),
        statusChanged('inc-1', 'in_progress', { sequence: 3, occurredAt: T0 + 30 }),
      ];
      const incidentsFirst = given([...incidentStream, ...feedbackStream]).view();
      const feedbackFirst = given([...feedbackStream, ...incidentStream]).view();
      const [opened, attached, scored, merged] = incidentStream as [
        ReadModelEvent,
        ReadModelEvent,
        ReadModelEvent,
        ReadModelEvent,
      ];
      const [ack, assign, progress] = feedbackStream as [
        ReadModelEvent,
        ReadModelEvent,
        ReadModelEvent,
      ];
      const interleaved = given([opened, ack, attached, scored, assign, merged, progress]).view();
      expect(feedbackFirst).toEqual(incidentsFirst);
      expect(interleaved).toEqual(incidentsFirst);
      expect(incidentsFirst).toMatchObject({
        status: 'closed',
        analystStatus: 'in_progress',
        assignee: 'carol',
      });
    });
  });

  describe('given an event about no incident', () => {
    it('counts a suppressed alert in the hourly stats without creating a row', () => {
      const change = evolveIncidentView(undefined, alertSuppressed(null, second));
      expect(change).toMatchObject({
        view: undefined,
        applied: true,
        skipped: 'no-incident',
        timeline: [],
      });
      expect(change.stats).toEqual([
        {
          tenantId: 'tenant-a',
          hour: hourOf(second.observedAt),
          minute: minuteOf(second.observedAt),
          alertsIn: 1,
          incidentsOpened: 0,
          escalations: 0,
        },
      ]);
    });
  });
});
