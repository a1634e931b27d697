// Two hand-written SVG charts: horizontal bars (score explanation, priority bands) and
// columns per minute or hour with a line on top (alerts in vs incidents opened). Sized by viewBox, so
// they scale with their container.
import { svg } from './dom.js';

/**
 * rows: [{ label, value, color?, note? }]; negative values draw leftwards from the zero line
 * (score adjustments can subtract).
 */
export function barChart(
  rows,
  { width = 420, barHeight = 22, gap = 8, labelWidth = 130, unit = '' } = {},
) {
  const height = rows.length * (barHeight + gap) + gap;
  const max = Math.max(1, ...rows.map((r) => Math.abs(r.value)));
  const hasNegative = rows.some((r) => r.value < 0);
  const plot = width - labelWidth - 48;
  const zero = labelWidth + (hasNegative ? plot * 0.25 : 0);
  const scale = (hasNegative ? plot * 0.75 : plot) / max;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'bar-chart', role: 'img' });
  rows.forEach((row, i) => {
    const y = gap + i * (barHeight + gap);
    const length = Math.abs(row.value) * scale;
    const x = row.value < 0 ? zero - length : zero;
    chart.append(
      svg(
        'text',
        { x: labelWidth - 8, y: y + barHeight * 0.68, 'text-anchor': 'end', class: 'bar-label' },
        row.label,
      ),
      svg(
        'rect',
        {
          x,
          y,
          width: Math.max(length, 1.5),
          height: barHeight,
          rx: 3,
          fill: row.color ?? 'var(--accent)',
          class: 'bar',
        },
        svg('title', {}, row.note ? `${row.label}: ${row.note}` : row.label),
      ),
      svg(
        'text',
        {
          x: row.value < 0 ? x - 6 : x + length + 6,
          y: y + barHeight * 0.68,
          'text-anchor': row.value < 0 ? 'end' : 'start',
          class: 'bar-value',
        },
        `${row.value > 0 && hasNegative ? '+' : ''}${formatNumber(row.value)}${unit}`,
      ),
    );
  });
  if (hasNegative)
    chart.append(svg('line', { x1: zero, x2: zero, y1: 0, y2: height, class: 'zero' }));
  return chart;
}

const HOUR_MS = 3600_000;

/**
 * buckets: [{ time (ISO), alertsIn, incidentsOpened }] filled to every bucket of the range,
 * each `stepMs` long (a minute or an hour).
 */
export function noiseChart(hours, { width = 640, height = 200, stepMs = HOUR_MS } = {}) {
  const pad = { left: 40, right: 12, top: 12, bottom: 26 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = niceMax(Math.max(1, ...hours.map((h) => Math.max(h.alertsIn, h.incidentsOpened))));
  const step = plotW / Math.max(hours.length, 1);
  const y = (v) => pad.top + plotH - (v / max) * plotH;
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'noise-chart',
    role: 'img',
  });
  for (let i = 0; i <= 4; i += 1) {
    const value = (max / 4) * i;
    chart.append(
      svg('line', {
        x1: pad.left,
        x2: width - pad.right,
        y1: y(value),
        y2: y(value),
        class: 'grid',
      }),
      svg(
        'text',
        { x: pad.left - 6, y: y(value) + 4, 'text-anchor': 'end', class: 'axis' },
        formatNumber(value),
      ),
    );
  }
  const labelEvery = Math.max(1, Math.ceil(hours.length / 8));
  hours.forEach((h, i) => {
    const x = pad.left + i * step;
    const barH = plotH - (y(h.alertsIn) - pad.top);
    chart.append(
      svg(
        'rect',
        {
          x: x + step * 0.12,
          y: y(h.alertsIn),
          width: Math.max(step * 0.76, 1),
          height: Math.max(barH, 0),
          class: 'alerts-bar',
        },
        svg(
          'title',
          {},
          `${timeLabel(h.time, { stepMs, withDay: true })}: ${h.alertsIn} alerts in, ${h.incidentsOpened} incidents opened`,
        ),
      ),
    );
    if (i % labelEvery === 0) {
      chart.append(
        svg(
          'text',
          { x: x + step / 2, y: height - 8, 'text-anchor': 'middle', class: 'axis' },
          timeLabel(h.time, { stepMs, withDay: hours.length * stepMs > 48 * HOUR_MS }),
        ),
      );
    }
  });
  const points = hours.map((h, i) => `${pad.left + i * step + step / 2},${y(h.incidentsOpened)}`);
  if (points.length > 0) {
    chart.append(svg('polyline', { points: points.join(' '), class: 'incidents-line' }));
    hours.forEach((h, i) => {
      if (h.incidentsOpened > 0)
        chart.append(
          svg('circle', {
            cx: pad.left + i * step + step / 2,
            cy: y(h.incidentsOpened),
            r: 3,
            class: 'incidents-dot',
          }),
        );
    });
  }
  return chart;
}

/** The API returns only buckets with data; the chart wants every bucket of the range. */
export function fillBuckets(rows, { count, stepMs, timeOf }) {
  const byTime = new Map(rows.map((row) => [Date.parse(timeOf(row)), row]));
  const end = Math.floor(Date.now() / stepMs) * stepMs;
  const out = [];
  for (let t = end - (count - 1) * stepMs; t <= end; t += stepMs) {
    const found = byTime.get(t);
    out.push({
      time: new Date(t).toISOString(),
      alertsIn: found?.alertsIn ?? 0,
      incidentsOpened: found?.incidentsOpened ?? 0,
    });
  }
  return out;
}

function timeLabel(iso, { stepMs, withDay }) {
  const d = new Date(iso);
  const hh = String(d.getHours()).padStart(2, '0');
  if (stepMs < HOUR_MS) return `${hh}:${String(d.getMinutes()).padStart(2, '0')}`;
  return withDay ? `${d.getDate()}/${d.getMonth() + 1} ${hh}h` : `${hh}:00`;
}

function niceMax(value) {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * magnitude >= value) return m * magnitude;
  return 10 * magnitude;
}

function formatNumber(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
