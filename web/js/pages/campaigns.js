// Bulk Call: the campaigns table with a status filter and paging. The
// filter and page live in the URL so Back and reload keep them.

import { h, clear, field, showError, keepFocus } from '../dom.js';
import { api, BULK, listAll } from '../api.js';
import {
  CAMPAIGN_STATUSES, statusBadge, timeEl, campaignType, progressOf,
  progressBar, number,
} from '../format.js';

const PAGE_SIZES = [10, 20, 50, 100];
const REFRESH_MS = 4000;

function readQuery(q) {
  const status = CAMPAIGN_STATUSES[q.get('status')] ? q.get('status') : '';
  const size = PAGE_SIZES.includes(Number(q.get('pagesize')))
    ? Number(q.get('pagesize')) : 20;
  const page = Math.max(1, Number.parseInt(q.get('pageno'), 10) || 1);
  return { status, size, page };
}

function href({ status, size, page }) {
  const q = new URLSearchParams();
  if (status) q.set('status', status);
  if (size !== 20) q.set('pagesize', String(size));
  if (page > 1) q.set('pageno', String(page));
  const s = q.toString();
  return `/bulk-call${s ? `?${s}` : ''}`;
}

function countsCell(c) {
  const k = c.counts || {};
  return h('div', { class: 'mini-counts' },
    h('span', { title: 'Pending' }, h('b', {}, number(k.pending)), ' pending'),
    h('span', { title: 'Calls in flight' },
      h('b', {}, number(c.calls_in_flight)), ' calling'),
    h('span', { title: 'Completed' }, h('b', {}, number(k.completed)),
      ' completed'),
    h('span', { title: 'Failed' }, h('b', {}, number(k.failed)), ' failed'),
    k.skipped ? h('span', { title: 'Skipped' }, h('b', {}, number(k.skipped)),
      ' skipped') : null,
    k.cancelled ? h('span', { title: 'Cancelled' },
      h('b', {}, number(k.cancelled)), ' cancelled') : null);
}

function row(c, numbers) {
  const from = numbers.get(c.phone_number_id);
  return h('tr', {},
    h('td', { class: 'cell-name' },
      h('a', { href: `/bulk-call/${c.id}`, dataset: { key: `c${c.id}` } },
        c.name),
      h('div', { class: 'muted small' }, `#${c.id}${from ? ` · from ${from}` : ''}`)),
    h('td', {}, statusBadge(c.campaign_status)),
    h('td', {}, h('span', { class: `type-tag type-${campaignType(c).toLowerCase()}` },
      campaignType(c))),
    h('td', { class: 'num' }, number(c.total_lines)),
    h('td', {}, countsCell(c)),
    h('td', { class: 'cell-progress' }, progressBar(progressOf(c))),
    h('td', { class: 'nowrap' }, timeEl(c.created_at)));
}

function table(campaigns, numbers) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table', id: 'campaigns-table' },
      h('caption', { class: 'sr-only' }, 'Campaigns'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Name'),
        h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, 'Type'),
        h('th', { scope: 'col', class: 'num' }, 'Lines'),
        h('th', { scope: 'col' }, 'Counts'),
        h('th', { scope: 'col' }, 'Progress'),
        h('th', { scope: 'col' }, 'Created'))),
      h('tbody', {}, campaigns.map((c) => row(c, numbers)))));
}

function emptyState(filtered) {
  return h('div', { class: 'empty' },
    h('p', { class: 'empty-title' }, filtered
      ? 'No campaigns with this status.' : 'No campaigns yet.'),
    h('p', { class: 'muted' }, filtered
      ? 'Choose another status or show all campaigns.'
      : 'Create a campaign to start calling a CSV list or contacts your CRM '
        + 'sends through the webhook.'),
    filtered ? null : h('a', { href: '/bulk-call/new', class: 'btn btn-primary' },
      'Create New Campaign'));
}

