import type { AnalystVerdict, FeedbackEvent, IncidentEvent } from '@soc/contracts';
import { defaultCorrelationConfig } from './config';
import { deterministicIds } from './ids';
import { createCorrelator, type Correlator } from './runner';
import { anAlert, host, only } from '../../test/correlation/spec-support';

const HOUR_MIN = 60;
let serial = 0;

function aVerdict(
  incidentId: string,
  {
    verdict = 'false_positive',
    tenantId = 'acme',
    analyst = 'analyst:ana',
  }: {
    readonly verdict?: AnalystVerdict;
    readonly tenantId?: string;
    readonly analyst?: string;
  } = {},
): FeedbackEvent {
  serial += 1;
  return {
    eventId: `fb-${serial}`,
    type: 'IncidentVerdictGiven',
    schemaVersion: 1,
    tenantId,
    streamId: incidentId,
    sequence: 1,
    partitionKey: tenantId,
    occurredAt: 0,
    causationId: `request:fb-${serial}`,
    actor: analyst,
    data: { incidentId, verdict, notes: 'scheduled backup job' },
  };
}

const correlator = (): Correlator =>
  createCorrelator(defaultCorrelationConfig(), deterministicIds());

/** One alert of the backup pattern on ws-3, `at` minutes after T0, then a flush tick. */
function backupAlert(c: Correlator, at: number, tenantId = 'acme'): IncidentEvent[] {
  const alert = anAlert({ tenantId, at, ruleId: 'R-5710', entities: [host('ws-3')] });
  return [...c.push({ kind: 'alert', alert }), ...c.push({ kind: 'tick' })];
}

const openedIn = (events: readonly IncidentEvent[]): string =>
  only(events, 'IncidentOpened')[0]?.data.incidentId as string;

const feedbackOf = (events: readonly IncidentEvent[]) =>
  only(events, 'IncidentScored')
    .at(-1)
    ?.data.explanation.adjustments.find((adjustment) => adjustment.name === 'analyst_feedback');

/** Three incidents of the pattern closed as false positive, each two hours apart. */
function judgedPast(c: Correlator, tenantId = 'acme'): IncidentEvent[] {
  const log: IncidentEvent[] = [];
  const ids: string[] = [];
  for (const at of [0, 2 * HOUR_MIN, 4 * HOUR_MIN]) {
    const events = backupAlert(c, at, tenantId);
    log.push(...events);
    ids.push(openedIn(events));
  }
  for (const id of ids)
    log.push(...c.push({ kind: 'feedback', event: aVerdict(id, { tenantId }) }));
  return log;
}

