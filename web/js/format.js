// How values from the API read on screen: statuses, outcomes, times,
// counts. The API speaks ISO 8601 UTC; people read their local time.

import { h } from './dom.js';

export const CAMPAIGN_STATUSES = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  in_progress: 'In progress',
  waiting: 'Waiting',
  auto_paused: 'Auto paused',
  paused: 'Paused',
  cancelled: 'Cancelled',
  completed: 'Completed',
};

export const LINE_STATUSES = {
  pending: 'Pending',
  calling: 'Calling',
  retry_scheduled: 'Retry scheduled',
  callback_scheduled: 'Callback scheduled',
  completed: 'Completed',
  failed: 'Failed',
  skipped: 'Skipped',
  cancelled: 'Cancelled',
};

export const FINAL_LINE_STATUSES = ['completed', 'failed', 'skipped',
  'cancelled'];

export const OUTCOMES = {
  completed: 'Completed',
  no_answer: 'No answer',
  busy: 'Busy',
  failed: 'Failed',
  voicemail: 'Voicemail',
  callback_requested: 'Callback requested',
  invalid_number: 'Invalid number',
};

// A status as a badge: the words carry the meaning, the colour helps.
export function statusBadge(status, labels = CAMPAIGN_STATUSES) {
  const label = labels[status] || status || 'Unknown';
  return h('span', { class: `badge badge-${status || 'unknown'}` },
    h('span', { class: 'badge-dot', 'aria-hidden': 'true' }), label);
}

export function lineBadge(status) {
  return statusBadge(status, LINE_STATUSES);
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric',
  hour: '2-digit', minute: '2-digit',
});
const dateTimeSec = new Intl.DateTimeFormat(undefined, {
  month: 'short', day: 'numeric',
  hour: '2-digit', minute: '2-digit', second: '2-digit',
});
const timeSec = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit', minute: '2-digit', second: '2-digit',
});

// A <time> element showing local time, the UTC value on hover. detail:
// false for date and minutes, true to add seconds, 'time' for the clock only.
export function timeEl(iso, detail = false) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return h('span', {}, iso);
  const f = detail === 'time' ? timeSec : detail ? dateTimeSec : dateTime;
  return h('time', { datetime: iso, title: `${iso} (UTC)`, class: 'nowrap' },
    f.format(d));
}

export function timeText(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

// 18.5 -> "18:30"
export function hoursToClock(hours) {
  if (hours === null || hours === undefined || hours === '') return '';
  const minutes = Math.round(Number(hours) * 60);
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${hh}:${mm}`;
}

// "18:30" -> 18.5
export function clockToHours(clock) {
  const m = /^(\d{1,2}):(\d{2})/.exec(clock || '');
  if (!m) return null;
  return Number(m[1]) + Number(m[2]) / 60;
}

// The IANA zones this browser knows, for pickers; UTC always among them.
export function zones() {
  let list = [];
  try {
    list = Intl.supportedValuesOf('timeZone');
  } catch {
    list = [];
  }
  if (!list.includes('UTC')) list = ['UTC', ...list];
  return list;
}

// A <datalist> of zones for a time-zone text input's list attribute.
export function zoneList(id) {
  return h('datalist', { id }, zones().map((z) => h('option', { value: z })));
}

export function number(n) {
  return new Intl.NumberFormat().format(n || 0);
}

// 2048 -> "2.0 KiB"; the units are those of the API's limits.
export function bytesText(n) {
  if (n < 1024) return `${number(n)} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.round(Number(seconds));
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

export function minutesText(m) {
  if (m % 1440 === 0 && m > 0) return `${m / 1440} d`;
  if (m % 60 === 0 && m > 0) return `${m / 60} h`;
  return `${m} min`;
}

export const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday',
  'saturday', 'sunday'];

export function dayLabel(day) {
  return day.charAt(0).toUpperCase() + day.slice(1, 3);
}

export function campaignType(c) {
  return c.is_dynamic || c.type === 'dynamic' ? 'Dynamic' : 'CSV';
}

// Lines that reached a final status, and all lines.
export function progressOf(c) {
  const counts = c.counts || {};
  const done = FINAL_LINE_STATUSES.reduce((n, s) => n + (counts[s] || 0), 0);
  return { done, total: c.total_lines || 0 };
}

export function progressBar({ done, total }) {
  const pct = total > 0 ? Math.round((done / total) * 100) : 0;
  const bar = h('div', { class: 'progress-fill' });
  bar.style.width = `${pct}%`;
  return h('div', { class: 'progress' },
    h('div', { class: 'progress-track', role: 'progressbar',
      'aria-valuemin': '0', 'aria-valuemax': String(total || 0),
      'aria-valuenow': String(done),
      'aria-label': `${done} of ${total} lines final` }, bar),
    h('span', { class: 'progress-text' }, `${number(done)} / ${number(total)}`));
}
