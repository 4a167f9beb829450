// The Create Campaign wizard: four steps, each checked before Next, all
// kept in one state object so Back shows what was typed. A 422 from the
// API is shown next to its field on the step that holds it.

import {
  h, clear, field, showFieldError, clearFieldError, clearFieldErrors,
  alertBox, errorText, nextId, setBusy,
} from '../dom.js';
import { api, BULK, listAll } from '../api.js';
import {
  summarizeCsv, CSV_MAX_BYTES, CSV_MAX_ROWS,
} from '../csv.js';
import { setFlash } from '../flash.js';
import {
  DAYS, dayLabel, clockToHours, minutesText, number, bytesText, zones,
} from '../format.js';

const STEPS = ['Basics', 'Contacts', 'Schedule & calling', 'Review'];
// POST .../create takes request bodies of up to 16 MiB (other routes
// 64 KiB); the CSV text travels inside the JSON body.
const UPLOAD_MAX = 16 * 1024 * 1024;
const LIMIT_TEXT = '16 MiB';
const DEFAULT_DELAYS = [60, 120, 240, 480, 1440, 2880];

export const OPERATORS = [
  ['equals', 'equals'],
  ['not_equals', 'does not equal'],
  ['contains', 'contains'],
  ['not_contains', 'does not contain'],
  ['starts_with', 'starts with'],
  ['ends_with', 'ends with'],
  ['greater_than', 'is greater than'],
  ['less_than', 'is less than'],
  ['greater_or_equal', 'is greater than or equal to'],
  ['less_or_equal', 'is less than or equal to'],
  ['in', 'is one of'],
  ['not_in', 'is not one of'],
  ['is_empty', 'is empty'],
  ['is_not_empty', 'is not empty'],
];
const NO_VALUE = ['is_empty', 'is_not_empty'];
const NUMERIC = ['greater_than', 'less_than', 'greater_or_equal',
  'less_or_equal'];
const LIST = ['in', 'not_in'];

export function operatorLabel(op) {
  const found = OPERATORS.find(([v]) => v === op);
  return found ? found[1] : op;
}

function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

function pad(n) {
  return String(n).padStart(2, '0');
}

function newState() {
  const soon = new Date(Date.now() + 3600 * 1000);
  return {
    step: 1,
    name: '',
    phoneNumberId: '',
    botId: '',
    mode: '',
    csv: null, // {fileName, size, text, summary}; text null when too large
    customVars: '',
    conditions: [],
    startMode: 'now',
    date: `${soon.getFullYear()}-${pad(soon.getMonth() + 1)}-${pad(soon.getDate())}`,
    time: `${pad(soon.getHours())}:00`,
    timezone: browserZone(),
    hardStop: false,
    stopTime: '18:00',
    autoStart: false,
    startTime: '09:00',
    days: new Set(DAYS),
    autoRetry: false,
    retryLimit: 2,
    delays: DEFAULT_DELAYS.slice(),
    reschedule: false,
    rescheduleLimit: 3,
    concurrency: 10,
    draft: false,
    serverError: null, // an ApiError to show on its step
    idempotencyKey: crypto.randomUUID ? crypto.randomUUID() : String(Date.now()),
  };
}

// Which step holds an API field.
function stepOfField(fieldName, code) {
  const f = fieldName || {
    unknown_phone_number: 'phone_number_id',
    missing_agent: 'bot_id',
    unknown_agent: 'bot_id',
    no_valid_contacts: 'contact_csv',
    body_too_large: 'contact_csv',
  }[code] || '';
  if (/^(name|phone_number_id|bot_id)$/.test(f)) return { step: 1, field: f };
  if (/^(contact_csv|contact_list|is_dynamic|call_conditions)/.test(f)) {
    return { step: 2, field: f };
  }
  if (f) return { step: 3, field: f };
  return { step: 4, field: '' };
}

/* --- Building the request --------------------------------------------- */

// The size of body as sent: JSON in UTF-8.
function requestBytes(body) {
  return new TextEncoder().encode(JSON.stringify(body)).length;
}

function tooLargeText(what, bytes) {
  return `${what} ${bytesText(bytes)} (${number(bytes)} bytes), over the `
    + `${LIMIT_TEXT} (${number(UPLOAD_MAX)} bytes) that campaignd takes to `
    + 'create a campaign. Split the contacts into smaller files, one '
    + 'campaign each.';
}

function conditionValue(c) {
  if (NO_VALUE.includes(c.operator)) return undefined;
  if (LIST.includes(c.operator)) {
    return c.value.split(',').map((v) => v.trim()).filter(Boolean);
  }
  if (NUMERIC.includes(c.operator)) return Number(c.value);
  return c.value;
}

