// API: create keys (each shown once), list them by prefix, revoke them.

import {
  h, clear, alertBox, errorText, showError, confirmDialog, copyButton,
  setBusy,
} from '../dom.js';
import { api, keyPrefix } from '../api.js';
import { timeEl } from '../format.js';

export function renderKeys(root, ctx) {
  document.title = 'API · campaignd';
  const created = h('div', { id: 'new-key-slot' });
  const msg = h('div', { class: 'form-message', 'aria-live': 'polite' });
  const listMsg = h('div', {});
  const listBox = h('div', { class: 'card card-flush', 'aria-busy': 'true' },
    h('p', { class: 'loading' }, 'Loading keys…'));
  const createBtn = h('button', { type: 'button', class: 'btn btn-primary' },
    '+ Create API key');
  const mine = keyPrefix();

  createBtn.addEventListener('click', async () => {
    msg.replaceChildren();
    setBusy(createBtn, true, 'Creating…');
    try {
      const r = await api.post('/api/v1/keys', {}, { signal: ctx.signal });
      const keyText = h('code', { class: 'code-inline key-value', id: 'new-key' },
        r.key);
      const dismiss = h('button', { type: 'button', class: 'btn btn-ghost btn-sm',
        onclick: () => created.replaceChildren() }, 'I have saved it');
      clear(created, h('section', { class: 'card card-highlight',
        'aria-labelledby': 'new-key-title' },
      h('h2', { class: 'card-title', id: 'new-key-title' }, 'Your new API key'),
      h('p', {}, 'Copy it now and keep it somewhere safe. campaignd stores only '
        + 'a hash: this is the only time the key is shown.'),
      h('div', { class: 'code-row' }, keyText, copyButton(() => r.key,
        'Copy key')),
      h('div', { class: 'form-actions' }, dismiss)));
      dismiss.focus();
      load();
    } catch (err) {
      if (err.name !== 'AbortError') showError(msg, err);
    } finally {
      setBusy(createBtn, false);
    }
  });

  clear(root, h('div', { class: 'page' },
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', { class: 'page-title' }, 'API'),
        h('p', { class: 'page-sub' }, 'Keys for your CRM and scripts. Send '
          + 'one as ', h('code', {}, 'Authorization: Bearer <key>'), '.')),
      createBtn),
    msg, created, listMsg, listBox));

  function revokeButton(k) {
    const btn = h('button', { type: 'button', class: 'btn btn-danger-outline btn-sm',
      'aria-label': `Revoke key ${k.prefix}` }, 'Revoke');
    btn.addEventListener('click', async () => {
      const self = k.prefix === mine;
      const ok = await confirmDialog({
        title: `Revoke key ${k.prefix}?`,
        message: self ? 'This is the key this dashboard is signed in with: you '
          + 'will be signed out. Anything using it stops working at once.'
          : 'Anything using this key stops working at once. This cannot be '
          + 'undone.',
        confirm: 'Revoke key', cancel: 'Keep it', danger: true,
      });
      if (!ok) return;
      setBusy(btn, true, 'Revoking…');
      try {
        await api.del(`/api/v1/keys/${k.id}`, { signal: ctx.signal });
        load();
      } catch (err) {
        if (err.name !== 'AbortError') showError(listMsg, err);
        setBusy(btn, false);
      }
    });
    return btn;
  }

  async function load() {
    try {
      const r = await api.get('/api/v1/keys', null, { signal: ctx.signal });
      const keys = r.keys || [];
      listMsg.replaceChildren();
      listBox.removeAttribute('aria-busy');
      clear(listBox, h('div', { class: 'table-wrap' },
        h('table', { class: 'table', id: 'keys-table' },
          h('caption', { class: 'sr-only' }, 'API keys'),
          h('thead', {}, h('tr', {}, ['Prefix', 'Created', 'Status', '']
            .map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, keys.map((k) => h('tr', {},
            h('td', {}, h('code', {}, `cdk_${k.prefix}_…`),
              k.prefix === mine ? h('span', { class: 'tag' }, 'this session')
                : null),
            h('td', { class: 'nowrap' }, timeEl(k.created_at)),
            h('td', {}, k.active
              ? h('span', { class: 'badge badge-completed' },
                h('span', { class: 'badge-dot', 'aria-hidden': 'true' }), 'Active')
              : h('span', { class: 'badge badge-cancelled' },
                h('span', { class: 'badge-dot', 'aria-hidden': 'true' }),
                'Revoked ', timeEl(k.revoked_at))),
            h('td', { class: 'cell-actions' }, k.active ? revokeButton(k)
              : null)))))));
    } catch (err) {
      if (err.name === 'AbortError') return;
      listBox.removeAttribute('aria-busy');
      listBox.replaceChildren();
      listMsg.replaceChildren(alertBox('error', `Could not load keys: `
        + `${errorText(err)}`));
    }
  }

  load();
}
