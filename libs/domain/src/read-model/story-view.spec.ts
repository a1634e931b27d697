import {
  T0,
  acknowledged,
  anAlertSummary,
  campaignLinked,
  host,
  incidentMergedInto,
  incidentOpened,
  incidentScored,
  incidentsMerged,
  statusChanged,
} from '../../../../test/support/incident-events';
import { evolveIncidentView, type ReadModelEvent } from './evolve-incident-view';
import type { IncidentView } from './incident-view';
import { STORY_LIMITS, storyIdOf, storyViewOf } from './story-view';

/** Folds events into incident views, as the projector does. */
function viewsOf(events: readonly ReadModelEvent[]): Map<string, IncidentView> {
  const views = new Map<string, IncidentView>();
  for (const event of events) {
    const id =
      'incidentId' in event.data && event.data.incidentId ? event.data.incidentId : event.streamId;
    const change = evolveIncidentView(views.get(id), event, { lookup: (o) => views.get(o) });
    if (change.view) views.set(id, change.view);
  }
  return views;
}

const opened = (id: string, hostName: string, at = T0) =>
  incidentOpened(
    id,
    anAlertSummary({ alertId: `${id}-a1`, observedAt: at, entities: [host(hostName)] }),
    { occurredAt: at },
  );

/** Every story of the views, as the projector recomputes them. */
function storiesOf(views: Map<string, IncidentView>) {
  const members = new Map<string, IncidentView[]>();
  for (const view of views.values()) {
    const storyId = storyIdOf(view);
    if (storyId !== null) members.set(storyId, [...(members.get(storyId) ?? []), view]);
  }
  return new Map(
    [...members].map(([storyId, list]) => [
      storyId,
      storyViewOf({ tenantId: 'tenant-a', storyId, members: list }),
    ]),
  );
}

describe('storyViewOf', () => {
  it('makes an incident without a campaign link a story of its own, named by the incident', () => {
    const stories = storiesOf(
      viewsOf([opened('inc-1', 'ws-01'), incidentScored('inc-1', 64, { sequence: 2 })]),
    );
    expect([...stories.keys()]).toEqual(['inc-1']);
    expect(stories.get('inc-1')).toMatchObject({
      campaignId: null,
      priority: 64,
      leadIncidentId: 'inc-1',
      incidentIds: ['inc-1'],
      incidentCount: 1,
      status: 'open',
      summary: expect.stringMatching(/^1 alert, led by incident inc-1 at priority 64: /),
    });
  });

  it('joins incidents of one campaign into one story ranked by its most urgent member', () => {
    const views = viewsOf([
      opened('inc-1', 'ws-01'),
      opened('inc-2', 'db-01', T0 + 3_600_000),
      opened('inc-3', 'ws-09'),
      incidentScored('inc-1', 40, { sequence: 2 }),
      incidentScored('inc-2', 91, { sequence: 2 }),
      incidentScored('inc-3', 99, { sequence: 2 }),
      campaignLinked('inc-1', 'camp-1', { sequence: 3 }),
      campaignLinked('inc-2', 'camp-1', { sequence: 3 }),
    ]);
    const stories = storiesOf(views);
    expect([...stories.keys()].sort()).toEqual(['camp-1', 'inc-3']);
    expect(stories.get('camp-1')).toMatchObject({
      campaignId: 'camp-1',
      title: views.get('inc-2')?.title,
      priority: 91,
      leadIncidentId: 'inc-2',
      incidentIds: ['inc-2', 'inc-1'],
      incidentCount: 2,
      alertCount: 2,
      hostCount: 2,
      firstSeen: T0,
      lastSeen: T0 + 3_600_000,
      summary: expect.stringMatching(
        /^2 incidents joined by campaign links, 2 alerts on 2 hosts, led by incident inc-2 at priority 91/,
      ),
    });
    expect(stories.get('camp-1')?.entities.map((e) => e.value)).toEqual(['db-01', 'ws-01']);
  });

  it('counts an incident merged into another through its survivor only', () => {
    const views = viewsOf([
      opened('inc-1', 'ws-01'),
      opened('inc-2', 'ws-01'),
      campaignLinked('inc-2', 'camp-2', { sequence: 2 }),
      incidentMergedInto('inc-2', 'inc-1', { sequence: 3 }),
      incidentsMerged('inc-1', 'inc-2', { sequence: 2 }),
    ]);
    expect(storyIdOf(views.get('inc-2') as IncidentView)).toBeNull();
    const stories = storiesOf(views);
    expect([...stories.keys()]).toEqual(['camp-2']);
    expect(stories.get('camp-2')).toMatchObject({ incidentIds: ['inc-1'], alertCount: 2 });
  });

  it('is closed only when analysts closed every member, and open while any member is open', () => {
    const base = [
      opened('inc-1', 'ws-01'),
      opened('inc-2', 'ws-02'),
      campaignLinked('inc-1', 'camp-1', { sequence: 2 }),
      campaignLinked('inc-2', 'camp-1', { sequence: 2 }),
    ];
    const story = (events: readonly ReadModelEvent[]) => storiesOf(viewsOf(events)).get('camp-1');
    expect(story([...base, acknowledged('inc-1', { sequence: 1 })])).toMatchObject({
      status: 'open',
      openIncidents: 2,
    });
    const closeBoth = [
      statusChanged('inc-1', 'closed', { sequence: 1 }),
      statusChanged('inc-2', 'in_progress', { sequence: 1 }),
    ];
    expect(story([...base, ...closeBoth])).toMatchObject({
      status: 'in_progress',
      openIncidents: 1,
    });
    expect(
      story([...base, ...closeBoth, statusChanged('inc-2', 'closed', { sequence: 2 })]),
    ).toMatchObject({ status: 'closed', openIncidents: 0 });
  });

  it('has no row once every member left, and bounds the lists it keeps', () => {
    expect(storyViewOf({ tenantId: 'tenant-a', storyId: 'camp-1', members: [] })).toBeNull();
    const many = [
      ...viewsOf(
        Array.from({ length: STORY_LIMITS.incidentIds + 5 }, (_, n) =>
          opened(`inc-${n}`, `h-${n}`),
        ),
      ).values(),
    ].map((view) => ({ ...view, campaignId: 'camp-1' }));
    const story = storyViewOf({ tenantId: 'tenant-a', storyId: 'camp-1', members: many });
    expect(story?.incidentCount).toBe(STORY_LIMITS.incidentIds + 5);
    expect(story?.incidentIds).toHaveLength(STORY_LIMITS.incidentIds);
    expect(story?.entities).toHaveLength(STORY_LIMITS.entities);
    expect(story?.hostCount).toBe(STORY_LIMITS.incidentIds + 5);
  });
});
