// The dashboard: a live, prioritized incident queue, the incident detail with analyst actions,
// and an overview of noise reduction, priority bands and time to acknowledge. Plain ES modules,
// no build step.
import { createApi } from './api.js';
import { barChart, fillBuckets, noiseChart } from './charts.js';
import { renderDetail } from './detail.js';
import {
  $,
  ago,
  duration,
  h,
  incidentMain,
  label,
  priorityBadge,
  priorityBand,
  replace,
} from './dom.js';
import { KEY_STORAGE, retryLogin, showLogin, showMain } from './session.js';
import { storyRows } from './stories.js';

const BAND_COLORS = {
  critical: '#f5222d',
  high: '#fa8c16',
  medium: '#fadb14',
  low: '#69b1ff',
  unscored: '#8c8c8c',
};

const state = {
  api: null,
  incidents: new Map(),
  stories: [],
  expandedStory: null,
  storyDetail: null,
  nextCursor: null,
  selectedId: null,
  // A demo or a new tenant has minutes of data: the chart starts with the last hour, per minute.
  rangeHours: 1,
};

// ---- sign-in -------------------------------------------------------------------------------

// The key comes from the sign-in form only and stays in this tab's session storage; a key in
// the address bar would end up in history and server logs, so none is read from there.
function initialKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

async function start(key) {
  const api = createApi(key);
  let me;
  try {
    me = await api.me();
  } catch (error) {
    retryLogin(start, error);
    return;
  }
  state.api = api;
  showMain();
  $('[data-testid=tenant]').textContent = `${me.tenantId} · ${me.subject} (${me.role})`;
  $('[data-testid=admin-link]').hidden = me.role !== 'admin';
  const selected = new URL(location.href).searchParams.get('incident');
  await Promise.all([loadQueue(), loadStats()]);
  if (selected) await select(selected);
  api.stream({ status: showLive, incidents: onLiveIncidents, refresh: () => loadQueue() });
  setInterval(() => loadStats(), 60_000);
}

function showLive(status) {
  const el = $('[data-testid=live]');
  el.textContent = `● ${status}`;
  el.className = `live ${status}`;
}

// ---- queue ---------------------------------------------------------------------------------

function filterParams() {
  const form = new FormData($('[data-testid=filters]'));
  const params = {
    q: form.get('q').trim(),
    status: form.get('status'),
    priority_min: form.get('priority_min'),
    sort: form.get('sort'),
    tactic: form.get('tactic').trim(),
    limit: 50,
  };
  const entity = form.get('entity').trim();
  const colon = entity.indexOf(':');
  if (colon > 0) {
    params.entity_type = entity.slice(0, colon);
    params.entity_value = entity.slice(colon + 1);
  }
  return params;
}

const storiesShown = () => new FormData($('[data-testid=filters]')).get('view') === 'stories';

/** The story queue takes the filters stories have: status, priority, tactic, sort. */
async function loadStories({ append = false } = {}) {
  const { status, priority_min, sort, tactic, limit } = filterParams();
  const params = { status, priority_min, sort, tactic, limit };
  if (append && state.nextCursor) params.cursor = state.nextCursor;
  try {
    const page = await state.api.stories(params);
    state.stories = append ? [...state.stories, ...page.items] : page.items;
    state.nextCursor = page.nextCursor;
    if (state.expandedStory) state.storyDetail = await state.api.story(state.expandedStory);
    renderQueue();
  } catch (error) {
    toast(`Could not load stories: ${error.message}`, 'error');
  }
}

async function toggleStory(storyId) {
  state.expandedStory = state.expandedStory === storyId ? null : storyId;
  state.storyDetail = null;
  renderQueue();
  if (state.expandedStory === null) return;
  try {
    const detail = await state.api.story(storyId);
    if (state.expandedStory === storyId) state.storyDetail = detail;
    renderQueue();
  } catch (error) {
    toast(`Could not load story ${storyId}: ${error.message}`, 'error');
  }
}

