// The incident detail pane: header, analyst actions, score explanation chart, alert timeline,
// entities, threat-intel verdicts and the audit trail.
import { barChart } from './charts.js';
import { ago, clock, h, label, priorityBand } from './dom.js';

const FACTOR_COLORS = {
  severity: '#e8684a',
  business_context: '#5b8ff9',
  threat_intel: '#b37feb',
  confidence: '#5ad8a6',
  freshness: '#f6bd16',
};

const VERDICTS = [
  ['true_positive', 'True positive'],
  ['benign_positive', 'Benign positive'],
  ['false_positive', 'False positive'],
];

/**
 * Renders `detail` (GET /incidents/:id) into `root`. `actions` runs analyst actions:
 * actions.act(action, body) and actions.feedback(body), both resolving with the API answer.
 */
export function renderDetail(root, detail, actions) {
  const { incident, score, alerts, alertsTotal, entities, intel, timeline } = detail;
  const band = priorityBand(incident.priority);
  const notes = h('textarea', {
    rows: 2,
    placeholder: 'Notes for the verdict or status change',
    'data-testid': 'notes',
    'aria-label': 'Notes',
  });
  const notesValue = () => notes.value.trim() || null;

  const verdictButtons = VERDICTS.map(([verdict, text]) =>
    h(
      'button',
      {
        type: 'button',
        class: `verdict ${verdict}`,
        'data-verdict': verdict,
        onclick: () => actions.act('verdict', { verdict, notes: notesValue() }),
      },
      text,
    ),
  );
  const assignee = h('input', {
    placeholder: 'assignee',
    value: incident.assignee ?? '',
    'aria-label': 'Assignee',
    size: 12,
  });
  const correctPriority = h('input', {
    type: 'number',
    min: 0,
    max: 100,
    step: 1,
    placeholder: '0-100',
    'aria-label': 'Correct priority',
    'data-testid': 'correct-priority',
  });
  const feedbackNotes = h('input', { placeholder: 'why', 'aria-label': 'Feedback notes' });

  root.replaceChildren(
    h(
      'header',
      { class: 'detail-head' },
      h(
        'div',
        { class: `priority big ${band}`, title: `priority band: ${band}` },
        incident.priority === null ? '–' : Math.round(incident.priority),
      ),
      h(
        'div',
        {},
        h('h2', { 'data-testid': 'detail-title' }, incident.title),
        h(
          'p',
          { class: 'meta' },
          h(
            'span',
            { class: `status ${incident.status}`, 'data-testid': 'detail-status' },
            label(incident.status),
          ),
          incident.verdict
            ? h(
                'span',
                { class: `verdict-tag ${incident.verdict}`, 'data-testid': 'detail-verdict' },
                label(incident.verdict),
              )
            : null,
          incident.escalated ? h('span', { class: 'tag escalated' }, 'escalated') : null,
          incident.assignee
            ? h('span', { class: 'tag' }, `assigned to ${incident.assignee}`)
            : null,
          incident.campaignId
            ? h('span', { class: 'tag' }, `campaign ${incident.campaignId}`)
            : null,
          incident.mergedInto
            ? h('span', { class: 'tag' }, `merged into ${incident.mergedInto}`)
            : null,
        ),
        h(
          'p',
          { class: 'meta small' },
          `${incident.incidentId} · ${incident.alertCount} alerts · ${incident.distinctRules} rules · first ${clock(incident.firstSeen)} · last ${ago(incident.lastSeen)}`,
        ),
      ),
    ),
    h(
      'section',
      { class: 'actions', 'aria-label': 'Analyst actions' },
      h(
        'div',
        { class: 'row' },
        h(
          'button',
          {
            type: 'button',
            'data-action': 'acknowledge',
            onclick: () => actions.act('acknowledge', {}),
          },
          'Acknowledge',
        ),
        h(
          'button',
          {
            type: 'button',
            'data-action': 'in_progress',
            onclick: () => actions.act('status', { status: 'in_progress', notes: notesValue() }),
          },
          'Start work',
        ),
        h(
          'form',
          {
            class: 'inline',
            onsubmit: (event) => {
              event.preventDefault();
              if (assignee.value.trim()) actions.act('assign', { assignee: assignee.value.trim() });
            },
          },
          assignee,
          h('button', { type: 'submit' }, 'Assign'),
        ),
        incident.status === 'closed'
          ? h(
              'button',
              {
                type: 'button',
                onclick: () => actions.act('status', { status: 'open', notes: notesValue() }),
              },
              'Reopen',
            )
          : null,
      ),
      notes,
      h(
        'div',
        { class: 'row verdicts' },
        h('span', { class: 'muted' }, 'Close as'),
        verdictButtons,
      ),
      h(
        'form',
        {
          class: 'row inline',
          onsubmit: (event) => {
            event.preventDefault();
            const value = Number(correctPriority.value);
            if (correctPriority.value === '' || !Number.isFinite(value)) return;
            actions.feedback({
              incident_id: incident.incidentId,
              correct_priority: value,
              analyst_notes: feedbackNotes.value.trim() || null,
            });
          },
        },
        h('span', { class: 'muted' }, 'Priority should be'),
        correctPriority,
        feedbackNotes,
        h('button', { type: 'submit', 'data-action': 'feedback' }, 'Send feedback'),
        incident.analystPriority === null
          ? null
          : h('span', { class: 'muted' }, `analysts said ${incident.analystPriority}`),
      ),
    ),
    scoreSection(score),
    alertsSection(alerts, alertsTotal, actions),
    entitiesSection(entities, actions),
    intelSection(intel ?? []),
    timelineSection(timeline),
  );
}

