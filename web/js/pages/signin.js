// Sign-in: the API key is checked against the API and then kept in
// sessionStorage only, so it is gone when the tab closes.

import { h, clear, field, alertBox, setBusy } from '../dom.js';
import { api, BULK, setKey } from '../api.js';

export function renderSignIn(root, { notice, done }) {
  document.title = 'Sign in · campaignd';
  const input = h('input', { type: 'password', name: 'api_key',
    autocomplete: 'off', spellcheck: 'false', required: true,
    placeholder: 'cdk_…', class: 'input' });
  const show = h('input', { type: 'checkbox', id: 'show-key' });
  show.addEventListener('change', () => {
    input.type = show.checked ? 'text' : 'password';
  });
  const message = h('div', { class: 'form-message', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' },
    'Sign in');
  if (notice) message.append(alertBox('info', notice));

  const form = h('form', { class: 'signin-form', novalidate: true },
    field({ label: 'API key', input,
      hint: 'The key campaignd printed when it first started, or one made '
        + 'on the API page.' }),
    h('label', { class: 'check' }, show, h('span', {}, 'Show key')),
    message,
    submit);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const key = input.value.trim();
    message.replaceChildren();
    if (!key) {
      message.append(alertBox('error', 'Enter an API key.'));
      input.focus();
      return;
    }
    setBusy(submit, true, 'Checking…');
    try {
      await api.get(BULK, { pagesize: 1 }, { key, quiet401: true });
      setKey(key);
      done();
    } catch (err) {
      const text = err.status === 401 || err.status === 400
        ? 'That API key was not accepted.'
        : `Could not sign in: ${err.message}`;
      message.append(alertBox('error', text));
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    } finally {
      setBusy(submit, false);
    }
  });

  clear(root, h('div', { class: 'signin' },
    h('div', { class: 'signin-card' },
      h('div', { class: 'signin-brand' },
        h('span', { class: 'brand-mark brand-mark-lg', 'aria-hidden': 'true' },
          '☎'),
        h('span', { class: 'brand-name' }, 'campaignd')),
      h('h1', { class: 'signin-title' }, 'Sign in to the dashboard'),
      h('p', { class: 'muted' }, 'Outbound call campaigns for your AI voice '
        + 'agents.'),
      form)));
  input.focus();
}