function renderStories() {
  replace(
    $('[data-testid=queue]'),
    storyRows(state.stories, {
      expandedId: state.expandedStory,
      detail: state.storyDetail,
      selectedId: state.selectedId,
      onToggle: toggleStory,
      onSelect: select,
    }),
  );
  const n = state.stories.length;
  $('[data-testid=queue-meta]').textContent =
    `${n} stor${n === 1 ? 'y' : 'ies'}${state.nextCursor ? ' (more available)' : ''}`;
  $('[data-testid=more]').hidden = !state.nextCursor;
}

async function loadQueue({ append = false } = {}) {
  if (storiesShown()) return loadStories({ append });
  const params = filterParams();
  if (append && state.nextCursor) params.cursor = state.nextCursor;
  try {
    const page = await state.api.incidents(params);
    if (!append) state.incidents.clear();
    for (const incident of page.items) state.incidents.set(incident.incidentId, incident);
    state.nextCursor = page.nextCursor;
    renderQueue();
  } catch (error) {
    toast(`Could not load incidents: ${error.message}`, 'error');
  }
}

/** Live rows: merged in when they pass the filters the browser can check, else the list reloads. */
function onLiveIncidents(incidents) {
  const params = filterParams();
  if (storiesShown() || params.q || params.tactic || params.entity_type) {
    loadQueue();
  } else {
    const statuses = params.status ? params.status.split(',') : null;
    const min = params.priority_min ? Number(params.priority_min) : null;
    for (const incident of incidents) {
      const passes =
        (!statuses || statuses.includes(incident.status)) &&
        (min === null || (incident.priority ?? -1) >= min) &&
        incident.mergedInto === null;
      if (passes) state.incidents.set(incident.incidentId, { ...incident, fresh: Date.now() });
      else state.incidents.delete(incident.incidentId);
    }
    renderQueue();
  }
  if (incidents.some((i) => i.incidentId === state.selectedId)) refreshDetail();
  scheduleStats();
}

function sortedIncidents() {
  const byPriority = filterParams().sort !== 'last_seen';
  return [...state.incidents.values()].sort((a, b) => {
    if (byPriority && (b.priority ?? -1) !== (a.priority ?? -1))
      return (b.priority ?? -1) - (a.priority ?? -1);
    return (
      Date.parse(b.lastSeen) - Date.parse(a.lastSeen) || (a.incidentId < b.incidentId ? 1 : -1)
    );
  });
}

function renderQueue() {
  if (storiesShown()) return renderStories();
  const list = $('[data-testid=queue]');
  const items = sortedIncidents();
  replace(
    list,
    items.map((incident) => {
      return h(
        'li',
        {
          class: `incident ${incident.incidentId === state.selectedId ? 'selected' : ''} ${incident.fresh && Date.now() - incident.fresh < 4000 ? 'fresh' : ''}`,
          'data-incident-id': incident.incidentId,
          tabindex: 0,
          onclick: () => select(incident.incidentId),
          onkeydown: (event) => event.key === 'Enter' && select(incident.incidentId),
        },
        priorityBadge(incident.priority),
        incidentMain(
          incident.title,
          `${incident.alertCount} alerts · ${incident.entities
            .slice(0, 3)
            .map((e) => e.value)
            .join(', ')}${incident.entities.length > 3 ? '…' : ''} · ${ago(incident.lastSeen)}`,
        ),
        h(
          'div',
          { class: 'incident-side' },
          h(
            'span',
            { class: `status ${incident.status}`, 'data-testid': 'status' },
            label(incident.status),
          ),
          incident.escalated ? h('span', { class: 'tag escalated' }, 'escalated') : null,
        ),
      );
    }),
  );
  $('[data-testid=queue-meta]').textContent =
    `${items.length} incident${items.length === 1 ? '' : 's'}${state.nextCursor ? ' (more available)' : ''}`;
  $('[data-testid=more]').hidden = !state.nextCursor;
}

// ---- detail --------------------------------------------------------------------------------

async function select(incidentId) {
  state.selectedId = incidentId;
  const url = new URL(location.href);
  url.searchParams.set('incident', incidentId);
  history.replaceState(null, '', url);
  renderQueue();
  await refreshDetail();
}