function scoreSection(score) {
  if (!score.summary)
    return h(
      'section',
      { class: 'panel' },
      h('h3', {}, 'Score'),
      h('p', { class: 'muted' }, 'Not scored yet.'),
    );
  const rows = [
    ...score.factors.map((f) => ({
      label: label(f.name),
      value: round(f.points),
      color: FACTOR_COLORS[f.name],
      note: `${f.reason} (raw ${f.raw} × weight ${f.weight})`,
    })),
    ...score.adjustments.map((a) => ({
      label: label(a.name),
      value: round(a.points),
      color: a.points < 0 ? '#8c8c8c' : '#ff7a45',
      note: a.reason,
    })),
  ];
  return h(
    'section',
    { class: 'panel', 'data-testid': 'score' },
    h('h3', {}, `Why priority ${score.priority === null ? '–' : Math.round(score.priority)}`),
    h('p', { class: 'muted' }, score.summary),
    h('div', { class: 'chart' }, barChart(rows, { unit: ' pts' })),
    h(
      'ul',
      { class: 'reasons' },
      score.factors.map((f) => h('li', {}, h('b', {}, label(f.name)), ` ${f.reason}`)),
      score.adjustments.map((a) => h('li', {}, h('b', {}, label(a.name)), ` ${a.reason}`)),
    ),
  );
}

function alertsSection(alerts, total, actions) {
  return h(
    'section',
    { class: 'panel' },
    h('h3', {}, `Alert timeline (${total})`),
    h(
      'ol',
      { class: 'alert-timeline', 'data-testid': 'alerts' },
      alerts.map((a) =>
        h(
          'li',
          { class: a.via === 'suppressed' ? 'suppressed' : '' },
          h('time', { datetime: a.observedAt }, clock(a.observedAt)),
          h(
            'span',
            { class: `sev ${priorityBand(a.severity)}`, title: 'severity' },
            Math.round(a.severity),
          ),
          h(
            'div',
            {},
            h('div', { class: 'alert-title' }, a.title),
            h(
              'div',
              { class: 'muted small' },
              [
                a.ruleName ?? a.ruleId,
                a.product,
                a.sourceSystem,
                a.tactics.join(' '),
                a.via !== 'attached' && a.via !== 'opened' ? a.via : null,
              ]
                .filter(Boolean)
                .join(' · '),
            ),
            h(
              'div',
              { class: 'chips' },
              (a.entities ?? []).map((e) =>
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'chip',
                    onclick: () => actions.filterEntity(e.type, e.value),
                  },
                  `${e.type}:${e.value}`,
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

function entitiesSection(entities, actions) {
  return h(
    'section',
    { class: 'panel' },
    h('h3', {}, 'Entities'),
    h(
      'table',
      { class: 'entities', 'data-testid': 'entities' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'type'),
          h('th', {}, 'value'),
          h('th', {}, 'asset'),
          h('th', {}, 'incidents'),
          h('th', {}, 'last seen'),
        ),
      ),
      h(
        'tbody',
        {},
        entities.map((e) =>
          h(
            'tr',
            {},
            h('td', {}, e.type),
            h(
              'td',
              {},
              h(
                'button',
                {
                  type: 'button',
                  class: 'link',
                  title: 'Show every incident with this entity',
                  onclick: () => actions.filterEntity(e.type, e.value),
                },
                e.value,
              ),
            ),
            h(
              'td',
              {},
              e.asset
                ? h(
                    'span',
                    {
                      class: `crit c${e.asset.criticality}`,
                      title: [e.asset.owner, ...(e.asset.tags ?? [])].filter(Boolean).join(', '),
                    },
                    `criticality ${e.asset.criticality}`,
                  )
                : h('span', { class: 'muted' }, '–'),
            ),
            h('td', {}, e.incidentCount),
            h('td', {}, ago(e.lastSeen)),
          ),
        ),
      ),
    ),
  );
}

/** Each indicator's verdicts: provider, verdict and score, the provider's words, expiry. */
function intelSection(intel) {
  if (intel.length === 0) return null;
  return h(
    'section',
    { class: 'panel' },
    h('h3', {}, 'Threat intel'),
    h(
      'table',
      { class: 'entities', 'data-testid': 'intel' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'indicator'),
          h('th', {}, 'provider'),
          h('th', {}, 'verdict'),
          h('th', {}, 'evidence'),
          h('th', {}, 'fetched'),
        ),
      ),
      h(
        'tbody',
        {},
        intel.flatMap((indicator) =>
          indicator.verdicts.map((v) =>
            h(
              'tr',
              { class: `intel-${v.verdict}` },
              h('td', { title: indicator.kind }, indicator.indicator),
              h('td', {}, v.provider),
              h('td', {}, `${v.verdict} (${v.score})`),
              h('td', {}, v.evidence),
              h('td', { title: `expires ${v.expiresAt}` }, ago(v.fetchedAt)),
            ),
          ),
        ),
      ),
    ),
  );
}

function timelineSection(timeline) {
  return h(
    'section',
    { class: 'panel' },
    h('h3', {}, 'Audit trail'),
    h(
      'ol',
      { class: 'audit', 'data-testid': 'audit' },
      [...timeline]
        .reverse()
        .map((t) =>
          h(
            'li',
            { class: `stream-${t.stream}` },
            h('time', { datetime: t.occurredAt }, clock(t.occurredAt)),
            h('span', { class: 'actor' }, t.actor),
            h('span', {}, t.summary),
          ),
        ),
    ),
  );
}

const round = (value) => Math.round(value * 10) / 10;
