// Inline SVG charts of call outcomes. Every outcome has a colour and a
// pattern, and every bar a label or a legend entry, so the charts read
// without colour too. Each chart also carries its numbers as a hidden table.

import { h, svg } from './dom.js';
import { OUTCOMES, number } from './format.js';

const STYLE = {
  completed: { color: '#15803d', mark: 'solid' },
  no_answer: { color: '#64748b', mark: 'diagonal' },
  busy: { color: '#d97706', mark: 'dots' },
  failed: { color: '#dc2626', mark: 'cross' },
  voicemail: { color: '#7c3aed', mark: 'horizontal' },
  callback_requested: { color: '#0284c7', mark: 'vertical' },
  invalid_number: { color: '#9d174d', mark: 'checker' },
  other: { color: '#334155', mark: 'diagonal-back' },
};

let chartSeq = 0;

function styleOf(outcome) {
  return STYLE[outcome] || STYLE.other;
}

export function outcomeLabel(o) {
  return OUTCOMES[o] || o.replace(/_/g, ' ');
}

// Outcomes in a stable order: the known ones first, then the rest.
function orderOutcomes(names) {
  const known = Object.keys(OUTCOMES).filter((o) => names.has(o));
  const rest = [...names].filter((o) => !OUTCOMES[o]).sort();
  return [...known, ...rest];
}

function markPath(mark) {
  switch (mark) {
  case 'diagonal': return svg('path', { d: 'M-1 1l2-2M0 8l8-8M7 9l2-2' });
  case 'diagonal-back': return svg('path', { d: 'M-1 7l2 2M0 0l8 8M7 -1l2 2' });
  case 'dots': return svg('circle', { cx: 4, cy: 4, r: 1.4, class: 'mark-fill' });
  case 'cross': return svg('path', { d: 'M0 0l8 8M8 0l-8 8' });
  case 'horizontal': return svg('path', { d: 'M0 2h8M0 6h8' });
  case 'vertical': return svg('path', { d: 'M2 0v8M6 0v8' });
  case 'checker': return svg('path', { d: 'M0 0h4v4H0zM4 4h4v4H4z',
    class: 'mark-fill' });
  default: return null;
  }
}

// <defs> with one pattern per outcome; returns [defs, fillOf(outcome)].
function patternDefs(outcomes) {
  chartSeq += 1;
  const prefix = `pat${chartSeq}`;
  const defs = svg('defs', {}, outcomes.map((o) => {
    const st = styleOf(o);
    return svg('pattern', { id: `${prefix}-${o}`, width: 8, height: 8,
      patternUnits: 'userSpaceOnUse' },
    svg('rect', { width: 8, height: 8, fill: st.color }),
    svg('g', { stroke: '#ffffff', 'stroke-width': 1.4, fill: '#ffffff',
      'stroke-opacity': 0.75, 'fill-opacity': 0.75 }, markPath(st.mark)));
  }));
  return [defs, (o) => `url(#${prefix}-${o})`];
}

function swatch(outcome) {
  const [defs, fillOf] = patternDefs([outcome]);
  return svg('svg', { class: 'swatch', width: 16, height: 16,
    viewBox: '0 0 16 16', 'aria-hidden': 'true' }, defs,
  svg('rect', { width: 16, height: 16, rx: 3, fill: fillOf(outcome),
    stroke: '#0f172a', 'stroke-opacity': 0.25 }));
}

export function legend(outcomes) {
  return h('ul', { class: 'legend' }, outcomes.map((o) => h('li', {},
    swatch(o), h('span', {}, outcomeLabel(o)))));
}

function niceMax(v) {
  if (v <= 5) return Math.max(1, v);
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const HOUR_MS = 3600 * 1000;
const MAX_BARS = 48;
const MIN_BARS = 12;

// Fills the gaps between the first and last hour with empty hours.
function hourSeries(hours) {
  const byTime = new Map();
  for (const hr of hours) {
    const t = Date.parse(hr.hour);
    if (!Number.isNaN(t)) byTime.set(t, hr.outcomes || {});
  }
  if (!byTime.size) return [];
  const times = [...byTime.keys()].sort((a, b) => a - b);
  const last = times[times.length - 1];
  const first = Math.min(last - (MIN_BARS - 1) * HOUR_MS,
    Math.max(times[0], last - (MAX_BARS - 1) * HOUR_MS));
  const out = [];
  for (let t = first; t <= last; t += HOUR_MS) {
    out.push({ t, outcomes: byTime.get(t) || {} });
  }
  return out;
}

const hourFmt = new Intl.DateTimeFormat(undefined, { hour: 'numeric' });
const hourMinFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit',
  minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(undefined, { month: 'short',
  day: 'numeric' });

function dataTable(caption, head, rows) {
  return h('div', { class: 'sr-only' }, h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {},
      String(c))))))));
}

