import type { FeedbackEvent, IncidentEvent } from '@soc/contracts';
import { anAlert, host, only, T0 } from '../../test/correlation/spec-support';
import { defaultCorrelationConfig } from './config';
import { HELD_FEEDBACK_MAX_AGE_MS, MAX_HELD_FEEDBACK } from './held-feedback';
import { deterministicIds } from './ids';
import { createCorrelator, type Correlator } from './runner';

const HOUR_MIN = 60;
let serial = 0;

/** The original design's call: the priority an alert should have had, by the alert's id. */
function priorityFeedback(
  alertId: string,
  {
    correctPriority = 95,
    tenantId = 'acme',
    eventId,
  }: {
    readonly correctPriority?: number;
    readonly tenantId?: string;
    readonly eventId?: string;
  } = {},
): FeedbackEvent {
  serial += 1;
  const id = eventId ?? `alert:${alertId}#${serial}`;
  return {
    eventId: id,
    type: 'PriorityFeedbackGiven',
    schemaVersion: 1,
    tenantId,
    streamId: `alert:${alertId}`,
    sequence: serial,
    partitionKey: tenantId,
    occurredAt: T0,
    causationId: `request:${id}`,
    actor: 'analyst:ana',
    data: { incidentId: null, alertId, correctPriority, analystNotes: 'this share holds payroll' },
  };
}

const correlator = (): Correlator =>
  createCorrelator(defaultCorrelationConfig(), deterministicIds());

const shareAlert = (alertId: string, at: number, tenantId = 'acme', on = 'fs-1') =>
  anAlert({ tenantId, alertId, at, ruleId: 'R-share', entities: [host(on)] });

/** The alert, then a flush tick. */
const arrive = (c: Correlator, alert: ReturnType<typeof shareAlert>): IncidentEvent[] => [
  ...c.push({ kind: 'alert', alert }),
  ...c.push({ kind: 'tick' }),
];

/** An alert on another host, so that the tenant has an event time before the feedback. */
const warmUp = (c: Correlator, tenantId = 'acme') =>
  arrive(c, shareAlert('warm-up', 0, tenantId, 'fs-0'));

const feedback = (c: Correlator, event: FeedbackEvent) => c.push({ kind: 'feedback', event });

/** The events without what tells the two orders apart (ids, sequences, causation). */
const appliedOf = (events: readonly IncidentEvent[]) =>
  only(events, 'FeedbackApplied').map(({ data }) => data);
const correctionOf = (events: readonly IncidentEvent[]) =>
  only(events, 'IncidentScored')
    .at(-1)
    ?.data.explanation.adjustments.find((adjustment) => adjustment.name === 'analyst_feedback');

