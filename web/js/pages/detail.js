// One campaign: live status and counts (polled), charts of call outcomes,
// the lines with their attempts and CSV export, the user's actions (start,
// pause, resume, reschedule, retry failed lines, cancel) and live
// settings, and for dynamic campaigns the webhook a CRM calls.

import {
  h, clear, field, alertBox, errorText, showError, showMessage,
  showFieldError, clearFieldErrors, confirmDialog, copyButton, keepFocus,
  setBusy, nextId, saveBlob,
} from '../dom.js';
import { api, BULK, ApiError, download } from '../api.js';
import { takeFlash } from '../flash.js';
import {
  LINE_STATUSES, statusBadge, lineBadge, timeEl, campaignType, progressOf,
  progressBar, number, duration, hoursToClock, clockToHours, DAYS, dayLabel,
  zoneList, bytesText,
} from '../format.js';
import { hourlyChart, outcomeBreakdown, outcomeLabel } from '../charts.js';
import { rejectedList, operatorLabel } from './wizard.js';
import { rescheduleDialog } from './reschedule.js';

const POLL_MS = 1500;
const STATS_MS = 10000;
const LINE_PAGE_SIZES = [25, 50, 100, 150];
const SEARCH_RE = /^[+0-9]{1,16}$/;
const RUNNING = ['scheduled', 'in_progress', 'waiting', 'auto_paused'];
const FINAL = ['cancelled', 'completed'];

const TILES = [
  ['total', 'Total lines'],
  ['pending', 'Pending'],
  ['calling', 'Calling now'],
  ['retry_scheduled', 'Retry scheduled'],
  ['callback_scheduled', 'Callback scheduled'],
  ['completed', 'Completed'],
  ['failed', 'Failed'],
  ['skipped', 'Skipped'],
  ['cancelled', 'Cancelled'],
];

function kv(obj) {
  const entries = Object.entries(obj || {});
  if (!entries.length) return h('span', { class: 'muted' }, 'none');
  return h('dl', { class: 'kv' }, entries.map(([k, v]) => h('div', {},
    h('dt', {}, k), h('dd', {}, typeof v === 'object' ? JSON.stringify(v)
      : String(v)))));
}

function varsText(obj) {
  const entries = Object.entries(obj || {});
  if (!entries.length) return '—';
  return entries.map(([k, v]) => `${k}: ${v}`).join(', ');
}

