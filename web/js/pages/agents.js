// Agents: the AI that talks on the calls. The form shows, as you type,
// which {{variables}} the welcome message and prompt use.

import {
  h, clear, field, alertBox, errorText, showError, showMessage,
  showFieldError, clearFieldErrors, setBusy,
} from '../dom.js';
import { api, listAll } from '../api.js';
import { timeEl } from '../format.js';

const NAME_CHAR = /[A-Za-z0-9_.]/;

// Scans a template like the daemon does: {{ name }} with letters, digits,
// '_' and '.'. Returns {names, problems}.
export function scanTemplate(text) {
  const names = [];
  const problems = [];
  let i = 0;
  for (;;) {
    const open = text.indexOf('{{', i);
    if (open < 0) break;
    let j = open + 2;
    while (text[j] === ' ' || text[j] === '\t') j++;
    const start = j;
    while (j < text.length && NAME_CHAR.test(text[j])) j++;
    const name = text.slice(start, j);
    while (text[j] === ' ' || text[j] === '\t') j++;
    if (text.indexOf('}}', open + 2) < 0) {
      problems.push('a placeholder is not closed with }}');
      break;
    }
    if (text[j] !== '}' || text[j + 1] !== '}') {
      problems.push(`a placeholder near “${text.slice(open, open + 16)}” has a `
        + 'character other than letters, digits, _ and .');
      i = open + 2;
      continue;
    }
    if (!name) problems.push('a placeholder {{ }} is empty');
    else if (name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
      problems.push(`{{${name}}} starts or ends with “.” or holds “..”`);
    } else if (!names.includes(name)) names.push(name);
    i = j + 2;
  }
  return { names, problems };
}

function chips(names) {
  return names.map((n) => h('code', { class: 'chip' }, `{{${n}}}`));
}

export function renderAgents(root, ctx) {
  document.title = 'Agents · campaignd';
  const name = h('input', { type: 'text', class: 'input', name: 'name',
    maxlength: '200', autocomplete: 'off' });
  const welcome = h('textarea', { class: 'input', name: 'welcome_message',
    rows: '3', placeholder: 'Hi {{first_name}}, this is Ava from Acme.' });
  const prompt = h('textarea', { class: 'input', name: 'prompt', rows: '6',
    placeholder: 'You are a friendly assistant calling {{first_name}} about '
      + 'their {{plan}} plan…' });
  const vars = h('div', { class: 'vars-live', id: 'agent-variables',
    'aria-live': 'polite' });
  const formMsg = h('div', { class: 'form-message', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' },
    'Create agent');
  const listMsg = h('div', {});
  const listBox = h('div', { class: 'card card-flush', 'aria-busy': 'true' },
    h('p', { class: 'loading' }, 'Loading agents…'));

  function showVars() {
    const w = scanTemplate(welcome.value);
    const p = scanTemplate(prompt.value);
    const all = [...new Set([...w.names, ...p.names])];
    clear(vars,
      h('p', { class: 'vars-title' }, 'Variables used'),
      all.length ? h('div', { class: 'chips' }, chips(all))
        : h('p', { class: 'muted small' }, 'None yet. Write {{first_name}} to '
          + 'use a contact\'s custom variable.'),
      [...w.problems.map((m) => `Welcome message: ${m}`),
        ...p.problems.map((m) => `Prompt: ${m}`)].map((m) =>
        h('p', { class: 'warn small' }, m)));
  }
  welcome.addEventListener('input', showVars);
  prompt.addEventListener('input', showVars);
  showVars();

  const form = h('form', { class: 'card form-card', novalidate: true,
    'aria-labelledby': 'add-agent-title' },
  h('h2', { class: 'card-title', id: 'add-agent-title' }, 'Create an agent'),
  h('div', { class: 'agent-form' },
    h('div', { class: 'stack' },
      field({ label: 'Name', input: name, name: 'name' }),
      field({ label: 'Welcome message', input: welcome, name: 'welcome_message',
        hint: 'The first thing the agent says. {{variables}} are filled from '
          + 'the contact.' }),
      field({ label: 'Prompt', input: prompt, name: 'prompt' })),
    vars),
  formMsg,
  h('div', { class: 'form-actions' }, submit));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFieldErrors(form);
    formMsg.replaceChildren();
    if (!name.value.trim()) {
      showFieldError(name, 'Enter a name for the agent.');
      name.focus();
      return;
    }
    setBusy(submit, true, 'Creating…');
    try {
      const r = await api.post('/api/v1/agents', {
        name: name.value.trim(), welcome_message: welcome.value,
        prompt: prompt.value,
      }, { signal: ctx.signal });
      showMessage(formMsg, 'success', `Agent “${r.name}” was created.`);
      name.value = '';
      welcome.value = '';
      prompt.value = '';
      showVars();
      load();
    } catch (err) {
      if (err.name === 'AbortError') return;
      const target = err.field
        && form.querySelector(`[data-field="${CSS.escape(err.field)}"]`);
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
      h('h1', { class: 'page-title' }, 'Agents'),
      h('p', { class: 'page-sub' }, 'The voice agents that talk on your '
        + 'calls.'))),
    form, listMsg, listBox));

  async function load() {
    try {
      const agents = await listAll('/api/v1/agents', 'agents', ctx.signal);
      listMsg.replaceChildren();
      listBox.removeAttribute('aria-busy');
      if (!agents.length) {
        clear(listBox, h('div', { class: 'empty' },
          h('p', { class: 'empty-title' }, 'No agents yet.'),
          h('p', { class: 'muted' }, 'Create one above.')));
        return;
      }
      clear(listBox, h('div', { class: 'table-wrap' },
        h('table', { class: 'table', id: 'agents-table' },
          h('caption', { class: 'sr-only' }, 'Agents'),
          h('thead', {}, h('tr', {}, ['Name', 'Variables', 'Welcome message',
            'Created'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, agents.map((a) => h('tr', {},
            h('td', { class: 'cell-name' }, h('strong', {}, a.name),
              h('div', { class: 'muted small' }, `#${a.id}`)),
            h('td', {}, a.variables && a.variables.length
              ? h('div', { class: 'chips' }, chips(a.variables))
              : h('span', { class: 'muted' }, 'none')),
            h('td', { class: 'cell-clip' }, a.welcome_message
              || h('span', { class: 'muted' }, '—')),
            h('td', { class: 'nowrap' }, timeEl(a.created_at))))))));
    } catch (err) {
      if (err.name === 'AbortError') return;
      listBox.removeAttribute('aria-busy');
      listBox.replaceChildren();
      listMsg.replaceChildren(alertBox('error', `Could not load agents: `
        + `${errorText(err)}`));
    }
  }

  load();
}
