// Tiny DOM helpers. Text always goes in through textContent: nothing from the API is ever
// parsed as HTML.

/** h('div', { class: 'x', onclick: fn, 'data-id': 1 }, child, 'text', [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function')
      el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export const $ = (selector, root = document) => root.querySelector(selector);

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function priorityBand(priority) {
  if (priority === null || priority === undefined) return 'unscored';
  if (priority >= 80) return 'critical';
  if (priority >= 60) return 'high';
  if (priority >= 40) return 'medium';
  return 'low';
}

/** A queue row's priority square, coloured by its band. */
export function priorityBadge(priority) {
  const band = priorityBand(priority);
  return h(
    'span',
    { class: `priority ${band}`, title: band },
    priority === null || priority === undefined ? '–' : Math.round(priority),
  );
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

export function ago(iso) {
  if (!iso) return '–';
  const seconds = (Date.parse(iso) - Date.now()) / 1000;
  const abs = Math.abs(seconds);
  if (abs < 60) return relative.format(Math.round(seconds), 'second');
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / 86400), 'day');
}

export function clock(iso) {
  if (!iso) return '–';
  return new Date(iso).toLocaleString('en-GB', {
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  const minutes = ms / 60000;
  if (minutes < 1) return `${Math.round(ms / 1000)} s`;
  if (minutes < 120) return `${Math.round(minutes)} min`;
  return `${(minutes / 60).toFixed(1)} h`;
}

export const label = (text) => String(text).replace(/_/g, ' ');

/** An incident row's title with its one-line summary under it. */
export const incidentMain = (title, summary) =>
  h(
    'div',
    { class: 'incident-main' },
    h('div', { class: 'incident-title' }, title),
    h('div', { class: 'muted small' }, summary),
  );