describe('decideCorrelation: analyst feedback', () => {
  it('scores the next incident of a pattern closed as false positive lower, saying why', () => {
    const taught = correlator();
    judgedPast(taught);
    const next = backupAlert(taught, 6 * HOUR_MIN);
    const untaught = correlator();
    for (const at of [0, 2 * HOUR_MIN, 4 * HOUR_MIN]) backupAlert(untaught, at);
    const plain = backupAlert(untaught, 6 * HOUR_MIN);
    const adjustment = feedbackOf(next);
    expect(adjustment?.reason).toMatch(
      /^3 of 3 past incidents of rule R-5710 on host ws-3 were closed as false positive: -\d+$/,
    );
    expect(adjustment?.points).toBeLessThan(0);
    const priority = only(next, 'IncidentScored').at(-1)?.data.priority as number;
    expect(priority).toBeLessThan(only(plain, 'IncidentScored').at(-1)?.data.priority as number);
  });

  it('records each verdict as FeedbackApplied with the pattern, once however often it is delivered', () => {
    const c = correlator();
    const id = openedIn(backupAlert(c, 0));
    const verdict = aVerdict(id);
    const first = c.push({ kind: 'feedback', event: verdict });
    expect(only(first, 'FeedbackApplied')[0]?.data).toMatchObject({
      incidentId: id,
      analyst: 'analyst:ana',
      verdict: 'false_positive',
      closed: true,
      rules: ['R-5710'],
    });
    expect(only(first, 'FeedbackApplied')[0]?.causationId).toBe(verdict.eventId);
    expect(c.push({ kind: 'feedback', event: verdict })).toEqual([]);
  });

  it('credits a true positive to the rule that made the incident stand out, noise to every rule', () => {
    /** A day of the backup rule on ws-3, then a rule new there beside it: the incident's id. */
    const newRuleBesideRoutine = (c: Correlator): string => {
      for (let at = 0; at < 24 * HOUR_MIN; at += 20) backupAlert(c, at);
      const routine = anAlert({ at: 24 * HOUR_MIN, ruleId: 'R-5710', entities: [host('ws-3')] });
      const fresh = anAlert({ at: 24 * HOUR_MIN + 1, ruleId: 'R-9001', entities: [host('ws-3')] });
      const events = [routine, fresh].flatMap((alert) => c.push({ kind: 'alert', alert }));
      const attached = only(events, 'AlertAttached').find((e) => e.data.alert.ruleId === 'R-9001');
      return attached?.data.incidentId ?? openedIn(events);
    };
    const rulesApplied = (verdict: AnalystVerdict): readonly string[] | undefined => {
      const c = correlator();
      const id = newRuleBesideRoutine(c);
      const applied = c.push({ kind: 'feedback', event: aVerdict(id, { verdict }) });
      return only(applied, 'FeedbackApplied')[0]?.data.rules;
    };
    expect(rulesApplied('true_positive')).toEqual(['R-9001']);
    expect(rulesApplied('false_positive')).toEqual(['R-5710', 'R-9001']);
  });

  it('lets a true positive where nothing stood out outweigh the noise verdicts of its pattern', () => {
    const c = correlator();
    judgedPast(c);
    const real = openedIn(backupAlert(c, 6 * HOUR_MIN));
    const applied = c.push({
      kind: 'feedback',
      event: aVerdict(real, { verdict: 'true_positive' }),
    });
    expect(only(applied, 'FeedbackApplied')[0]?.data.rules).toEqual(['R-5710']);
    expect(feedbackOf(backupAlert(c, 8 * HOUR_MIN))?.points).toBeGreaterThan(0);
  });

  it('rescores open incidents of the pattern when the verdict arrives, with the verdict as the cause', () => {
    const c = correlator();
    const ids = [0, 2 * HOUR_MIN, 4 * HOUR_MIN].map((at) => openedIn(backupAlert(c, at)));
    const open = openedIn(backupAlert(c, 5 * HOUR_MIN));
    const events = ids.flatMap((id) => c.push({ kind: 'feedback', event: aVerdict(id) }));
    const rescored = only(events, 'IncidentScored').filter((e) => e.data.incidentId === open);
    expect(rescored.length).toBeGreaterThan(0);
    expect(rescored.at(-1)?.causationId).toMatch(/^fb-/);
    expect(feedbackOf(rescored)?.points).toBeLessThan(0);
  });

  it('never lets one tenant’s verdicts change another tenant’s scores', () => {
    const c = correlator();
    judgedPast(c, 'acme');
    for (const at of [0, 2 * HOUR_MIN, 4 * HOUR_MIN]) backupAlert(c, at, 'globex');
    const other = backupAlert(c, 6 * HOUR_MIN, 'globex');
    expect(feedbackOf(other)).toBeUndefined();
  });

  it('rebuilds the feedback model from the incident log alone: a replayed correlator scores the next alert the same', () => {
    const live = correlator();
    const log = judgedPast(live);
    const restarted = correlator();
    restarted.replay(log);
    const alert = anAlert({ at: 6 * HOUR_MIN, ruleId: 'R-5710', entities: [host('ws-3')] });
    const next = (c: Correlator) => [
      ...c.push({ kind: 'alert', alert }),
      ...c.push({ kind: 'tick' }),
    ];
    const fromLive = next(live);
    expect(feedbackOf(fromLive)?.points).toBeLessThan(0);
    expect(next(restarted)).toEqual(fromLive);
  });

  it('starts a linked incident for a new alert on an incident closed as false positive, and says so', () => {
    const c = correlator();
    const id = openedIn(backupAlert(c, 0));
    c.push({ kind: 'feedback', event: aVerdict(id) });
    const events = backupAlert(c, 1);
    const followed = only(events, 'ClosedIncidentFollowedUp')[0];
    const opened = openedIn(events);
    expect(opened).toBeDefined();
    expect(opened).not.toBe(id);
    expect(followed?.data).toMatchObject({
      incidentId: opened,
      closedIncidentId: id,
      verdict: 'false_positive',
      outcome: 'opened-linked-incident',
    });
    expect(only(events, 'AlertAttached').filter((e) => e.data.incidentId === id)).toEqual([]);
  });

  it('reopens an incident closed as true positive when a new alert joins it', () => {
    const c = correlator();
    const id = openedIn(backupAlert(c, 0));
    c.push({ kind: 'feedback', event: aVerdict(id, { verdict: 'true_positive' }) });
    const events = backupAlert(c, 1);
    expect(only(events, 'ClosedIncidentFollowedUp')[0]?.data).toMatchObject({
      incidentId: id,
      closedIncidentId: id,
      outcome: 'reopened',
    });
    // Once reopened it takes alerts as before, without another follow-up.
    expect(only(backupAlert(c, 2), 'ClosedIncidentFollowedUp')).toEqual([]);
  });
});
