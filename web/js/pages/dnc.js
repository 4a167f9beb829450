// Do-not-call: numbers never dialled, for every campaign or one. Add one,
// import many, remove, and list them page by page.

import {
  h, clear, field, alertBox, errorText, showError, showMessage,
  showFieldError, clearFieldErrors, confirmDialog, setBusy,
} from '../dom.js';
import { api, BULK, listAll } from '../api.js';
import { timeEl, number as fmtNumber } from '../format.js';

const E164 = /^\+[1-9][0-9]{6,14}$/;
const PAGE_SIZE = 25;
const DNC = '/api/v1/dnc';

function campaignSelect(campaigns, name, withAll, label = 'All campaigns') {
  return h('select', { class: 'input', name },
    withAll ? h('option', { value: '' }, label) : null,
    campaigns.map((c) => h('option', { value: String(c.id) },
      `${c.name} (#${c.id})`)));
}

export function renderDnc(root, ctx) {
  document.title = 'Do-not-call · campaignd';
  const state = { page: 1, campaignId: '' };
  let campaigns = [];

  const listMsg = h('div', {});
  const listBox = h('div', { class: 'card card-flush', 'aria-busy': 'true' },
    h('p', { class: 'loading' }, 'Loading the do-not-call list…'));
  const filterSlot = h('div', { class: 'toolbar' });
  const addSlot = h('div', {});
  const bulkSlot = h('div', {});

  clear(root, h('div', { class: 'page' },
    h('div', { class: 'page-head' }, h('div', {},
      h('h1', { class: 'page-title' }, 'Do-not-call'),
      h('p', { class: 'page-sub' }, 'Numbers that are never dialled. A line '
        + 'for a listed number is skipped and keeps the reason.'))),
    h('div', { class: 'two-col' }, addSlot, bulkSlot),
    filterSlot, listMsg, listBox));

  function addForm() {
    const num = h('input', { type: 'tel', class: 'input', name: 'number',
      placeholder: '+14155550123', autocomplete: 'off' });
    const scope = campaignSelect(campaigns, 'campaign_id', true,
      'All campaigns');
    const reason = h('input', { type: 'text', class: 'input', name: 'reason',
      maxlength: '200', placeholder: 'Asked not to be called' });
    const msg = h('div', { class: 'form-message', 'aria-live': 'polite' });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary' },
      'Add number');
    const form = h('form', { class: 'card form-card', novalidate: true,
      'aria-labelledby': 'dnc-add-title', id: 'dnc-add' },
    h('h2', { class: 'card-title', id: 'dnc-add-title' }, 'Add a number'),
    field({ label: 'Number (E.164)', input: num, name: 'number' }),
    field({ label: 'Applies to', input: scope, name: 'campaign_id' }),
    field({ label: 'Reason (optional)', input: reason, name: 'reason' }),
    msg, h('div', { class: 'form-actions' }, submit));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFieldErrors(form);
      msg.replaceChildren();
      const value = num.value.trim();
      if (!E164.test(value)) {
        showFieldError(num, 'Enter the number in E.164 form, e.g. '
          + '+14155550123.');
        num.focus();
        return;
      }
      const body = { number: value };
      if (scope.value) body.campaign_id = Number(scope.value);
      if (reason.value.trim()) body.reason = reason.value.trim();
      setBusy(submit, true, 'Adding…');
      try {
        await api.post(DNC, body, { signal: ctx.signal });
        showMessage(msg, 'success', `${value} is on the do-not-call list.`);
        num.value = '';
        reason.value = '';
        load();
      } catch (err) {
        if (err.name === 'AbortError') return;
        const target = err.field
          && form.querySelector(`[data-field="${CSS.escape(err.field)}"]`);
        if (target) showFieldError(target, err.message);
        showError(msg, err);
      } finally {
        setBusy(submit, false);
      }
    });
    return form;
  }

  function bulkForm() {
    const text = h('textarea', { class: 'input', name: 'numbers', rows: '5',
      placeholder: '+14155550123\n+14155550124' });
    const scope = campaignSelect(campaigns, 'bulk_campaign_id', true,
      'All campaigns');
    const msg = h('div', { class: 'form-message', 'aria-live': 'polite' });
    const submit = h('button', { type: 'submit', class: 'btn btn-secondary' },
      'Import numbers');
    const form = h('form', { class: 'card form-card', novalidate: true,
      'aria-labelledby': 'dnc-bulk-title', id: 'dnc-bulk' },
    h('h2', { class: 'card-title', id: 'dnc-bulk-title' }, 'Bulk import'),
    field({ label: 'Numbers', input: text, name: 'numbers',
      hint: 'One per line, or separated by commas.' }),
    field({ label: 'Applies to', input: scope, name: 'campaign_id' }),
    msg, h('div', { class: 'form-actions' }, submit));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFieldErrors(form);
      msg.replaceChildren();
      const numbers = text.value.split(/[\s,;]+/).map((v) => v.trim())
        .filter(Boolean);
      if (!numbers.length) {
        showFieldError(text, 'Enter at least one number.');
        text.focus();
        return;
      }
      const body = { numbers };
      if (scope.value) body.campaign_id = Number(scope.value);
      setBusy(submit, true, 'Importing…');
      try {
        const r = await api.post(`${DNC}/bulk`, body, { signal: ctx.signal });
        const rejected = r.rejected || [];
        msg.replaceChildren(alertBox(rejected.length ? 'info' : 'success',
          `${fmtNumber(r.added)} added${rejected.length
            ? `, ${rejected.length} rejected:` : '.'}`,
          rejected.length ? h('ul', { class: 'plain' }, rejected.map((x) =>
            h('li', {}, h('code', {}, numbers[x.index] ?? `#${x.index + 1}`),
              ` — ${x.message}`))) : null));
        text.value = rejected.map((x) => numbers[x.index]).filter(Boolean)
          .join('\n');
        load();
      } catch (err) {
        if (err.name === 'AbortError') return;
        showError(msg, err);
      } finally {
        setBusy(submit, false);
      }
    });
    return form;
  }

  function filter() {
    const sel = campaignSelect(campaigns, 'filter_campaign', true,
      'Every entry');
    sel.value = state.campaignId;
    sel.addEventListener('change', () => {
      state.campaignId = sel.value;
      state.page = 1;
      load();
    });
    return field({ label: 'Show entries for', input: sel,
      className: 'field-inline' });
  }

  function campaignName(id) {
    if (id === null || id === undefined) return 'All campaigns';
    const c = campaigns.find((x) => x.id === id);
    return c ? `${c.name} (#${id})` : `Campaign #${id}`;
  }

  function removeButton(e) {
    const btn = h('button', { type: 'button', class: 'btn btn-danger-outline btn-sm',
      'aria-label': `Remove ${e.number}` }, 'Remove');
    btn.addEventListener('click', async () => {
      const ok = await confirmDialog({ title: `Remove ${e.number}?`,
        message: 'Campaigns may call this number again.', confirm: 'Remove',
        cancel: 'Keep it', danger: true });
      if (!ok) return;
      setBusy(btn, true, 'Removing…');
      try {
        await api.del(`${DNC}/${e.id}`, { signal: ctx.signal });
        load();
      } catch (err) {
        if (err.name !== 'AbortError') showError(listMsg, err);
        setBusy(btn, false);
      }
    });
    return btn;
  }

  function table(entries, total) {
    const pages = Math.max(1, Math.ceil((total || 0) / PAGE_SIZE));
    return [h('div', { class: 'table-wrap' },
      h('table', { class: 'table', id: 'dnc-table' },
        h('caption', { class: 'sr-only' }, 'Do-not-call entries'),
        h('thead', {}, h('tr', {}, ['Number', 'Applies to', 'Reason', 'Added', '']
          .map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, entries.map((e) => h('tr', {},
          h('td', { class: 'mono' }, e.number),
          h('td', {}, campaignName(e.campaign_id)),
          h('td', {}, e.reason || h('span', { class: 'muted' }, '—')),
          h('td', { class: 'nowrap' }, timeEl(e.created_at)),
          h('td', { class: 'cell-actions' }, removeButton(e))))))),
    h('nav', { class: 'pager', 'aria-label': 'Do-not-call pages' },
      h('span', { class: 'pager-info' }, `${fmtNumber(total)} entries · page `
        + `${state.page} of ${pages}`),
      h('div', { class: 'pager-buttons' },
        h('button', { type: 'button', class: 'btn btn-secondary btn-sm',
          disabled: state.page <= 1,
          onclick: () => { state.page -= 1; load(); } }, '← Previous'),
        h('button', { type: 'button', class: 'btn btn-secondary btn-sm',
          disabled: state.page >= pages,
          onclick: () => { state.page += 1; load(); } }, 'Next →')))];
  }

  async function load() {
    try {
      const r = await api.get(DNC, { pageno: state.page, pagesize: PAGE_SIZE,
        campaign_id: state.campaignId }, { signal: ctx.signal });
      const entries = r.entries || [];
      listMsg.replaceChildren();
      listBox.removeAttribute('aria-busy');
      if (!entries.length && state.page === 1) {
        clear(listBox, h('div', { class: 'empty' },
          h('p', { class: 'empty-title' }, 'No numbers on the list.'),
          h('p', { class: 'muted' }, 'Add numbers above; campaigns will skip '
            + 'them.')));
        return;
      }
      clear(listBox, table(entries, r.total ?? entries.length));
    } catch (err) {
      if (err.name === 'AbortError') return;
      listBox.removeAttribute('aria-busy');
      listBox.replaceChildren();
      listMsg.replaceChildren(alertBox('error', `Could not load the `
        + `do-not-call list: ${errorText(err)}`));
    }
  }

  async function start() {
    try {
      campaigns = await listAll(BULK, 'campaigns', ctx.signal);
    } catch (err) {
      if (err.name === 'AbortError') return;
      listMsg.replaceChildren(alertBox('error', `Could not load campaigns: `
        + `${errorText(err)}`));
    }
    clear(addSlot, addForm());
    clear(bulkSlot, bulkForm());
    clear(filterSlot, filter());
    load();
  }

  start();
}