function pager(state, total, go) {
  const pages = Math.max(1, Math.ceil(total / state.size));
  const first = total === 0 ? 0 : (state.page - 1) * state.size + 1;
  const last = Math.min(total, state.page * state.size);
  return h('nav', { class: 'pager', 'aria-label': 'Campaign pages' },
    h('span', { class: 'pager-info', 'aria-live': 'polite' },
      total ? `${number(first)}–${number(last)} of ${number(total)}`
        : '0 campaigns', ` · page ${state.page} of ${pages}`),
    h('div', { class: 'pager-buttons' },
      h('button', { type: 'button', class: 'btn btn-secondary btn-sm',
        disabled: state.page <= 1, dataset: { key: 'prev' },
        onclick: () => go({ ...state, page: state.page - 1 }) }, '← Previous'),
      h('button', { type: 'button', class: 'btn btn-secondary btn-sm',
        disabled: state.page >= pages, dataset: { key: 'next' },
        onclick: () => go({ ...state, page: state.page + 1 }) }, 'Next →')));
}

export function renderCampaigns(root, ctx) {
  document.title = 'Bulk Call · campaignd';
  const state = readQuery(ctx.query);
  const go = (s) => ctx.navigate(href(s));

  const statusSel = h('select', { class: 'input', name: 'status' },
    h('option', { value: '' }, 'All statuses'),
    Object.entries(CAMPAIGN_STATUSES).map(([v, l]) =>
      h('option', { value: v, selected: v === state.status }, l)));
  statusSel.addEventListener('change', () =>
    go({ ...state, status: statusSel.value, page: 1 }));
  const sizeSel = h('select', { class: 'input', name: 'pagesize' },
    PAGE_SIZES.map((n) => h('option', { value: String(n),
      selected: n === state.size }, `${n} per page`)));
  sizeSel.addEventListener('change', () =>
    go({ ...state, size: Number(sizeSel.value), page: 1 }));

  const message = h('div', { class: 'page-message' });
  const body = h('div', { class: 'card card-flush', 'aria-busy': 'true' },
    h('p', { class: 'loading' }, 'Loading campaigns…'));
  let numbers = new Map();
  let shown = ''; // the reply on screen: a poll that changes nothing redraws nothing

  clear(root, h('div', { class: 'page' },
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', { class: 'page-title' }, 'Bulk Call'),
        h('p', { class: 'page-sub' }, 'Outbound call campaigns and their '
          + 'progress.')),
      h('a', { href: '/bulk-call/new', class: 'btn btn-primary' },
        '+ Create New Campaign')),
    h('div', { class: 'toolbar' },
      field({ label: 'Status', input: statusSel, className: 'field-inline' }),
      field({ label: 'Page size', input: sizeSel, className: 'field-inline' })),
    message,
    body));

  async function load() {
    try {
      const r = await api.get(BULK, { status: state.status,
        pageno: state.page, pagesize: state.size }, { signal: ctx.signal });
      message.replaceChildren();
      const key = JSON.stringify(r);
      if (key === shown) return;
      shown = key;
      const list = r.campaigns || [];
      const total = r.total ?? list.length;
      body.removeAttribute('aria-busy');
      keepFocus(body, () => clear(body,
        list.length ? table(list, numbers) : emptyState(Boolean(state.status)),
        total > 0 || state.page > 1 ? pager(state, total, go) : null));
    } catch (err) {
      if (err.name === 'AbortError') return;
      showError(message, err);
      body.removeAttribute('aria-busy');
      if (body.querySelector('.loading')) body.replaceChildren();
    }
  }

  listAll('/api/v1/phone_numbers', 'phone_numbers', ctx.signal)
    .then((list) => {
      numbers = new Map(list.map((n) => [n.id, n.number]));
    })
    .catch(() => {})
    .finally(() => { if (!ctx.signal.aborted) load(); });

  const timer = setInterval(() => { if (!document.hidden) load(); },
    REFRESH_MS);
  ctx.signal.addEventListener('abort', () => clearInterval(timer));
}
