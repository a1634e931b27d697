// The story queue: one item per attack story (incidents joined by campaign links, or an incident
// of its own) with the story's priority; unfolded, a story shows why its incidents belong
// together and its member incidents, each of which opens in the incident detail.
import { ago, h, incidentMain, label, priorityBadge } from './dom.js';

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

function memberRow(incident, { selectedId, onSelect }) {
  return h(
    'li',
    {
      class: `incident member ${incident.incidentId === selectedId ? 'selected' : ''}`,
      'data-incident-id': incident.incidentId,
      tabindex: 0,
      onclick: (event) => {
        event.stopPropagation();
        onSelect(incident.incidentId);
      },
      onkeydown: (event) => event.key === 'Enter' && onSelect(incident.incidentId),
    },
    priorityBadge(incident.priority),
    incidentMain(
      incident.title,
      `${plural(incident.alertCount, 'alert')} · ${ago(incident.lastSeen)}`,
    ),
    h('span', { class: `status ${incident.status}` }, label(incident.status)),
  );
}

function storyBody(detail, handlers) {
  if (!detail) return h('p', { class: 'muted small' }, 'Loading the story…');
  return h(
    'div',
    { class: 'story-body', 'data-testid': 'story-body' },
    detail.links.length === 0
      ? null
      : h(
          'ul',
          { class: 'story-links small' },
          detail.links.map((link) => h('li', {}, `${link.incidentId}: ${link.reason}`)),
        ),
    h(
      'ol',
      { class: 'incidents members' },
      detail.incidents.map((i) => memberRow(i, handlers)),
    ),
  );
}

/**
 * The rows of `stories` (GET /stories items); `expandedId`'s row shows `detail`
 * (GET /stories/:id). handlers: onToggle(storyId), onSelect(incidentId), selectedId.
 */
export function storyRows(stories, { expandedId, detail, ...handlers }) {
  return stories.map((story) => {
    const open = story.storyId === expandedId;
    return h(
      'li',
      {
        class: `story ${open ? 'expanded' : ''}`,
        'data-story-id': story.storyId,
        tabindex: 0,
        onclick: () => handlers.onToggle(story.storyId),
        onkeydown: (event) => event.key === 'Enter' && handlers.onToggle(story.storyId),
      },
      h(
        'div',
        { class: 'incident' },
        priorityBadge(story.priority),
        h(
          'div',
          { class: 'incident-main' },
          h('div', { class: 'incident-title' }, story.title),
          h(
            'div',
            { class: 'muted small', 'data-testid': 'story-meta' },
            `${plural(story.incidentCount, 'incident')} · ${plural(story.alertCount, 'alert')} · ` +
              `${plural(story.hostCount, 'host')} · ${ago(story.lastSeen)}`,
          ),
        ),
        h(
          'div',
          { class: 'incident-side' },
          h(
            'span',
            { class: `status ${story.status}`, 'data-testid': 'status' },
            label(story.status),
          ),
          story.escalated ? h('span', { class: 'tag escalated' }, 'escalated') : null,
        ),
      ),
      open ? h('p', { class: 'muted small story-summary' }, story.summary) : null,
      open ? storyBody(detail, handlers) : null,
    );
  });
}