describe('decideCorrelation: feedback by alert id held for an alert not seen yet', () => {
  it('holds feedback that came before its alert and applies it when the alert arrives, as if the alert had been seen', () => {
    const early = correlator();
    warmUp(early);
    const fb = priorityFeedback('late-1');
    const held = feedback(early, fb);
    expect(only(held, 'FeedbackHeld')).toEqual([
      expect.objectContaining({
        streamId: 'unattached:acme',
        causationId: fb.eventId,
        data: {
          incidentId: null,
          alertId: 'late-1',
          feedbackEventId: fb.eventId,
          analyst: 'analyst:ana',
          correctPriority: 95,
          notes: 'this share holds payroll',
        },
      }),
    ]);
    expect(early.state.tenants.get('acme')?.heldFeedback.has('late-1')).toBe(true);
    const arrived = arrive(early, shareAlert('late-1', 30));

    const inOrder = correlator();
    warmUp(inOrder);
    arrive(inOrder, shareAlert('late-1', 30));
    const seen = feedback(inOrder, priorityFeedback('late-1'));

    expect(appliedOf(arrived)).toEqual(appliedOf(seen));
    expect(appliedOf(arrived)[0]).toMatchObject({ alertId: 'late-1', correctPriority: 95 });
    expect(only(arrived, 'FeedbackApplied')[0]?.causationId).toBe(fb.eventId);
    expect(correctionOf(arrived)).toEqual(correctionOf(seen));
    expect(correctionOf(arrived)?.points).toBeGreaterThan(0);
    expect(early.state.tenants.get('acme')?.heldFeedback.size).toBe(0);
  });

  it('applies held feedback to an alert folded as a repeat once the flush counts it', () => {
    const c = correlator();
    arrive(c, shareAlert('first', 0));
    feedback(c, priorityFeedback('repeat-1'));
    const folded = c.push({ kind: 'alert', alert: shareAlert('repeat-1', 1) });
    expect(only(folded, 'FeedbackApplied')).toEqual([]);
    const flushed = c.push({ kind: 'tick' });
    expect(only(flushed, 'IncidentRepeatsCounted')[0]?.data.series[0]?.alertIds).toContain(
      'repeat-1',
    );
    expect(appliedOf(flushed)).toEqual([expect.objectContaining({ alertId: 'repeat-1' })]);
  });

  it('rebuilds held feedback from the incident log: a restarted correlator applies it the same', () => {
    const live = correlator();
    const log = [...warmUp(live), ...feedback(live, priorityFeedback('late-2'))];
    const restarted = correlator();
    restarted.replay(log);
    expect(restarted.state.tenants.get('acme')?.heldFeedback).toEqual(
      live.state.tenants.get('acme')?.heldFeedback,
    );
    const alert = shareAlert('late-2', 30);
    const fromLive = arrive(live, alert);
    expect(appliedOf(fromLive)).toHaveLength(1);
    expect(arrive(restarted, alert)).toEqual(fromLive);
  });

  it('changes nothing when the same feedback event is delivered again while held', () => {
    const c = correlator();
    warmUp(c);
    const fb = priorityFeedback('late-3');
    expect(only(feedback(c, fb), 'FeedbackHeld')).toHaveLength(1);
    expect(feedback(c, fb)).toEqual([]);
  });

  it('keeps the latest feedback per alert: a newer correction replaces the held one', () => {
    const c = correlator();
    warmUp(c);
    feedback(c, priorityFeedback('late-4', { correctPriority: 95 }));
    feedback(c, priorityFeedback('late-4', { correctPriority: 20 }));
    expect(c.state.tenants.get('acme')?.heldFeedback.size).toBe(1);
    expect(appliedOf(arrive(c, shareAlert('late-4', 30)))).toEqual([
      expect.objectContaining({ correctPriority: 20 }),
    ]);
  });

  it('gives up held feedback when the tenant’s watermark passes its age, saying so, and then learns nothing', () => {
    const c = correlator();
    warmUp(c);
    const fb = priorityFeedback('never');
    feedback(c, fb);
    const heldAt = T0;
    const young = c.push({ kind: 'tick', watermark: heldAt + HELD_FEEDBACK_MAX_AGE_MS - 1 });
    expect(only(young, 'HeldFeedbackExpired')).toEqual([]);
    const expired = c.push({ kind: 'tick', watermark: heldAt + HELD_FEEDBACK_MAX_AGE_MS });
    expect(only(expired, 'HeldFeedbackExpired').map((e) => e.data)).toEqual([
      {
        incidentId: null,
        alertId: 'never',
        feedbackEventId: fb.eventId,
        analyst: 'analyst:ana',
        heldAt,
        reason: 'alert-not-seen',
      },
    ]);
    expect(c.state.tenants.get('acme')?.heldFeedback.size).toBe(0);
    const late = shareAlert('never', 25 * HOUR_MIN);
    expect(only(arrive(c, late), 'FeedbackApplied')).toEqual([]);
  });

  it('holds at most MAX_HELD_FEEDBACK per tenant, giving up the oldest first with a reason', () => {
    const c = correlator();
    warmUp(c);
    const first = priorityFeedback('missing-0');
    feedback(c, first);
    for (let i = 1; i < MAX_HELD_FEEDBACK; i += 1) feedback(c, priorityFeedback(`missing-${i}`));
    const overflow = feedback(c, priorityFeedback('missing-new'));
    expect(only(overflow, 'HeldFeedbackExpired').map((e) => e.data)).toEqual([
      expect.objectContaining({
        alertId: 'missing-0',
        feedbackEventId: first.eventId,
        reason: 'held-feedback-full',
      }),
    ]);
    const held = c.state.tenants.get('acme')?.heldFeedback;
    expect(held?.size).toBe(MAX_HELD_FEEDBACK);
    expect(held?.has('missing-0')).toBe(false);
    expect(held?.has('missing-new')).toBe(true);
  });

  it('never applies one tenant’s held feedback to another tenant’s alert of the same id', () => {
    const c = correlator();
    warmUp(c, 'acme');
    warmUp(c, 'globex');
    feedback(c, priorityFeedback('shared-id', { tenantId: 'acme' }));
    expect(only(arrive(c, shareAlert('shared-id', 30, 'globex')), 'FeedbackApplied')).toEqual([]);
    expect(c.state.tenants.get('acme')?.heldFeedback.has('shared-id')).toBe(true);
    expect(appliedOf(arrive(c, shareAlert('shared-id', 31, 'acme')))).toHaveLength(1);
  });
});