let detailTimer = null;
async function refreshDetail() {
  clearTimeout(detailTimer);
  const id = state.selectedId;
  if (!id) return;
  try {
    const detail = await state.api.incident(id);
    if (state.selectedId !== id) return;
    renderDetail($('[data-testid=detail]'), detail, {
      act: (action, body) => runAction(() => state.api.act(id, action, body)),
      feedback: (body) => runAction(() => state.api.feedback(body)),
      filterEntity,
    });
  } catch (error) {
    replace(
      $('[data-testid=detail]'),
      h('p', { class: 'error' }, `Could not load ${id}: ${error.message}`),
    );
  }
}

async function runAction(call) {
  const pane = $('[data-testid=detail]');
  pane.classList.add('busy');
  try {
    const result = await call();
    toast(
      `${result.type} ${result.eventId.slice(0, 8)} · ${result.projected ? 'projected' : 'accepted, projecting…'}`,
    );
    if (result.incident) state.incidents.set(result.incident.incidentId, result.incident);
    renderQueue();
    await refreshDetail();
  } catch (error) {
    toast(error.message, 'error');
  } finally {
    pane.classList.remove('busy');
  }
}

function filterEntity(type, value) {
  const form = $('[data-testid=filters]');
  form.elements.entity.value = `${type}:${value}`;
  form.elements.status.value = '';
  loadQueue();
}

// ---- overview ------------------------------------------------------------------------------

let statsTimer = null;
function scheduleStats() {
  clearTimeout(statsTimer);
  statsTimer = setTimeout(loadStats, 2000);
}

async function loadStats() {
  try {
    const perMinute = state.rangeHours <= 1;
    const stats = await state.api.stats(state.rangeHours, perMinute ? 'minute' : 'hour');
    const buckets = perMinute
      ? fillBuckets(stats.perMinute, { count: 60, stepMs: 60_000, timeOf: (m) => m.minute })
      : fillBuckets(stats.hourly, {
          count: state.rangeHours,
          stepMs: 3600_000,
          timeOf: (h) => h.hour,
        });
    replace(
      $('[data-testid=noise-chart]'),
      noiseChart(buckets, { stepMs: perMinute ? 60_000 : 3600_000 }),
    );
    replace(
      $('[data-testid=priority-chart]'),
      barChart(
        stats.priorityDistribution.map((b) => ({
          label: b.band,
          value: b.count,
          color: BAND_COLORS[b.band],
        })),
        { labelWidth: 80, width: 320, barHeight: 18 },
      ),
    );
    const t = stats.totals;
    replace(
      $('[data-testid=figures]'),
      figure('alerts in', t.alertsIn),
      figure('incidents opened', t.incidentsOpened),
      figure(
        'noise reduction',
        t.noiseReduction === null ? '–' : `${Math.round(t.noiseReduction * 100)} %`,
        'share of alerts that did not become their own incident',
      ),
      figure(
        'mean time to acknowledge',
        duration(stats.timeToAcknowledge.meanMs),
        `p50 ${duration(stats.timeToAcknowledge.p50Ms)} · p90 ${duration(stats.timeToAcknowledge.p90Ms)} · ${stats.timeToAcknowledge.acknowledged} acknowledged`,
      ),
      figure('escalations', t.escalations),
    );
  } catch (error) {
    toast(`Could not load stats: ${error.message}`, 'error');
  }
}

const figure = (name, value, title) =>
  h(
    'div',
    { class: 'figure', title },
    h('div', { class: 'figure-value' }, value),
    h('div', { class: 'figure-name' }, name),
  );

// ---- misc ----------------------------------------------------------------------------------

function toast(message, kind = 'info') {
  const el = h('div', { class: `toast ${kind}` }, message);
  $('[data-testid=toasts]').append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

let filterTimer = null;
$('[data-testid=filters]').addEventListener('input', () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => loadQueue(), 250);
});
$('[data-testid=filters]').addEventListener('submit', (event) => event.preventDefault());
$('[data-testid=more]').addEventListener('click', () => loadQueue({ append: true }));
$('[data-testid=range]').addEventListener('change', (event) => {
  state.rangeHours = Number(event.target.value);
  loadStats();
});
$('[data-testid=sign-out]').addEventListener('click', () => {
  sessionStorage.removeItem(KEY_STORAGE);
  location.reload();
});
setInterval(() => state.api && renderQueue(), 30_000);

const key = initialKey();
if (key) start(key);
else showLogin(start);