// Calls per hour, stacked by outcome. hours: [{hour, outcomes}].
export function hourlyChart(hours) {
  const series = hourSeries(hours);
  const names = new Set();
  series.forEach((s) => Object.keys(s.outcomes).forEach((o) => names.add(o)));
  const outcomes = orderOutcomes(names);
  const totals = series.map((s) => Object.values(s.outcomes)
    .reduce((a, b) => a + (Number(b) || 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const W = 720;
  const H = 260;
  const m = { l: 40, r: 12, t: 18, b: 40 };
  const iw = W - m.l - m.r;
  const ih = H - m.t - m.b;
  const slot = iw / Math.max(1, series.length);
  const bw = Math.max(2, Math.min(36, slot * 0.7));
  const [defs, fillOf] = patternDefs(outcomes);
  const y = (v) => m.t + ih - (v / max) * ih;
  const grid = [];
  const ticks = max <= 5 ? max : 4;
  for (let i = 0; i <= ticks; i++) {
    const v = (max / ticks) * i;
    grid.push(svg('line', { x1: m.l, x2: W - m.r, y1: y(v), y2: y(v),
      class: 'chart-gridline' }),
    svg('text', { x: m.l - 8, y: y(v) + 4, class: 'chart-axis',
      'text-anchor': 'end', text: Number.isInteger(v) ? String(v)
        : v.toFixed(1) }));
  }
  const every = Math.max(1, Math.ceil(series.length / 12));
  const bars = series.map((s, i) => {
    const x = m.l + slot * i + (slot - bw) / 2;
    let acc = 0;
    const date = new Date(s.t);
    const label = `${dayFmt.format(date)} ${hourMinFmt.format(date)}`;
    const segs = outcomes.filter((o) => s.outcomes[o]).map((o) => {
      const v = Number(s.outcomes[o]);
      const rect = svg('rect', { x, width: bw, y: y(acc + v),
        height: Math.max(0, y(acc) - y(acc + v)), fill: fillOf(o),
        class: 'chart-seg' },
      svg('title', { text: `${label}: ${outcomeLabel(o)} ${v}` }));
      acc += v;
      return rect;
    });
    const g = svg('g', {}, segs);
    if (totals[i] > 0 && bw >= 14) {
      g.append(svg('text', { x: x + bw / 2, y: y(acc) - 4,
        class: 'chart-value', 'text-anchor': 'middle',
        text: String(totals[i]) }));
    }
    if (i % every === 0) {
      const first = i === 0 || date.getHours() < every;
      g.append(svg('text', { x: x + bw / 2, y: H - m.b + 16,
        class: 'chart-axis', 'text-anchor': 'middle',
        text: hourFmt.format(date) }));
      if (first) {
        g.append(svg('text', { x: x + bw / 2, y: H - m.b + 30,
          class: 'chart-axis chart-axis-sub', 'text-anchor': 'middle',
          text: dayFmt.format(date) }));
      }
    }
    return g;
  });
  const total = totals.reduce((a, b) => a + b, 0);
  const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`,
    role: 'img', 'aria-label': `Calls per hour: ${total} calls over `
      + `${series.length} hour${series.length === 1 ? '' : 's'}. The table `
      + 'below the chart has the numbers.' },
  defs, ...grid,
  svg('line', { x1: m.l, x2: W - m.r, y1: y(0), y2: y(0),
    class: 'chart-baseline' }),
  ...bars);
  return h('figure', { class: 'chart-figure', id: 'hourly-chart' },
    chart, legend(outcomes),
    dataTable('Calls per hour by outcome', ['Hour', ...outcomes.map(outcomeLabel)],
      series.map((s) => [new Date(s.t).toISOString(),
        ...outcomes.map((o) => s.outcomes[o] || 0)])));
}

// One labelled bar per outcome, with its count and share.
export function outcomeBreakdown(outcomes) {
  const entries = Object.entries(outcomes || {})
    .map(([o, n]) => [o, Number(n) || 0]).filter(([, n]) => n > 0);
  const names = orderOutcomes(new Set(entries.map(([o]) => o)));
  const counts = new Map(entries);
  const total = entries.reduce((a, [, n]) => a + n, 0);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  const W = 420;
  const rowH = 34;
  const H = Math.max(1, names.length) * rowH + 6;
  const labelW = 150;
  const barMax = W - labelW - 86;
  const [defs, fillOf] = patternDefs(names);
  const rows = names.map((o, i) => {
    const n = counts.get(o);
    const yy = 4 + i * rowH;
    const w = Math.max(3, (n / max) * barMax);
    const pct = total ? Math.round((n / total) * 100) : 0;
    return svg('g', {},
      svg('text', { x: 0, y: yy + 19, class: 'chart-label',
        text: outcomeLabel(o) }),
      svg('rect', { x: labelW, y: yy + 5, width: barMax, height: 20, rx: 4,
        class: 'chart-track' }),
      svg('rect', { x: labelW, y: yy + 5, width: w, height: 20, rx: 4,
        fill: fillOf(o) }, svg('title', { text: `${outcomeLabel(o)}: ${n}` })),
      svg('text', { x: W, y: yy + 19, class: 'chart-value',
        'text-anchor': 'end', text: `${number(n)} · ${pct}%` }));
  });
  return h('figure', { class: 'chart-figure', id: 'outcome-chart' },
    svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img',
      'aria-label': `Outcomes of ${total} calls: ${names.map((o) =>
        `${outcomeLabel(o)} ${counts.get(o)}`).join(', ')}` },
    defs, ...rows),
    h('figcaption', { class: 'muted small' }, `${number(total)} calls in all`));
}