export function renderDetail(root, ctx) {
  const id = Number(ctx.params[0]);
  const path = `${BULK}/${id}`;
  const flash = takeFlash();
  let campaign = null;
  let countsKey = '';
  let agent = null;
  let phone = null;
  const lines = { status: '', search: '', size: 50, stack: [null],
    expanded: new Set(), detailCache: new Map(), nextCursor: null };

  document.title = `Campaign #${id} · campaignd`;
  clear(root, h('div', { class: 'page' },
    h('h1', { class: 'page-title' }, `Campaign #${id}`),
    h('p', { class: 'loading' }, 'Loading the campaign…')));

  // Elements filled once the campaign is known.
  const el = {
    title: h('h1', { class: 'page-title' }),
    badge: h('span', { id: 'campaign-status' }),
    type: h('span', { class: 'type-tag' }),
    actions: h('div', { class: 'actions' }),
    retry: null, // the "Retry failed lines" button while one is shown
    actionMsg: h('div', { class: 'action-message', 'aria-live': 'polite' }),
    live: h('span', { class: 'live', role: 'status' }),
    tiles: h('div', { class: 'tiles', id: 'counts' }),
    progress: h('div', { class: 'summary-progress' }),
    meta: h('dl', { class: 'meta' }),
    charts: h('div', { class: 'chart-grid' }),
    linesBody: h('div', { class: 'lines-body' }),
    linesMsg: h('div', {}),
    settings: h('div', { class: 'settings-grid' }),
    current: h('div', {}),
    settingsNote: h('div', { class: 'settings-note' }),
  };

  async function firstLoad() {
    try {
      campaign = await api.get(path, null, { signal: ctx.signal });
    } catch (err) {
      if (err.name === 'AbortError') return;
      clear(root, h('div', { class: 'page' },
        h('p', { class: 'crumbs' }, h('a', { href: '/bulk-call' }, 'Bulk Call')),
        h('h1', { class: 'page-title' }, `Campaign #${id}`),
        alertBox('error', err.status === 404 ? 'This campaign does not exist.'
          : `Could not load the campaign: ${errorText(err)}`)));
      return;
    }
    buildPage();
    update(campaign);
    loadPeople();
    loadLines();
    loadStats();
    startPolling();
  }

  function buildPage() {
    document.title = `${campaign.name} · campaignd`;
    const flashBox = h('div', { class: 'flash' });
    if (flash && flash.campaignId === id) {
      const dismiss = h('button', { type: 'button',
        class: 'btn btn-ghost btn-sm flash-dismiss',
        onclick: () => flashBox.replaceChildren() }, 'Dismiss');
      const rejected = flash.rejected || [];
      flashBox.append(alertBox(rejected.length ? 'info' : 'success',
        h('span', {}, `Campaign created${campaign.is_dynamic ? ''
          : ` with ${number(flash.added)} contacts`}.`,
        rejected.length ? ' Some CSV rows were not imported.' : ''),
        rejected.length ? rejectedList(rejected) : null), dismiss);
    }
    const linesCard = buildLinesCard();
    clear(root, h('div', { class: 'page' },
      h('p', { class: 'crumbs' }, h('a', { href: '/bulk-call' }, 'Bulk Call'),
        ` / #${id}`),
      h('div', { class: 'page-head' },
        h('div', { class: 'title-block' }, el.title,
          h('div', { class: 'title-tags' }, el.badge, el.type, el.live)),
        el.actions),
      el.actionMsg,
      flashBox,
      h('section', { class: 'card', 'aria-labelledby': 'summary-title' },
        h('h2', { class: 'card-title', id: 'summary-title' }, 'Progress'),
        el.progress, el.tiles, el.meta),
      campaign.is_dynamic ? webhookPanel() : null,
      h('section', { class: 'card', 'aria-labelledby': 'charts-title' },
        h('h2', { class: 'card-title', id: 'charts-title' }, 'Calls'),
        el.charts),
      linesCard,
      h('section', { class: 'card', 'aria-labelledby': 'settings-title' },
        h('h2', { class: 'card-title', id: 'settings-title' }, 'Settings'),
        el.current, el.settingsNote, el.settings)));
    buildSettings();
  }

  /* Live status ------------------------------------------------------------- */

  function update(c) {
    campaign = c;
    el.title.textContent = c.name;
    clear(el.badge, statusBadge(c.campaign_status));
    el.type.textContent = `${campaignType(c)} campaign`;
    el.type.className = `type-tag type-${campaignType(c).toLowerCase()}`;
    renderActions(c);
    syncRetry(c);
    renderTiles(c);
    renderMeta(c);
    renderCurrent(c);
    const final = FINAL.includes(c.campaign_status);
    el.settings.classList.toggle('is-final', final);
    if (final !== el.settingsNote.hasChildNodes()) {
      if (final) {
        el.settingsNote.replaceChildren(alertBox('info', `This campaign is `
          + `${c.campaign_status}: its settings can no longer change.`));
      } else el.settingsNote.replaceChildren();
    }
    const key = JSON.stringify([c.counts, c.updated_at]);
    const changed = countsKey && key !== countsKey;
    countsKey = key;
    return changed;
  }

  function renderTiles(c) {
    const counts = c.counts || {};
    clear(el.tiles, TILES.map(([k, label]) => {
      const v = k === 'total' ? c.total_lines : k === 'calling'
        ? c.calls_in_flight : counts[k];
      return h('div', { class: `tile tile-${k}`, dataset: { count: k } },
        h('span', { class: 'tile-value' }, number(v)),
        h('span', { class: 'tile-label' }, label));
    }));
    clear(el.progress, h('span', { class: 'muted small' },
      'Lines with a final status'), progressBar(progressOf(c)));
  }

  function renderMeta(c) {
    const item = (term, value, key) => h('div', { dataset: { meta: key } },
      h('dt', {}, term), h('dd', {}, value));
    clear(el.meta,
      item('Calls in flight', h('span', { id: 'calls-in-flight' },
        number(c.calls_in_flight)), 'in-flight'),
      item('Next due', timeEl(c.next_due_at, true), 'next-due'),
      c.campaign_status === 'auto_paused' ? item('Resumes at',
        c.resumes_at ? timeEl(c.resumes_at) : h('span', {},
          'when resumed by hand'), 'resumes') : null,
      c.scheduled_datetime ? item('Scheduled start',
        `${c.scheduled_datetime} (${c.timezone})`, 'scheduled') : null,
      item('Started', timeEl(c.start_at), 'start'),
      item('From', phone ? phone.number : `number #${c.phone_number_id}`, 'from'),
      item('Agent', agent ? agent.name : `agent #${c.bot_id}`, 'agent'),
      item('Created', timeEl(c.created_at), 'created'));
  }

  async function loadPeople() {
    try {
      [phone, agent] = await Promise.all([
        api.get(`/api/v1/phone_numbers/${campaign.phone_number_id}`, null,
          { signal: ctx.signal }),
        api.get(`/api/v1/agents/${campaign.bot_id}`, null, { signal: ctx.signal }),
      ]);
      renderMeta(campaign);
      const curl = document.getElementById('curl-example');
      if (curl) curl.textContent = curlExample();
    } catch (err) {
      if (err.name !== 'AbortError') {
        showMessage(el.actionMsg, 'error', `Could not load the number or agent: `
          + `${errorText(err)}`);
      }
    }
  }

  function startPolling() {
    let lastStats = Date.now();
    let busy = false;
    const tick = async () => {
      if (busy || document.hidden) return;
      busy = true;
      try {
        const c = await api.get(path, null, { signal: ctx.signal });
        const changed = update(c);
        el.live.textContent = 'Live';
        el.live.classList.remove('live-error');
        el.live.title = `Updated ${new Date().toLocaleTimeString()}`;
        if (changed) loadLines();
        if (changed || Date.now() - lastStats > STATS_MS) {
          lastStats = Date.now();
          loadStats();
        }
      } catch (err) {
        if (err.name === 'AbortError') return;
        el.live.textContent = `Live updates failed: ${err.message}`;
        el.live.classList.add('live-error');
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(tick, POLL_MS);
    ctx.signal.addEventListener('abort', () => clearInterval(timer));
  }

  /* Actions ----------------------------------------------------------------- */

  function actionButton(label, cls, fn, key) {
    const b = h('button', { type: 'button', class: `btn ${cls}`,
      dataset: { key } }, label);
    b.addEventListener('click', async () => {
      showMessage(el.actionMsg, null, '');
      setBusy(b, true);
      try {
        await fn();
      } catch (err) {
        if (err.name !== 'AbortError') showError(el.actionMsg, err);
      } finally {
        setBusy(b, false);
        if (b === el.retry) syncRetry(campaign);
      }
    });
    return b;
  }

  async function act(method, url, body, done) {
    const r = method === 'DELETE' ? await api.del(url, { signal: ctx.signal })
      : method === 'POST' ? await api.post(url, body, { signal: ctx.signal })
        : await api.put(url, body, { signal: ctx.signal });
    if (r && r.campaign_status) {
      update(r);
      loadLines();
    }
    showMessage(el.actionMsg, 'success', done);
  }

  // Scheduled campaigns, and drafts that will be scheduled when started.
  function canReschedule(c) {
    return c.campaign_status === 'scheduled'
      || (c.campaign_status === 'draft' && Boolean(c.scheduled_datetime));
  }

  async function reschedule() {
    const r = await rescheduleDialog(campaign, path, ctx.signal);
    if (!r) return;
    update(r);
    showMessage(el.actionMsg, 'success', `Rescheduled: it starts `
      + `${r.scheduled_datetime} (${r.timezone}).`);
  }

  async function retryFailed() {
    const failed = (campaign.counts || {}).failed || 0;
    const ok = await confirmDialog({
      title: `Retry ${number(failed)} failed line${failed === 1 ? '' : 's'}?`,
      message: 'They go back to pending and are dialled again at once, each '
        + 'with a fresh retry budget.',
      confirm: 'Retry failed lines', cancel: 'Not now',
    });
    if (!ok) return;
    const r = await api.post(`${path}/manual_retry`, undefined,
      { signal: ctx.signal });
    const n = r.requeued || 0;
    showMessage(el.actionMsg, n ? 'success' : 'info', n
      ? `${number(n)} failed line${n === 1 ? ' was' : 's were'} requeued; `
        + `${n === 1 ? 'it is' : 'they are'} dialled again now.`
      : 'No failed lines to retry.');
    update(await api.get(path, null, { signal: ctx.signal }));
    loadLines();
  }

  // The retry button is kept across polls and only enabled or disabled,
  // so it never moves under a click.
  function syncRetry(c) {
    const b = el.retry;
    if (!b || b.getAttribute('aria-busy') === 'true') return;
    const failed = (c.counts || {}).failed || 0;
    b.disabled = failed === 0;
    b.title = failed === 0 ? 'No line has failed.' : '';
  }

  // Redrawn only when the status changes, so a poll never swaps a button
  // out from under a click.
  function renderActions(c) {
    const st = c.campaign_status;
    const key = `${st}:${canReschedule(c)}`;
    if (el.actions.dataset.status === key) return;
    el.actions.dataset.status = key;
    // Only a campaign that has dialled can have failed lines.
    el.retry = !['draft', 'scheduled', 'cancelled'].includes(st)
      ? actionButton('Retry failed lines', 'btn-secondary', retryFailed,
        'manual-retry') : null;
    keepFocus(el.actions, () => clear(el.actions,
      st === 'draft' ? actionButton('Start campaign', 'btn-primary',
        () => act('POST', `${path}/start`, undefined, 'Campaign started.'),
        'start') : null,
      RUNNING.includes(st) ? actionButton('Pause', 'btn-secondary',
        () => act('PUT', path, { action: 'pause' }, 'Campaign paused. Calls '
          + 'in flight finish; no new calls are placed.'), 'pause') : null,
      st === 'paused' || st === 'auto_paused' ? actionButton('Resume',
        'btn-primary', () => act('PUT', path, { action: 'resume' },
          'Campaign resumed.'), 'resume') : null,
      canReschedule(c) ? actionButton('Reschedule', 'btn-secondary',
        reschedule, 'reschedule') : null,
      el.retry,
      !FINAL.includes(st) ? actionButton('Cancel campaign', 'btn-danger-outline',
        async () => {
          const ok = await confirmDialog({
            title: `Cancel “${c.name}”?`,
            message: 'No new calls will be placed and every pending line is '
              + 'cancelled. Calls in flight finish. This cannot be undone.',
            confirm: 'Cancel campaign', cancel: 'Keep it', danger: true,
          });
          if (ok) await act('DELETE', path, undefined, 'Campaign cancelled.');
        }, 'cancel') : null));
  }

  /* Webhook ------------------------------------------------------------------ */

  function endpoint() {
    return `${location.origin}${path}/add_contact`;
  }

  function curlExample() {
    const vars = {};
    const names = agent && agent.variables && agent.variables.length
      ? agent.variables : ['first_name'];
    for (const v of names) vars[v] = v === 'first_name' ? 'Ada' : `<${v}>`;
    const body = JSON.stringify({ to_number: '+14155550123',
      custom_variables: vars, metadata: { crm_id: '12345' } });
    return `curl -X POST '${endpoint()}' \\\n`
      + '  -H \'Authorization: Bearer YOUR_API_KEY\' \\\n'
      + '  -H \'Content-Type: application/json\' \\\n'
      + `  -d '${body.replace(/'/g, "'\\''")}'`;
  }

  function webhookPanel() {
    return h('section', { class: 'card', id: 'webhook',
      'aria-labelledby': 'webhook-title' },
    h('h2', { class: 'card-title', id: 'webhook-title' }, 'Webhook integration'),
    h('p', { class: 'muted' }, 'Your CRM adds contacts to this campaign with '
      + 'one POST each. Contacts added while the campaign is paused or outside '
      + 'its window are queued.'),
    h('div', { class: 'code-row' },
      h('span', { class: 'code-label', id: 'endpoint-label' }, 'Endpoint'),
      h('code', { class: 'code-inline', id: 'webhook-url',
        'aria-labelledby': 'endpoint-label' }, `POST ${endpoint()}`),
      copyButton(endpoint, 'Copy URL')),
    h('div', { class: 'code-block-head' },
      h('span', { class: 'code-label' }, 'cURL example'),
      copyButton(curlExample, 'Copy cURL')),
    h('pre', { class: 'code-block' }, h('code', { id: 'curl-example' },
      curlExample())),
    h('p', { class: 'hint' }, 'Replace YOUR_API_KEY with a key from the ',
      h('a', { href: '/api-keys' }, 'API'), ' page. Send up to 1000 contacts '
      + 'at once to ', h('code', {}, `${path}/add_contacts`),
    ' as {"contacts": [...]}.'));
  }

  /* Charts -------------------------------------------------------------------- */

  async function loadStats() {
    try {
      const r = await api.get(`${path}/stats`, null, { signal: ctx.signal });
      const hours = (r.hours || []).filter((x) => Object.values(x.outcomes || {})
        .some((n) => n > 0));
      const total = Object.values(r.outcomes || {}).reduce((a, b) => a + b, 0);
      if (!hours.length && !total) {
        clear(el.charts, h('p', { class: 'empty-inline', id: 'no-call-data' },
          'No call data yet.'));
        return;
      }
      clear(el.charts,
        h('div', { class: 'chart-panel chart-wide' },
          h('h3', { class: 'chart-title' }, 'Calls per hour by outcome'),
          hours.length ? hourlyChart(hours) : h('p', { class: 'muted' },
            'No hourly data.')),
        h('div', { class: 'chart-panel' },
          h('h3', { class: 'chart-title' }, 'Outcome breakdown'),
          outcomeBreakdown(r.outcomes)));
    } catch (err) {
      if (err.name === 'AbortError') return;
      if (err.status === 404) {
        clear(el.charts, h('p', { class: 'empty-inline', id: 'no-call-data' },
          'No call data yet.'));
      } else {
        clear(el.charts, alertBox('error', `Could not load call statistics: `
          + `${errorText(err)}`));
      }
    }
  }

  /* Lines --------------------------------------------------------------------- */

  function buildLinesCard() {
    const status = h('select', { class: 'input', name: 'call_status' },
      h('option', { value: '' }, 'All statuses'),
      Object.entries(LINE_STATUSES).map(([v, l]) => h('option', { value: v }, l)));
    const search = h('input', { type: 'search', class: 'input',
      name: 'search', inputmode: 'tel', placeholder: '+1415…',
      autocomplete: 'off' });
    const size = h('select', { class: 'input', name: 'pagesize' },
      LINE_PAGE_SIZES.map((n) => h('option', { value: String(n),
        selected: n === lines.size }, `${n} per page`)));
    const reset = () => {
      lines.stack = [null];
      lines.expanded.clear();
      loadLines();
    };
    status.addEventListener('change', () => {
      lines.status = status.value;
      reset();
    });
    size.addEventListener('change', () => {
      lines.size = Number(size.value);
      reset();
    });
    const form = h('form', { class: 'toolbar', role: 'search',
      'aria-label': 'Filter lines' },
    field({ label: 'Status', input: status, className: 'field-inline' }),
    field({ label: 'Search number', input: search, className: 'field-inline',
      name: 'search' }),
    field({ label: 'Page size', input: size, className: 'field-inline' }),
    h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Search'));
    let debounce = null;
    const apply = () => {
      const v = search.value.trim();
      clearFieldErrors(form);
      if (v && !SEARCH_RE.test(v)) {
        showFieldError(search, 'Search takes up to 16 digits and “+”.');
        return;
      }
      if (v === lines.search) return;
      lines.search = v;
      reset();
    };
    search.addEventListener('input', () => {
      clearTimeout(debounce);
      debounce = setTimeout(apply, 400);
    });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearTimeout(debounce);
      apply();
    });
    const exportMsg = h('div', { class: 'form-message',
      'aria-live': 'polite' });
    return h('section', { class: 'card', 'aria-labelledby': 'lines-title' },
      h('div', { class: 'card-head' },
        h('h2', { class: 'card-title', id: 'lines-title' }, 'Lines'),
        exportButton(exportMsg)),
      exportMsg, form, el.linesMsg, el.linesBody);
  }

  // Downloads every line as CSV. The export needs the API key, so it is
  // fetched and handed to the browser as a Blob, named as the server says.
  function exportButton(msg) {
    const b = h('button', { type: 'button', class: 'btn btn-secondary btn-sm',
      id: 'export-csv' }, 'Export CSV');
    b.addEventListener('click', async () => {
      msg.replaceChildren();
      setBusy(b, true, 'Exporting…');
      try {
        const r = await download(`${path}/lines/export`,
          { signal: ctx.signal });
        const name = r.filename || `campaign-${id}-lines.csv`;
        saveBlob(r.blob, name);
        showMessage(msg, 'success', `Downloaded ${name} (${bytesText(
          r.blob.size)}).`);
      } catch (err) {
        if (err.name !== 'AbortError') {
          showMessage(msg, 'error', `Could not export the lines: `
            + `${errorText(err)}`);
        }
      } finally {
        setBusy(b, false);
      }
    });
    return b;
  }

  async function loadLines() {
    const cursor = lines.stack[lines.stack.length - 1];
    const want = JSON.stringify([lines.status, lines.search, lines.size, cursor]);
    lines.want = want;
    try {
      const r = await api.get(`${path}/lines`, { pagesize: lines.size,
        cursor, call_status: lines.status, search: lines.search,
        include_total: 'true' }, { signal: ctx.signal });
      if (lines.want !== want) return;
      lines.nextCursor = r.next_cursor || null;
      el.linesMsg.replaceChildren();
      keepFocus(el.linesBody, () => renderLines(r.lines || [], r.total));
    } catch (err) {
      if (err.name === 'AbortError') return;
      showError(el.linesMsg, err);
    }
  }

  function renderLines(list, total) {
    const page = lines.stack.length;
    const filtered = lines.status || lines.search;
    if (!list.length && page === 1) {
      clear(el.linesBody, h('p', { class: 'empty-inline', id: 'no-lines' },
        filtered ? 'No lines match this filter.' : campaign.is_dynamic
          ? 'No contacts yet. Push them through the webhook above.'
          : 'No lines.'));
      return;
    }
    const start = (page - 1) * lines.size + 1;
    clear(el.linesBody,
      h('div', { class: 'table-wrap' },
        h('table', { class: 'table', id: 'lines-table' },
          h('caption', { class: 'sr-only' }, 'Lines of this campaign'),
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col', class: 'col-toggle' },
              h('span', { class: 'sr-only' }, 'Details')),
            h('th', { scope: 'col' }, 'Number'),
            h('th', { scope: 'col' }, 'Status'),
            h('th', { scope: 'col', class: 'num' }, 'Attempts'),
            h('th', { scope: 'col' }, 'Due'),
            h('th', { scope: 'col' }, 'Custom variables'),
            h('th', { scope: 'col' }, 'Updated'))),
          list.map(lineRows))),
      h('nav', { class: 'pager', 'aria-label': 'Line pages' },
        h('span', { class: 'pager-info' }, list.length
          ? `Lines ${number(start)}–${number(start + list.length - 1)}`
          : 'No more lines',
        total !== undefined ? ` of ${number(total)}` : '', ` · page ${page}`),
        h('div', { class: 'pager-buttons' },
          h('button', { type: 'button', class: 'btn btn-secondary btn-sm',
            disabled: page <= 1, dataset: { key: 'lines-prev' },
            onclick: () => { lines.stack.pop(); loadLines(); } }, '← Previous'),
          h('button', { type: 'button', class: 'btn btn-secondary btn-sm',
            disabled: !lines.nextCursor, dataset: { key: 'lines-next' },
            onclick: () => {
              lines.stack.push(lines.nextCursor);
              loadLines();
            } }, 'Next →'))));
  }

  function lineRows(l) {
    const open = lines.expanded.has(l.line_id);
    const detailId = `line-${l.line_id}-detail`;
    const toggle = h('button', { type: 'button', class: 'toggle',
      'aria-expanded': String(open), 'aria-controls': detailId,
      dataset: { key: `toggle-${l.line_id}` } },
    h('span', { class: 'chevron', 'aria-hidden': 'true' }, '▸'),
    h('span', { class: 'sr-only' }, `Attempts of ${l.to_number}`));
    const detail = h('tr', { class: 'line-detail', id: detailId, hidden: !open },
      h('td', { colspan: '7' }, h('div', { class: 'line-detail-body' })));
    toggle.addEventListener('click', () => {
      const now = !lines.expanded.has(l.line_id);
      if (now) lines.expanded.add(l.line_id);
      else lines.expanded.delete(l.line_id);
      toggle.setAttribute('aria-expanded', String(now));
      detail.hidden = !now;
      if (now) loadLineDetail(l, detail.querySelector('.line-detail-body'));
    });
    if (open) loadLineDetail(l, detail.querySelector('.line-detail-body'));
    return h('tbody', { class: 'line', dataset: { line: String(l.line_id) } },
      h('tr', {},
        h('td', { class: 'col-toggle' }, toggle),
        h('td', { class: 'mono' }, l.to_number),
        h('td', {}, lineBadge(l.status),
          l.skip_reason ? h('div', { class: 'muted small' }, l.skip_reason) : null),
        h('td', { class: 'num' }, String(l.attempts ?? 0)),
        h('td', { class: 'nowrap' }, timeEl(l.due_at)),
        h('td', { class: 'cell-vars' }, varsText(l.custom_variables)),
        h('td', { class: 'nowrap' }, timeEl(l.updated_at, true))),
      detail);
  }

  async function loadLineDetail(l, box) {
    const cacheKey = `${l.line_id}@${l.updated_at}`;
    const cached = lines.detailCache.get(cacheKey);
    if (cached) {
      clear(box, lineDetail(cached));
      return;
    }
    if (!box.childNodes.length) box.append(h('p', { class: 'muted' }, 'Loading…'));
    try {
      const r = await api.get(`${path}/lines/${l.line_id}`, null,
        { signal: ctx.signal });
      const line = r.line || r;
      lines.detailCache.set(cacheKey, line);
      clear(box, lineDetail(line));
    } catch (err) {
      if (err.name === 'AbortError') return;
      clear(box, alertBox('error', `Could not load the attempts: `
        + `${errorText(err)}`));
    }
  }

  function lineDetail(line) {
    const attempts = line.attempt_list || [];
    return h('div', { class: 'line-detail-grid' },
      h('div', { class: 'line-facts' },
        h('div', {}, h('h4', {}, 'Custom variables'), kv(line.custom_variables)),
        h('div', {}, h('h4', {}, 'Metadata'), kv(line.metadata)),
        line.skip_reason ? h('div', {}, h('h4', {}, 'Skip reason'),
          h('p', {}, line.skip_reason)) : null,
        h('div', {}, h('h4', {}, 'Line'), h('p', { class: 'small' },
          `#${line.line_id} · created `, timeEl(line.created_at, true)))),
      h('div', {},
        h('h4', {}, `Attempts (${attempts.length})`),
        attempts.length ? h('div', { class: 'table-wrap' },
          h('table', { class: 'table table-compact attempts' },
            h('thead', {}, h('tr', {},
              ['#', 'Started', 'Answered', 'Ended', 'Outcome', 'Duration',
                'Callback at', 'Summary'].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, attempts.map((a) => h('tr', {},
              h('td', {}, String(a.attempt_number ?? '')),
              h('td', {}, timeEl(a.started_at, true)),
              h('td', {}, timeEl(a.answered_at, 'time')),
              h('td', {}, timeEl(a.ended_at, 'time')),
              h('td', {}, a.outcome ? outcomeLabel(a.outcome)
                : h('span', { class: 'muted' }, 'in progress')),
              h('td', {}, duration(a.duration_seconds)),
              h('td', {}, timeEl(a.callback_at)),
              h('td', { class: 'cell-summary' },
                a.summary || '',
                a.welcome_message ? h('div', { class: 'muted small' },
                  `Welcome: “${a.welcome_message}”`) : null,
                a.missing_variables && a.missing_variables.length
                  ? h('div', { class: 'warn small' }, 'Missing variables: ',
                    a.missing_variables.join(', ')) : null))))))
          : h('p', { class: 'muted' }, 'No calls placed yet.')));
  }

  /* Settings ------------------------------------------------------------------ */

  function renderCurrent(c) {
    const window = [];
    if (c.enable_daily_hard_stop) {
      window.push(`stops at ${hoursToClock(c.daily_stop_time)} `
        + `(${c.daily_stop_timezone})`);
    }
    if (c.enable_daily_auto_start) {
      window.push(`starts at ${hoursToClock(c.daily_start_time)} `
        + `(${c.daily_start_timezone})`);
    }
    const days = c.allowed_days || DAYS;
    const conds = c.call_conditions || [];
    clear(el.current, h('dl', { class: 'meta meta-wide' },
      h('div', {}, h('dt', {}, 'Time zone'), h('dd', {}, c.timezone || 'UTC')),
      h('div', {}, h('dt', {}, 'Daily window'), h('dd', {},
        window.length ? window.join(', ') : 'No daily limits')),
      h('div', {}, h('dt', {}, 'Allowed days'), h('dd', {},
        days.length === 7 ? 'Every day' : days.map(dayLabel).join(', '))),
      h('div', {}, h('dt', {}, 'Call conditions'), h('dd', {},
        conds.length ? h('ul', { class: 'plain' }, conds.map((k) => h('li', {},
          h('code', {}, k.column), ` ${operatorLabel(k.operator)} `,
          k.value !== undefined ? h('code', {}, Array.isArray(k.value)
            ? k.value.join(', ') : String(k.value)) : null)))
          : 'None'))));
  }

  // A settings form: its inputs, a Save button, and where errors go.
  function settingsForm(title, fields, toBody, url, done) {
    const msg = h('div', { class: 'form-message', 'aria-live': 'polite' });
    const save = h('button', { type: 'submit', class: 'btn btn-primary btn-sm' },
      'Save');
    const form = h('form', { class: 'settings-form', novalidate: true,
      'aria-label': title },
    h('h3', {}, title), fields, msg, h('div', { class: 'form-actions' }, save));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFieldErrors(form);
      msg.replaceChildren();
      let body;
      try {
        body = toBody();
      } catch (err) {
        showMessage(msg, 'error', err.message);
        return;
      }
      setBusy(save, true, 'Saving…');
      try {
        const r = await api.put(url, body, { signal: ctx.signal });
        if (r && r.campaign_status) update(r);
        showMessage(msg, 'success', done);
      } catch (err) {
        if (err.name === 'AbortError') return;
        const target = err.field && (form.querySelector(
          `[data-field="${CSS.escape(err.field)}"]`) || form.querySelector(
          `[data-field="${CSS.escape(err.field.split(/[.[]/)[0])}"]`));
        if (target) showFieldError(target, err.message);
        showError(msg, err);
      } finally {
        setBusy(save, false);
      }
    });
    return form;
  }

  function invalid(input, message) {
    showFieldError(input, message);
    input.focus();
    return new ApiError(0, 'invalid', message);
  }

  function intIn(v, min, max) {
    const n = Number(v);
    return String(v).trim() !== '' && Number.isInteger(n) && n >= min && n <= max;
  }

  function retryForm() {
    const cfg = campaign.retry_config || {};
    const secs = cfg.retry_delays_seconds || [3600];
    const delayAt = (i) => Math.round((secs[Math.min(i, secs.length - 1)]
      ?? 3600) / 60);
    const on = h('input', { type: 'checkbox', name: 'auto_retry',
      checked: cfg.auto_retry });
    const limit = h('input', { type: 'number', class: 'input input-short',
      name: 'retry_limit', min: '0', max: '6', step: '1',
      value: String(cfg.retry_limit ?? 0) });
    const delays = h('div', { class: 'delay-grid' });
    const values = Array.from({ length: 6 }, (_, i) => String(delayAt(i)));
    const renderDelays = () => {
      const n = Math.min(6, Math.max(0, Number.parseInt(limit.value, 10) || 0));
      clear(delays, Array.from({ length: n }, (_, i) => {
        const input = h('input', { type: 'number', class: 'input input-short',
          name: `retry_delay_${i + 1}`, min: '0', max: '43200', step: '1',
          value: values[i],
          dataset: i === 0 ? { field: 'retry_config.retry_delays_minutes' } : {} });
        input.addEventListener('input', () => { values[i] = input.value; });
        return field({ label: `Retry ${i + 1} after (min)`, input });
      }));
    };
    limit.addEventListener('input', renderDelays);
    renderDelays();
    const form = settingsForm('Retry settings', [
      h('label', { class: 'check' }, on, h('span', {}, 'Auto retry')),
      field({ label: 'Retry limit (0 to 6)', input: limit,
        name: 'retry_config.retry_limit' }),
      delays,
      h('p', { class: 'hint' }, `Retried outcomes: ${(cfg.retry_on || [])
        .map(outcomeLabel).join(', ') || '—'}. Applies to pending lines.`),
    ], () => {
      if (!intIn(limit.value, 0, 6)) throw invalid(limit, 'Enter 0 to 6.');
      const n = Number(limit.value);
      const out = { auto_retry: on.checked, retry_limit: n };
      if (n > 0) {
        out.retry_delays_minutes = values.slice(0, n).map((v, i) => {
          if (!intIn(v, 0, 43200)) {
            throw invalid(delays.querySelector(`[name="retry_delay_${i + 1}"]`),
              'Enter whole minutes, at most 43200.');
          }
          return Number(v);
        });
      }
      if (cfg.retry_on) out.retry_on = cfg.retry_on;
      return { retry_config: out };
    }, `${path}/retry-settings`, 'Retry settings saved.');
    form.id = 'retry-settings';
    return form;
  }

  function rescheduleForm() {
    const on = h('input', { type: 'checkbox', name: 'enabled_reschedule_call',
      checked: campaign.enabled_reschedule_call });
    const limit = h('input', { type: 'number', class: 'input input-short',
      name: 'reschedule_limit', min: '0', max: '20', step: '1',
      value: String(campaign.reschedule_limit ?? 3) });
    const form = settingsForm('Call rescheduling', [
      h('label', { class: 'check' }, on, h('span', {},
        'Call back when the contact asks for it')),
      field({ label: 'Reschedule limit (0 to 20)', input: limit,
        name: 'reschedule_limit' }),
      h('p', { class: 'hint' }, 'A callback does not use a retry.'),
    ], () => {
      if (!intIn(limit.value, 0, 20)) throw invalid(limit, 'Enter 0 to 20.');
      return { enabled_reschedule_call: on.checked,
        reschedule_limit: Number(limit.value) };
    }, `${path}/reschedule-settings`, 'Reschedule settings saved.');
    form.id = 'reschedule-settings';
    return form;
  }

  function concurrencyForm() {
    const limit = h('input', { type: 'number', class: 'input input-short',
      name: 'concurrent_call_limit', min: '1', max: '1000', step: '1',
      value: String(campaign.concurrent_call_limit) });
    const form = settingsForm('Concurrency', [
      field({ label: 'Concurrent calls (1 to 1000)', input: limit,
        name: 'concurrent_call_limit',
        hint: 'The most calls in flight at once for this campaign.' }),
    ], () => {
      if (!intIn(limit.value, 1, 1000)) {
        throw invalid(limit, 'Enter a whole number from 1 to 1000.');
      }
      return { concurrent_call_limit: Number(limit.value) };
    }, `${path}/concurrency`, 'Concurrency saved.');
    form.id = 'concurrency-settings';
    return form;
  }

  // One side of the daily window: a flag, its time and the time's zone.
  function windowSide(kind, label, timeLabel) {
    const c = campaign;
    const on = h('input', { type: 'checkbox', name: `enable_daily_${kind}`,
      checked: c[`enable_daily_${kind}`] });
    const which = kind === 'hard_stop' ? 'stop' : 'start';
    const time = h('input', { type: 'time', class: 'input',
      name: `daily_${which}_time`,
      value: hoursToClock(c[`daily_${which}_time`]) });
    const listId = nextId('tz');
    const zone = h('input', { type: 'text', class: 'input',
      name: `daily_${which}_timezone`, list: listId, autocomplete: 'off',
      spellcheck: 'false',
      value: c[`daily_${which}_timezone`] || c.timezone || 'UTC' });
    const sync = () => {
      time.disabled = !on.checked;
      zone.disabled = !on.checked;
    };
    on.addEventListener('change', sync);
    sync();
    const node = h('div', { class: 'stack-sm' },
      h('label', { class: 'check' }, on, h('span', {}, label)),
      h('div', { class: 'row-fields' },
        field({ label: timeLabel, input: time, name: `daily_${which}_time` }),
        field({ label: `${which === 'stop' ? 'Stop' : 'Start'} time zone`,
          input: zone, name: `daily_${which}_timezone` })),
      zoneList(listId));
    // The whole side, always: the endpoint replaces the whole window.
    const toBody = () => {
      let hours = clockToHours(time.value);
      if (hours === null) {
        if (on.checked) throw invalid(time, `Choose the ${which} time.`);
        hours = Number(c[`daily_${which}_time`]) || 0;
      }
      const tz = zone.value.trim();
      if (!tz && on.checked) {
        throw invalid(zone, 'Enter a time zone, e.g. Europe/Berlin.');
      }
      return { [`enable_daily_${kind}`]: on.checked,
        [`daily_${which}_time`]: hours,
        [`daily_${which}_timezone`]: tz || c[`daily_${which}_timezone`]
          || c.timezone };
    };
    return { node, toBody };
  }

  function windowForm() {
    const stop = windowSide('hard_stop', 'Daily hard stop', 'Stop calling at');
    const start = windowSide('auto_start', 'Daily auto start',
      'Start calling at');
    const allowed = new Set(campaign.allowed_days || DAYS);
    const dayBoxes = DAYS.map((d) => h('input', { type: 'checkbox',
      name: 'allowed_days', value: d, checked: allowed.has(d),
      'aria-label': d }));
    const daysId = nextId('group');
    const days = h('fieldset', { class: 'group', id: daysId,
      dataset: { field: 'allowed_days' },
      'aria-describedby': `${daysId}-error` },
    h('legend', {}, 'Allowed days'),
    h('div', { class: 'day-checks' }, dayBoxes.map((box, i) => h('label',
      { class: 'check' }, box, h('span', {}, dayLabel(DAYS[i]))))),
    h('p', { class: 'field-error', id: `${daysId}-error`, role: 'alert',
      hidden: true }));
    const form = settingsForm('Daily time control', [
      h('div', { class: 'row-fields window-sides' }, stop.node, start.node),
      days,
      h('p', { class: 'hint' }, 'Calls are placed only inside the window; '
        + 'outside it the campaign is auto paused. A hard stop without an '
        + 'auto start waits for Resume. Days follow the campaign’s time zone '
        + `(${campaign.timezone || 'UTC'}). Saving replaces the whole window `
        + 'and applies to the next dial.'),
    ], () => {
      const body = { ...stop.toBody(), ...start.toBody() };
      body.allowed_days = DAYS.filter((_, i) => dayBoxes[i].checked);
      if (!body.allowed_days.length) {
        const err = invalid(days, 'Allow at least one day.');
        dayBoxes[0].focus();
        throw err;
      }
      return body;
    }, `${path}/daily-time-control`, 'Daily window saved.');
    form.id = 'daily-time-control';
    form.classList.add('settings-wide');
    return form;
  }

  function buildSettings() {
    clear(el.settings, retryForm(), rescheduleForm(), concurrencyForm(),
      windowForm());
  }

  firstLoad();
}
