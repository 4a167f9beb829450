// Phone Numbers: the numbers campaigns call from, their carrier and the
// agent attached to each.

import {
  h, clear, field, alertBox, errorText, showError, showMessage,
  showFieldError, clearFieldErrors, setBusy,
} from '../dom.js';
import { api, listAll } from '../api.js';
import { timeEl } from '../format.js';

const E164 = /^\+[1-9][0-9]{6,14}$/;

export function renderNumbers(root, ctx) {
  document.title = 'Phone Numbers · campaignd';
  let agents = [];
  const listBox = h('div', { class: 'card card-flush', 'aria-busy': 'true' },
    h('p', { class: 'loading' }, 'Loading phone numbers…'));
  const listMsg = h('div', {});

  const number = h('input', { type: 'tel', class: 'input', name: 'number',
    placeholder: '+14155550100', autocomplete: 'off' });
  const provider = h('select', { class: 'input', name: 'provider' },
    h('option', { value: 'sim' }, 'sim — built-in simulated carrier'));
  const agentSel = h('select', { class: 'input', name: 'agent_id' },
    h('option', { value: '' }, 'No agent'));
  const formMsg = h('div', { class: 'form-message', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' },
    'Add phone number');
  const form = h('form', { class: 'card form-card', novalidate: true,
    'aria-labelledby': 'add-number-title' },
  h('h2', { class: 'card-title', id: 'add-number-title' }, 'Add a phone number'),
  h('div', { class: 'form-grid' },
    field({ label: 'Number (E.164)', input: number, name: 'number',
      hint: '“+”, the country code and the number, e.g. +14155550100.' }),
    field({ label: 'Provider', input: provider, name: 'provider' }),
    field({ label: 'Agent', input: agentSel, name: 'agent_id',
      hint: 'The agent that talks on calls from this number.' })),
  formMsg,
  h('div', { class: 'form-actions' }, submit));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFieldErrors(form);
    formMsg.replaceChildren();
    const value = number.value.trim();
    if (!E164.test(value)) {
      showFieldError(number, 'Enter the number in E.164 form, e.g. '
        + '+14155550100.');
      number.focus();
      return;
    }
    const body = { number: value, provider: provider.value };
    if (agentSel.value) body.agent_id = Number(agentSel.value);
    setBusy(submit, true, 'Adding…');
    try {
      const r = await api.post('/api/v1/phone_numbers', body,
        { signal: ctx.signal });
      showMessage(formMsg, 'success', `${r.number} was added.`);
      number.value = '';
      load();
    } catch (err) {
      if (err.name === 'AbortError') return;
      const target = form.querySelector(`[data-field="${err.field
        || (err.code === 'number_exists' ? 'number'
          : err.code === 'unknown_agent' ? 'agent_id' : '')}"]`);
      if (target) {
        showFieldError(target, err.message);
        target.focus();
      } else showError(formMsg, err);
    } finally {
      setBusy(submit, false);
    }
  });

  clear(root, h('div', { class: 'page' },
    h('div', { class: 'page-head' }, h('div', {},
      h('h1', { class: 'page-title' }, 'Phone Numbers'),
      h('p', { class: 'page-sub' }, 'Numbers your campaigns call from.'))),
    form, listMsg, listBox));

  function agentName(id) {
    const a = agents.find((x) => x.id === id);
    return a ? a.name : id ? `Agent #${id}` : null;
  }

  function agentCell(n) {
    return agentName(n.agent_id) || h('span', { class: 'muted' }, 'none');
  }

  // The row's agent picker: "Attach" sends the chosen agent, "Detach"
  // (when "No agent" is chosen) sends null. The reply updates the row in
  // place, so the result stays next to the control.
  function attachControl(n, cell) {
    const msgId = `attach-${n.id}-message`;
    const sel = h('select', { class: 'input input-sm', name: `attach-${n.id}`,
      'aria-label': `Agent for ${n.number}`, 'aria-describedby': msgId },
    h('option', { value: '' }, 'No agent'),
    agents.map((a) => h('option', { value: String(a.id),
      selected: a.id === n.agent_id }, a.name)));
    const btn = h('button', { type: 'button',
      class: 'btn btn-secondary btn-sm' });
    const msg = h('div', { class: 'row-message', id: msgId,
      'aria-live': 'polite' });
    const sync = () => {
      const current = n.agent_id ? String(n.agent_id) : '';
      btn.textContent = sel.value ? 'Attach' : 'Detach';
      btn.disabled = sel.value === current;
      btn.title = btn.disabled ? (current ? 'This agent is attached'
        : 'No agent is attached') : '';
    };
    sel.addEventListener('change', () => {
      msg.replaceChildren();
      sel.removeAttribute('aria-invalid');
      sync();
    });
    btn.addEventListener('click', async () => {
      msg.replaceChildren();
      sel.removeAttribute('aria-invalid');
      const agentId = sel.value ? Number(sel.value) : null;
      setBusy(btn, true, agentId ? 'Attaching…' : 'Detaching…');
      try {
        const r = await api.put(`/api/v1/phone_numbers/${n.id}`,
          { agent_id: agentId }, { signal: ctx.signal });
        n.agent_id = r.agent_id ?? null;
        clear(cell, agentCell(n));
        showMessage(msg, 'success', n.agent_id
          ? `${agentName(n.agent_id)} is attached.` : 'Agent detached.');
      } catch (err) {
        if (err.name === 'AbortError') return;
        sel.setAttribute('aria-invalid', 'true');
        showError(msg, err);
      } finally {
        setBusy(btn, false);
        sync();
        // A button left disabled drops the focus: keep it in the row.
        const active = document.activeElement;
        if (btn.disabled && (active === btn || active === document.body)) {
          sel.focus();
        }
      }
    });
    sync();
    return h('div', { class: 'attach' }, h('div', { class: 'attach-controls' },
      sel, btn), msg);
  }

  function numberRow(n) {
    const cell = h('td', {}, agentCell(n));
    return h('tr', { dataset: { number: String(n.id) } },
      h('td', { class: 'mono' }, n.number, h('div', { class: 'muted small' },
        `#${n.id}`)),
      h('td', {}, h('span', { class: 'type-tag' }, n.provider)),
      cell,
      h('td', { class: 'nowrap' }, timeEl(n.created_at)),
      h('td', {}, attachControl(n, cell)));
  }

  async function load() {
    try {
      const [numbers, agentList] = await Promise.all([
        listAll('/api/v1/phone_numbers', 'phone_numbers', ctx.signal),
        listAll('/api/v1/agents', 'agents', ctx.signal),
      ]);
      agents = agentList;
      clear(agentSel, h('option', { value: '' }, 'No agent'),
        agents.map((a) => h('option', { value: String(a.id) }, a.name)));
      listMsg.replaceChildren();
      listBox.removeAttribute('aria-busy');
      if (!numbers.length) {
        clear(listBox, h('div', { class: 'empty' },
          h('p', { class: 'empty-title' }, 'No phone numbers yet.'),
          h('p', { class: 'muted' }, 'Add one above to create campaigns.')));
        return;
      }
      clear(listBox, h('div', { class: 'table-wrap' },
        h('table', { class: 'table', id: 'numbers-table' },
          h('caption', { class: 'sr-only' }, 'Phone numbers'),
          h('thead', {}, h('tr', {},
            ['Number', 'Provider', 'Agent', 'Created', 'Attach or detach']
              .map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, numbers.map(numberRow)))));
    } catch (err) {
      if (err.name === 'AbortError') return;
      listBox.removeAttribute('aria-busy');
      listBox.replaceChildren();
      listMsg.replaceChildren(alertBox('error', `Could not load phone numbers: `
        + `${errorText(err)}`));
    }
  }

  load();
}