export function buildBody(s) {
  const body = {
    name: s.name.trim(),
    phone_number_id: Number(s.phoneNumberId),
    is_dynamic: s.mode === 'dynamic',
    timezone: s.timezone,
    is_scheduled: s.startMode === 'later',
    enable_daily_hard_stop: s.hardStop,
    enable_daily_auto_start: s.autoStart,
    allowed_days: DAYS.filter((d) => s.days.has(d)),
    retry_config: { auto_retry: s.autoRetry },
    enabled_reschedule_call: s.reschedule,
    reschedule_limit: Number(s.rescheduleLimit),
    concurrent_call_limit: Number(s.concurrency),
  };
  if (s.botId) body.bot_id = Number(s.botId);
  if (s.mode === 'csv' && s.csv) body.contact_csv = s.csv.text;
  if (s.conditions.length) {
    body.call_conditions = s.conditions.map((c) => {
      const out = { column: c.column.trim(), operator: c.operator };
      const v = conditionValue(c);
      if (v !== undefined) out.value = v;
      return out;
    });
  }
  if (body.is_scheduled) body.scheduled_datetime = `${s.date} ${s.time}:00`;
  if (s.hardStop) body.daily_stop_time = clockToHours(s.stopTime);
  if (s.autoStart) body.daily_start_time = clockToHours(s.startTime);
  if (s.autoRetry) {
    const limit = Number(s.retryLimit);
    body.retry_config.retry_limit = limit;
    if (limit > 0) {
      body.retry_config.retry_delays_minutes =
        s.delays.slice(0, limit).map(Number);
    }
  }
  if (s.draft) body.save_as_draft = true;
  return body;
}

/* --- Small builders ------------------------------------------------------ */

function textInput(attrs) {
  return h('input', { type: 'text', class: 'input', ...attrs });
}

function checkbox(label, checked, onchange, attrs = {}) {
  const input = h('input', { type: 'checkbox', checked, ...attrs });
  input.addEventListener('change', () => onchange(input.checked));
  return h('label', { class: 'check' }, input, h('span', {}, label));
}

// A fieldset with its own error slot, addressable like a field.
function group(legend, name, ...children) {
  const id = nextId('group');
  const fs = h('fieldset', { class: 'group', id, dataset: { field: name },
    'aria-describedby': `${id}-error` },
  h('legend', {}, legend), ...children,
  h('p', { class: 'field-error', id: `${id}-error`, role: 'alert',
    hidden: true }));
  return fs;
}

function section(title, description, ...children) {
  return h('section', { class: 'wizard-section' },
    h('div', { class: 'wizard-section-head' },
      h('h3', {}, title),
      description ? h('p', { class: 'muted small' }, description) : null),
    h('div', { class: 'wizard-section-body' }, ...children));
}

/* --- The page ------------------------------------------------------------ */

export function renderWizard(root, ctx) {
  document.title = 'Create campaign · campaignd';
  const s = newState();
  const cache = { numbers: null, agents: null, agentById: new Map(),
    loadError: null };

  const stepper = h('ol', { class: 'stepper' });
  const message = h('div', { class: 'wizard-message' });
  const content = h('div', { class: 'wizard-body' });
  const back = h('button', { type: 'button', class: 'btn btn-secondary' },
    '← Back');
  const next = h('button', { type: 'submit', class: 'btn btn-primary' },
    'Next →');
  const form = h('form', { class: 'card wizard', novalidate: true,
    'aria-labelledby': 'wizard-title' },
  stepper, message, content,
  h('div', { class: 'wizard-actions' },
    h('a', { href: '/bulk-call', class: 'btn btn-ghost' }, 'Cancel'),
    h('div', { class: 'wizard-nav' }, back, next)));

  clear(root, h('div', { class: 'page page-narrow' },
    h('div', { class: 'page-head' },
      h('div', {},
        h('p', { class: 'crumbs' }, h('a', { href: '/bulk-call' }, 'Bulk Call'),
          ' / New'),
        h('h1', { class: 'page-title', id: 'wizard-title' },
          'Create New Campaign'))),
    form));

  back.addEventListener('click', () => {
    if (s.step > 1) show(s.step - 1);
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (s.step < 4) {
      if (validate()) show(s.step + 1);
    } else {
      submit();
    }
  });

  function renderStepper() {
    clear(stepper, STEPS.map((label, i) => {
      const n = i + 1;
      const state = n < s.step ? 'done' : n === s.step ? 'current' : 'upcoming';
      return h('li', { class: `step step-${state}`,
        'aria-current': n === s.step ? 'step' : null },
      h('span', { class: 'step-num', 'aria-hidden': 'true' },
        state === 'done' ? '✓' : String(n)),
      h('span', { class: 'step-label' },
        h('span', { class: 'sr-only' }, `Step ${n} of 4: `), label,
        state === 'done' ? h('span', { class: 'sr-only' }, ' (done)') : null));
    }));
  }

  function show(step, focus = true) {
    s.step = step;
    renderStepper();
    message.replaceChildren();
    const builders = [null, step1, step2, step3, step4];
    clear(content, builders[step]());
    back.hidden = step === 1;
    next.textContent = step === 4 ? 'Create Campaign' : 'Next →';
    showServerError();
    const heading = content.querySelector('h2');
    if (focus && heading && !content.contains(document.activeElement)) {
      heading.focus();
    }
  }

  function showServerError() {
    const err = s.serverError;
    if (!err) return;
    const where = stepOfField(err.field, err.code);
    if (where.step !== s.step) return;
    const target = where.field
      ? content.querySelector(`[data-field="${CSS.escape(where.field)}"]`)
        || content.querySelector(`[data-field^="${CSS.escape(where.field.split(/[.[]/)[0])}"]`)
      : null;
    if (target && document.getElementById(`${target.id}-error`)) {
      showFieldError(target, err.message);
      target.focus();
    } else {
      if (target) target.setAttribute('aria-invalid', 'true');
      message.replaceChildren(alertBox('error', errorText(err)));
    }
    const rejected = err.body && err.body.rejected;
    if (rejected && rejected.length) {
      message.append(rejectedList(rejected));
    }
  }

  /* Step 1 ---------------------------------------------------------------- */

  function step1() {
    const name = textInput({ name: 'name', maxlength: '200',
      value: s.name, autocomplete: 'off' });
    name.addEventListener('input', () => { s.name = name.value; });
    const select = h('select', { class: 'input', name: 'phone_number_id' },
      h('option', { value: '' }, 'Loading phone numbers…'));
    const agentBox = h('div', { class: 'agent-box', 'aria-live': 'polite' });
    const wrap = h('div', { class: 'stack' },
      h('h2', { class: 'step-title', tabindex: '-1' }, 'Name and phone number'),
      field({ label: 'Campaign name', input: name, name: 'name',
        hint: 'Shown in the dashboard only.' }),
      field({ label: 'Phone number', input: select, name: 'phone_number_id',
        hint: 'The number the calls come from. Its agent talks on the '
          + 'calls.' }),
      agentBox);
    select.addEventListener('change', () => {
      s.phoneNumberId = select.value;
      s.botId = '';
      showAgent(agentBox);
    });
    fillNumbers(select).then(() => showAgent(agentBox));
    return wrap;
  }

  async function loadNumbers() {
    if (!cache.numbers) {
      cache.numbers = await listAll('/api/v1/phone_numbers', 'phone_numbers',
        ctx.signal);
    }
    return cache.numbers;
  }

  async function loadAgents() {
    if (!cache.agents) {
      cache.agents = await listAll('/api/v1/agents', 'agents', ctx.signal);
      for (const a of cache.agents) cache.agentById.set(a.id, a);
    }
    return cache.agents;
  }

  async function fillNumbers(select) {
    try {
      const numbers = await loadNumbers();
      clear(select,
        h('option', { value: '' }, numbers.length ? 'Choose a phone number'
          : 'No phone numbers yet'),
        numbers.map((n) => h('option', { value: String(n.id),
          selected: String(n.id) === s.phoneNumberId },
        `${n.number} (${n.provider})`)));
      if (!numbers.length) {
        const slot = document.getElementById(`${select.id}-error`);
        slot.hidden = false;
        slot.replaceChildren('Add a phone number first on the ',
          h('a', { href: '/phone-numbers' }, 'Phone Numbers'), ' page.');
      }
    } catch (err) {
      if (err.name === 'AbortError') return;
      clear(select, h('option', { value: '' }, 'Could not load numbers'));
      showFieldError(select, `Could not load phone numbers: ${errorText(err)}`);
    }
  }

  async function showAgent(box) {
    box.replaceChildren();
    const num = (cache.numbers || []).find((n) => String(n.id) === s.phoneNumberId);
    if (!num) return;
    if (num.agent_id) {
      box.append(h('p', { class: 'muted' }, 'Loading the agent…'));
      try {
        let agent = cache.agentById.get(num.agent_id);
        if (!agent) {
          agent = await api.get(`/api/v1/agents/${num.agent_id}`, null,
            { signal: ctx.signal });
          cache.agentById.set(agent.id, agent);
        }
        clear(box, agentCard(agent, 'Attached agent'));
      } catch (err) {
        if (err.name === 'AbortError') return;
        clear(box, alertBox('error', `Could not load agent ${num.agent_id}: `
          + `${errorText(err)}`));
      }
      return;
    }
    // No agent attached: the campaign must name one (bot_id).
    const sel = h('select', { class: 'input', name: 'bot_id' },
      h('option', { value: '' }, 'Loading agents…'));
    sel.addEventListener('change', () => { s.botId = sel.value; });
    clear(box, alertBox('info', 'This number has no agent attached. Choose '
      + 'the agent for this campaign.'),
    field({ label: 'Agent', input: sel, name: 'bot_id' }));
    try {
      const agents = await loadAgents();
      clear(sel, h('option', { value: '' }, agents.length ? 'Choose an agent'
        : 'No agents yet'),
      agents.map((a) => h('option', { value: String(a.id),
        selected: String(a.id) === s.botId }, a.name)));
    } catch (err) {
      if (err.name !== 'AbortError') {
        showFieldError(sel, `Could not load agents: ${errorText(err)}`);
      }
    }
  }

  function agentCard(agent, title) {
    return h('div', { class: 'agent-card', id: 'attached-agent' },
      h('div', { class: 'agent-card-head' },
        h('span', { class: 'muted small' }, title),
        h('strong', { class: 'agent-name' }, agent.name)),
      agent.variables && agent.variables.length
        ? h('p', { class: 'small' }, 'Uses variables: ',
          agent.variables.map((v) => h('code', { class: 'chip' }, v)))
        : h('p', { class: 'small muted' }, 'Uses no variables.'));
  }

  /* Step 2 ---------------------------------------------------------------- */

  function step2() {
    const csvPanel = h('div', { class: 'stack' });
    const dynPanel = h('div', { class: 'stack' });
    const modeGroup = group('How contacts reach this campaign', 'is_dynamic',
      h('div', { class: 'choice-grid' },
        choice('csv', 'Upload CSV File',
          'Call a fixed list. The campaign completes when every contact has '
          + 'a final result.'),
        choice('dynamic', 'Dynamic Campaign (add contacts via API/webhooks)',
          'Your CRM pushes contacts one by one; the campaign keeps running '
          + 'and waits for more.')));
    const conditions = h('div', { class: 'stack' });

    function choice(value, title, text) {
      const input = h('input', { type: 'radio', name: 'mode', value,
        checked: s.mode === value });
      input.addEventListener('change', () => {
        s.mode = value;
        refresh();
      });
      return h('label', { class: 'choice' }, input,
        h('span', { class: 'choice-text' },
          h('span', { class: 'choice-title' }, title),
          h('span', { class: 'choice-desc' }, text)));
    }

    function refresh() {
      csvPanel.hidden = s.mode !== 'csv';
      dynPanel.hidden = s.mode !== 'dynamic';
      renderConditions(conditions);
    }

    buildCsvPanel(csvPanel, () => renderConditions(conditions));
    const vars = textInput({ name: 'custom_variable_names',
      value: s.customVars, placeholder: 'first_name, plan, city' });
    vars.addEventListener('input', () => {
      s.customVars = vars.value;
      updateColumnList();
    });
    dynPanel.append(
      alertBox('info', 'After creating the campaign, its page shows the '
        + 'webhook URL and a ready cURL example for your CRM.'),
      field({ label: 'Custom variable names (optional)', input: vars,
        hint: 'The custom_variables your CRM will send, separated by commas. '
          + 'They are offered as columns for call conditions.' }));
    refresh();
    return h('div', { class: 'stack' },
      h('h2', { class: 'step-title', tabindex: '-1' }, 'Contacts'),
      modeGroup, csvPanel, dynPanel,
      section('Call conditions (optional)', 'A contact is called only if it '
        + 'meets every condition; others are kept as skipped.', conditions));
  }

  function buildCsvPanel(panel, onLoaded) {
    const file = h('input', { type: 'file', class: 'input-file',
      name: 'contact_csv', accept: '.csv,text/csv,text/plain' });
    const preview = h('div', { class: 'csv-preview', 'aria-live': 'polite' });
    let reading = 0; // the latest choice wins over a slower earlier read
    file.addEventListener('change', async () => {
      const f = file.files && file.files[0];
      if (!f) return;
      const mine = ++reading;
      if (s.serverError && stepOfField(s.serverError.field,
        s.serverError.code).step === 2) s.serverError = null;
      message.replaceChildren();
      clearFieldError(file);
      if (f.size > CSV_MAX_BYTES) {
        // Not even read: it cannot be sent.
        s.csv = { fileName: f.name, size: f.size, text: null,
          summary: { header: [], preview: [], rowCount: 0, phoneIndex: -1,
            problems: [tooLargeText('The file is', f.size)] } };
      } else {
        preview.replaceChildren(h('p', { class: 'muted' },
          `Reading ${f.name}…`));
        try {
          const text = await f.text();
          if (mine !== reading) return;
          s.csv = { fileName: f.name, size: f.size, text,
            summary: summarizeCsv(text) };
        } catch (err) {
          if (mine !== reading) return;
          s.csv = null;
          showFieldError(file, `Could not read the file: ${err.message}`);
        }
      }
      renderPreview(preview);
      onLoaded();
    });
    panel.append(field({ label: 'CSV file', input: file, name: 'contact_csv',
      hint: 'A header row with a phone_number (or to_number) column in E.164 '
        + 'form, e.g. +14155550123. Other columns become custom variables. '
        + `Up to ${LIMIT_TEXT} and ${number(CSV_MAX_ROWS)} contact rows.` }),
    preview);
    renderPreview(preview);
  }

  function renderPreview(box) {
    box.replaceChildren();
    if (!s.csv) return;
    const { summary, fileName, size, text } = s.csv;
    box.append(h('div', { class: 'csv-meta' },
      h('strong', {}, fileName), ' · ',
      text === null ? null : [`${number(summary.rowCount)} contact `
        + `row${summary.rowCount === 1 ? '' : 's'}`, ' · ',
      `${summary.header.length} columns`, ' · '],
      bytesText(size)));
    for (const p of summary.problems) box.append(alertBox('error', p));
    if (summary.header.length) {
      box.append(h('div', { class: 'table-wrap' },
        h('table', { class: 'table table-compact', id: 'csv-preview' },
          h('caption', { class: 'table-caption' },
            `Preview of the first ${summary.preview.length} rows`),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Row'),
            summary.header.map((c, i) => h('th', { scope: 'col',
              class: i === summary.phoneIndex ? 'col-phone' : null }, c)))),
          h('tbody', {}, summary.preview.map((r) => h('tr', {},
            h('td', { class: 'muted' }, String(r.row)),
            summary.header.map((_, i) => h('td', {}, r.cells[i] ?? ''))))))));
      box.append(h('p', { class: 'hint' }, 'campaignd checks every row when '
        + 'the campaign is created and lists the rows it rejects by their row '
        + 'number.'));
    }
  }

  function columnSuggestions() {
    const out = new Set(['to_number']);
    if (s.mode === 'csv' && s.csv) {
      s.csv.summary.header.forEach((c, i) => {
        if (i !== s.csv.summary.phoneIndex && c) out.add(c);
      });
    }
    s.customVars.split(',').map((v) => v.trim()).filter(Boolean)
      .forEach((v) => out.add(v));
    const agent = currentAgent();
    if (agent && agent.variables) agent.variables.forEach((v) => out.add(v));
    out.add('metadata.');
    return [...out];
  }

  function currentAgent() {
    const num = (cache.numbers || []).find((n) => String(n.id) === s.phoneNumberId);
    const id = s.botId ? Number(s.botId) : num && num.agent_id;
    return id ? cache.agentById.get(id) : null;
  }

  function updateColumnList() {
    const list = document.getElementById('condition-columns');
    if (list) {
      clear(list, columnSuggestions().map((c) => h('option', { value: c })));
    }
  }

  function renderConditions(box) {
    const add = h('button', { type: 'button', class: 'btn btn-secondary btn-sm',
      dataset: { key: 'add-condition' } }, '+ Add condition');
    add.addEventListener('click', () => {
      s.conditions.push({ column: '', operator: 'equals', value: '' });
      renderConditions(box);
      const inputs = box.querySelectorAll('.condition input[name="column"]');
      inputs[inputs.length - 1].focus();
    });
    clear(box,
      h('datalist', { id: 'condition-columns' },
        columnSuggestions().map((c) => h('option', { value: c }))),
      s.conditions.length ? h('ol', { class: 'conditions' },
        s.conditions.map((c, i) => conditionRow(c, i, box))) : h('p',
        { class: 'muted small' }, 'No conditions: every contact is called.'),
      add);
  }

  function conditionRow(c, i, box) {
    const base = `call_conditions[${i}]`;
    const column = textInput({ name: 'column', value: c.column,
      list: 'condition-columns', autocomplete: 'off',
      placeholder: 'e.g. plan or metadata.source' });
    column.addEventListener('input', () => { c.column = column.value; });
    const op = h('select', { class: 'input', name: 'operator' },
      OPERATORS.map(([v, l]) => h('option', { value: v,
        selected: v === c.operator }, l)));
    const value = textInput({ name: 'value', value: c.value,
      autocomplete: 'off' });
    const setValueState = () => {
      value.disabled = NO_VALUE.includes(c.operator);
      value.placeholder = LIST.includes(c.operator) ? 'a, b, c'
        : NUMERIC.includes(c.operator) ? 'a number' : '';
    };
    op.addEventListener('change', () => {
      c.operator = op.value;
      setValueState();
    });
    value.addEventListener('input', () => { c.value = value.value; });
    setValueState();
    const remove = h('button', { type: 'button', class: 'btn btn-ghost btn-sm',
      'aria-label': `Remove condition ${i + 1}` }, 'Remove');
    remove.addEventListener('click', () => {
      s.conditions.splice(i, 1);
      renderConditions(box);
      box.querySelector('[data-key="add-condition"]').focus();
    });
    const which = () => h('span', { class: 'sr-only' }, ` of condition ${i + 1}`);
    return h('li', { class: 'condition' },
      field({ label: ['Column', which()], input: column,
        name: `${base}.column` }),
      field({ label: ['Operator', which()], input: op,
        name: `${base}.operator` }),
      field({ label: ['Value', which()], input: value, name: `${base}.value`,
        hint: LIST.includes(c.operator) ? 'Separate values with commas.' : null }),
      h('div', { class: 'condition-remove' }, remove));
  }

  /* Step 3 ---------------------------------------------------------------- */

  function step3() {
    return h('div', { class: 'stack' },
      h('h2', { class: 'step-title', tabindex: '-1' }, 'Schedule and calling'),
      startSection(), windowSection(), retrySection(), limitsSection());
  }

  function startSection() {
    const later = h('div', { class: 'row-fields', hidden: s.startMode !== 'later' });
    const radio = (value, label) => {
      const input = h('input', { type: 'radio', name: 'start', value,
        checked: s.startMode === value });
      input.addEventListener('change', () => {
        s.startMode = value;
        later.hidden = value !== 'later';
      });
      return h('label', { class: 'check' }, input, h('span', {}, label));
    };
    const date = h('input', { type: 'date', class: 'input', name: 'date',
      value: s.date });
    date.addEventListener('input', () => { s.date = date.value; });
    const time = h('input', { type: 'time', class: 'input', name: 'time',
      value: s.time });
    time.addEventListener('input', () => { s.time = time.value; });
    later.append(
      field({ label: 'Start date', input: date, name: 'scheduled_datetime' }),
      field({ label: 'Start time', input: time }));
    const tz = textInput({ name: 'timezone', value: s.timezone,
      list: 'tz-list', autocomplete: 'off', spellcheck: 'false' });
    tz.addEventListener('input', () => { s.timezone = tz.value.trim(); });
    return section('Start', null,
      group('When to start', 'is_scheduled',
        h('div', { class: 'inline-checks' },
          radio('now', 'Start immediately'),
          radio('later', 'Schedule for a date and time'))),
      later,
      h('datalist', { id: 'tz-list' }, zones().map((z) => h('option',
        { value: z }))),
      field({ label: 'Time zone', input: tz, name: 'timezone',
        hint: 'Type to search IANA zones, e.g. America/New_York. Used for '
          + 'the start time and the daily window.' }));
  }

  function windowSection() {
    const stop = h('input', { type: 'time', class: 'input', name: 'daily_stop_time',
      value: s.stopTime, disabled: !s.hardStop });
    stop.addEventListener('input', () => { s.stopTime = stop.value; });
    const start = h('input', { type: 'time', class: 'input',
      name: 'daily_start_time', value: s.startTime, disabled: !s.autoStart });
    start.addEventListener('input', () => { s.startTime = start.value; });
    const days = group('Allowed days', 'allowed_days',
      h('div', { class: 'day-checks' }, DAYS.map((d) => checkbox(dayLabel(d),
        s.days.has(d), (on) => {
          if (on) s.days.add(d);
          else s.days.delete(d);
        }, { name: 'allowed_days', value: d, 'aria-label': d }))));
    return section('Daily calling window', 'Calls are placed only inside the '
      + 'window; outside it the campaign is auto paused.',
    h('div', { class: 'row-fields' },
      h('div', { class: 'stack-sm' },
        checkbox('Daily hard stop', s.hardStop, (on) => {
          s.hardStop = on;
          stop.disabled = !on;
        }, { name: 'enable_daily_hard_stop' }),
        field({ label: 'Stop calling at', input: stop, name: 'daily_stop_time' })),
      h('div', { class: 'stack-sm' },
        checkbox('Daily auto start', s.autoStart, (on) => {
          s.autoStart = on;
          start.disabled = !on;
        }, { name: 'enable_daily_auto_start' }),
        field({ label: 'Start calling at', input: start,
          name: 'daily_start_time' }))),
    days);
  }

  function retrySection() {
    const body = h('div', { class: 'stack-sm', hidden: !s.autoRetry });
    const limit = h('input', { type: 'number', class: 'input input-short',
      name: 'retry_limit', min: '0', max: '6', step: '1',
      value: String(s.retryLimit) });
    const delays = h('div', { class: 'delay-grid' });
    const renderDelays = () => {
      const n = Math.min(6, Math.max(0, Number.parseInt(limit.value, 10) || 0));
      clear(delays, Array.from({ length: n }, (_, i) => {
        const input = h('input', { type: 'number', class: 'input input-short',
          name: `retry_delay_${i + 1}`, min: '0', max: '43200', step: '1',
          value: String(s.delays[i]),
          dataset: i === 0 ? { field: 'retry_config.retry_delays_minutes' } : {} });
        input.addEventListener('input', () => { s.delays[i] = input.value; });
        return field({ label: `Retry ${i + 1} after (minutes)`, input });
      }));
    };
    limit.addEventListener('input', () => {
      s.retryLimit = limit.value;
      renderDelays();
    });
    renderDelays();
    body.append(field({ label: 'Retry limit (0 to 6)', input: limit,
      name: 'retry_config.retry_limit',
      hint: 'Retries after the first call, for no answer, busy, failed and '
        + 'voicemail.' }), delays);
    return section('Auto retry', null,
      checkbox('Retry unanswered calls automatically', s.autoRetry, (on) => {
        s.autoRetry = on;
        body.hidden = !on;
      }, { name: 'auto_retry', dataset: { field: 'retry_config' } }), body);
  }

  function limitsSection() {
    const resLimit = h('input', { type: 'number', class: 'input input-short',
      name: 'reschedule_limit', min: '0', max: '20', step: '1',
      value: String(s.rescheduleLimit), disabled: !s.reschedule });
    resLimit.addEventListener('input', () => { s.rescheduleLimit = resLimit.value; });
    const conc = h('input', { type: 'number', class: 'input input-short',
      name: 'concurrent_call_limit', min: '1', max: '1000', step: '1',
      value: String(s.concurrency) });
    conc.addEventListener('input', () => { s.concurrency = conc.value; });
    return section('Rescheduling and concurrency', null,
      h('div', { class: 'row-fields' },
        h('div', { class: 'stack-sm' },
          checkbox('Call back when the contact asks for it', s.reschedule,
            (on) => {
              s.reschedule = on;
              resLimit.disabled = !on;
            }, { name: 'enabled_reschedule_call' }),
          field({ label: 'Reschedule limit (0 to 20)', input: resLimit,
            name: 'reschedule_limit' })),
        field({ label: 'Concurrent calls (1 to 1000)', input: conc,
          name: 'concurrent_call_limit',
          hint: 'The most calls this campaign has in flight at once.' })),
      checkbox('Save as draft (start it later from its page)', s.draft,
        (on) => { s.draft = on; }, { name: 'save_as_draft' }));
  }

  /* Step 4 ---------------------------------------------------------------- */

  function step4() {
    const num = (cache.numbers || []).find((n) => String(n.id) === s.phoneNumberId);
    const agent = currentAgent();
    const body = buildBody(s);
    const row = (term, ...value) => h('div', { class: 'review-row' },
      h('dt', {}, term), h('dd', {}, ...value));
    const edit = (step, label) => h('button', { type: 'button',
      class: 'btn btn-ghost btn-sm', onclick: () => show(step),
      'aria-label': `Edit ${label}` }, 'Edit');
    const block = (title, step, ...rows) => h('section', { class: 'review-block' },
      h('div', { class: 'review-head' }, h('h3', {}, title), edit(step, title)),
      h('dl', { class: 'review-list' }, ...rows));
    const conds = body.call_conditions || [];
    const window = [];
    if (s.hardStop) window.push(`stops daily at ${s.stopTime}`);
    if (s.autoStart) window.push(`starts daily at ${s.startTime}`);
    return h('div', { class: 'stack', id: 'review' },
      h('h2', { class: 'step-title', tabindex: '-1' }, 'Review and create'),
      block('Basics', 1,
        row('Name', s.name.trim()),
        row('Phone number', num ? num.number : '—'),
        row('Agent', agent ? agent.name : '—')),
      block('Contacts', 2,
        row('Type', h('strong', { id: 'review-type' }, s.mode === 'dynamic'
          ? 'Dynamic Campaign' : 'CSV Campaign')),
        s.mode === 'csv' && s.csv ? row('CSV file', `${s.csv.fileName} — `
          + `${number(s.csv.summary.rowCount)} rows, `
          + `${bytesText(s.csv.size)}`) : null,
        s.mode === 'dynamic' ? row('Contacts', 'Added through the webhook '
          + 'after creation') : null,
        row('Call conditions', conds.length ? h('ul', { class: 'plain' },
          conds.map((c) => h('li', {}, h('code', {}, c.column), ' ',
            operatorLabel(c.operator), c.value !== undefined
              ? [' ', h('code', {}, Array.isArray(c.value) ? c.value.join(', ')
                : String(c.value))] : null)))
          : 'None: every contact is called')),
      block('Schedule and calling', 3,
        row('Start', s.startMode === 'later'
          ? `${s.date} at ${s.time} (${s.timezone})` : 'Immediately'),
        row('Time zone', s.timezone),
        row('Daily window', window.length ? window.join(', ') : 'No daily '
          + 'limits'),
        row('Allowed days', s.days.size === 7 ? 'Every day'
          : DAYS.filter((d) => s.days.has(d)).map(dayLabel).join(', ')),
        row('Auto retry', s.autoRetry ? `Up to ${body.retry_config.retry_limit} `
          + `retries${body.retry_config.retry_delays_minutes
            ? `, after ${body.retry_config.retry_delays_minutes.map(minutesText)
              .join(', ')}` : ''}` : 'Off'),
        row('Call rescheduling', s.reschedule
          ? `On, up to ${s.rescheduleLimit} times` : 'Off'),
        row('Concurrent calls', String(s.concurrency)),
        s.draft ? row('Draft', 'Saved as a draft; start it from its page')
          : null));
  }

  /* Validation -------------------------------------------------------------- */

  function validate() {
    clearFieldErrors(content);
    message.replaceChildren();
    const errors = [];
    const q = (sel) => content.querySelector(sel);
    const fail = (el, msg) => errors.push([el, msg]);
    if (s.step === 1) validate1(q, fail);
    if (s.step === 2) validate2(q, fail);
    if (s.step === 3) validate3(q, fail);
    for (const [el, msg] of errors) {
      if (el) showFieldError(el, msg);
    }
    if (errors.length) {
      message.replaceChildren(alertBox('error', errors.length === 1
        ? 'Fix the highlighted field to continue.'
        : `Fix the ${errors.length} highlighted fields to continue.`));
      const first = errors[0][0];
      if (first) first.focus();
      return false;
    }
    return true;
  }

  function validate1(q, fail) {
    if (!s.name.trim()) fail(q('[name="name"]'), 'Enter a campaign name.');
    if (!s.phoneNumberId) {
      fail(q('[name="phone_number_id"]'), 'Choose the phone number to call '
        + 'from.');
      return;
    }
    const num = (cache.numbers || []).find((n) => String(n.id) === s.phoneNumberId);
    if (num && !num.agent_id && !s.botId) {
      fail(q('[name="bot_id"]'), 'Choose the agent for this campaign.');
    }
  }

  function validate2(q, fail) {
    if (!s.mode) {
      fail(q('[data-field="is_dynamic"]'), 'Choose CSV upload or a dynamic '
        + 'campaign.');
    }
    if (s.mode === 'csv') {
      const file = q('[name="contact_csv"]');
      if (!s.csv) fail(file, 'Choose a CSV file to upload.');
      else if (s.csv.summary.problems.length) {
        fail(file, s.csv.summary.problems[0]);
      } else {
        const sent = requestBytes(buildBody(s));
        if (sent > UPLOAD_MAX) {
          fail(file, tooLargeText('With its line breaks and quotes escaped '
            + 'for sending, the file comes to', sent));
        }
      }
    }
    s.conditions.forEach((c, i) => {
      const base = `call_conditions[${i}]`;
      const el = (part) => q(`[data-field="${base}.${part}"]`);
      const col = c.column.trim();
      if (!col) fail(el('column'), 'Enter the column to test.');
      else if (col === 'metadata.') {
        fail(el('column'), 'Name a metadata key, e.g. metadata.source.');
      }
      if (NO_VALUE.includes(c.operator)) return;
      const v = c.value.trim();
      if (!v) fail(el('value'), 'Enter a value.');
      else if (NUMERIC.includes(c.operator) && !Number.isFinite(Number(v))) {
        fail(el('value'), 'Enter a number.');
      } else if (LIST.includes(c.operator) && !conditionValue(c).length) {
        fail(el('value'), 'Enter at least one value.');
      }
    });
  }

  function intIn(v, min, max) {
    const n = Number(v);
    return String(v).trim() !== '' && Number.isInteger(n) && n >= min && n <= max;
  }

  function validate3(q, fail) {
    const zoneOk = zones().includes(s.timezone);
    if (s.startMode === 'later') {
      if (!s.date) fail(q('[name="date"]'), 'Choose the start date.');
      if (!s.time) fail(q('[name="time"]'), 'Choose the start time.');
    }
    if (!zoneOk) {
      fail(q('[name="timezone"]'), 'Choose a time zone from the list, e.g. '
        + 'Europe/Berlin.');
    }
    if (s.hardStop && !s.stopTime) {
      fail(q('[name="daily_stop_time"]'), 'Choose the daily stop time.');
    }
    if (s.autoStart && !s.startTime) {
      fail(q('[name="daily_start_time"]'), 'Choose the daily start time.');
    }
    if (s.days.size === 0) {
      fail(q('[data-field="allowed_days"]'), 'Allow at least one day.');
    }
    if (s.autoRetry) {
      if (!intIn(s.retryLimit, 0, 6)) {
        fail(q('[name="retry_limit"]'), 'Enter a whole number from 0 to 6.');
      } else {
        for (let i = 0; i < Number(s.retryLimit); i++) {
          if (!intIn(s.delays[i], 0, 43200)) {
            fail(q(`[name="retry_delay_${i + 1}"]`), 'Enter whole minutes, '
              + 'at most 43200 (30 days).');
          }
        }
      }
    }
    if (s.reschedule && !intIn(s.rescheduleLimit, 0, 20)) {
      fail(q('[name="reschedule_limit"]'), 'Enter a whole number from 0 to 20.');
    }
    if (!intIn(s.concurrency, 1, 1000)) {
      fail(q('[name="concurrent_call_limit"]'), 'Enter a whole number from 1 '
        + 'to 1000.');
    }
  }

  /* Create ------------------------------------------------------------------ */

  async function submit() {
    message.replaceChildren();
    s.serverError = null;
    const body = buildBody(s);
    if (s.mode === 'csv' && requestBytes(body) > UPLOAD_MAX) {
      // Step 3 added the last bytes: say so by the file, as Next would.
      show(2);
      validate();
      return;
    }
    setBusy(next, true, 'Creating…');
    try {
      const r = await api.post(`${BULK}/create`, body, {
        signal: ctx.signal,
        headers: { 'Idempotency-Key': s.idempotencyKey },
      });
      const id = r.campaign_id || r.id;
      setFlash({ campaignId: id, created: true, rejected: r.rejected || [],
        added: r.total_lines });
      ctx.navigate(`/bulk-call/${id}`);
    } catch (err) {
      if (err.name === 'AbortError') return;
      setBusy(next, false);
      s.serverError = err;
      const where = stepOfField(err.field, err.code);
      const byField = err.status === 422 || err.status === 413;
      if (byField && where.step !== 4) show(where.step);
      else message.replaceChildren(alertBox('error', errorText(err)));
      // A refusal stored nothing: the next try gets a new key. After a
      // lost connection the campaign may exist, and while a large one is
      // still being written the key is held: the same key then makes sure
      // a second click cannot create it twice.
      if (err.status !== 0 && err.code !== 'idempotency_key_in_use') {
        s.idempotencyKey = crypto.randomUUID ? crypto.randomUUID()
          : String(Date.now());
      }
    }
  }

  show(1, false);
  const firstInput = content.querySelector('input');
  if (firstInput) firstInput.focus();
}

// The rows an import rejected, by spreadsheet row number.
export function rejectedList(rejected) {
  return h('div', { class: 'rejected' },
    h('p', { class: 'rejected-title' },
      `${rejected.length} row${rejected.length === 1 ? ' was' : 's were'} `
      + 'rejected:'),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'table table-compact', id: 'rejected-rows' },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Row'),
          h('th', { scope: 'col' }, 'Problem'),
          h('th', { scope: 'col' }, 'Code'))),
        h('tbody', {}, rejected.map((r) => h('tr', {},
          h('td', {}, r.row !== undefined ? `Row ${r.row}`
            : `Contact ${Number(r.index) + 1}`),
          h('td', {}, r.message || ''),
          h('td', {}, h('code', {}, r.code || ''))))))));
}
