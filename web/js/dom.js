// Small DOM helpers: element builders, labelled fields with their error
// slots, alerts, the confirmation dialog, copying to the clipboard and
// saving a fetched file.
// Nothing here writes a style="" attribute (the CSP forbids them).

const SVG_NS = 'http://www.w3.org/2000/svg';

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.setAttribute('class', v);
    else if (k === 'text') el.textContent = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2).toLowerCase(), v);
    } else if (k === 'value' && 'value' in el) el.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled') {
      el[k] = Boolean(v);
    } else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// h('button', {class: 'btn', onclick: fn}, 'Save')
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k === 'text') el.textContent = v;
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
export function nextId(prefix = 'f') {
  uid += 1;
  return `${prefix}-${uid}`;
}

// A labelled form field: {label, input, hint, name}. The input gets an id,
// and an error slot that showFieldError() fills.
export function field({ label, input, hint, name, className }) {
  if (!input.id) input.id = nextId('field');
  if (name) input.dataset.field = name;
  const errId = `${input.id}-error`;
  const hintId = hint ? `${input.id}-hint` : null;
  const described = [hintId, errId].filter(Boolean).join(' ');
  input.setAttribute('aria-describedby', described);
  return h('div', { class: `field ${className || ''}`.trim() },
    h('label', { for: input.id }, label),
    input,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'field-error', id: errId, role: 'alert',
      hidden: true }));
}

function errorSlot(input) {
  return document.getElementById(`${input.id}-error`);
}

export function showFieldError(input, message) {
  const slot = errorSlot(input);
  input.setAttribute('aria-invalid', 'true');
  if (slot) {
    slot.textContent = message;
    slot.hidden = false;
  }
}

export function clearFieldError(input) {
  const slot = errorSlot(input);
  input.removeAttribute('aria-invalid');
  if (slot) {
    slot.textContent = '';
    slot.hidden = true;
  }
}

export function clearFieldErrors(root) {
  for (const el of root.querySelectorAll('[aria-invalid="true"]')) {
    clearFieldError(el);
  }
}

// An alert box; kind is 'error', 'success' or 'info'.
export function alertBox(kind, message, extra) {
  return h('div', { class: `alert alert-${kind}`,
    role: kind === 'error' ? 'alert' : 'status' },
  h('span', { class: 'alert-icon', 'aria-hidden': 'true' },
    kind === 'error' ? '!' : kind === 'success' ? '✓' : 'i'),
  h('div', { class: 'alert-body' }, message, extra || null));
}

// Describes an ApiError (or any error) for a person.
export function errorText(err) {
  if (!err) return 'Something went wrong.';
  if (err.status === 0 || !err.code) return err.message;
  const where = err.field ? ` (${err.field})` : '';
  return `${err.message}${where} [${err.code}, HTTP ${err.status}]`;
}

// Shows err in slot (an element kept for messages) or clears it.
export function showMessage(slot, kind, message) {
  if (!message) {
    slot.replaceChildren();
    return;
  }
  slot.replaceChildren(alertBox(kind, message));
}

export function showError(slot, err) {
  showMessage(slot, 'error', errorText(err));
}

// A modal confirmation built on <dialog>. Resolves true when confirmed.
export function confirmDialog({ title, message, confirm = 'Confirm',
  cancel = 'Keep it', danger = false }) {
  return new Promise((resolve) => {
    const titleId = nextId('dlg');
    const ok = h('button', { type: 'button',
      class: `btn ${danger ? 'btn-danger' : 'btn-primary'}` }, confirm);
    const no = h('button', { type: 'button', class: 'btn btn-secondary' },
      cancel);
    const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': titleId },
      h('h2', { id: titleId, class: 'dialog-title' }, title),
      h('p', { class: 'dialog-text' }, message),
      h('div', { class: 'dialog-actions' }, no, ok));
    let result = false;
    ok.addEventListener('click', () => { result = true; dlg.close(); });
    no.addEventListener('click', () => dlg.close());
    dlg.addEventListener('close', () => {
      dlg.remove();
      resolve(result);
    });
    document.body.append(dlg);
    dlg.showModal();
    no.focus();
  });
}

function copyFallback(text) {
  const ta = h('textarea', { class: 'offscreen', readonly: true });
  ta.value = text;
  document.body.append(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      return copyFallback(text);
    }
  }
  return copyFallback(text);
}

// A "Copy" button that copies getText() and says whether it worked.
export function copyButton(getText, label = 'Copy') {
  const btn = h('button', { type: 'button', class: 'btn btn-secondary btn-sm' },
    label);
  const status = h('span', { class: 'copy-status', role: 'status' });
  btn.addEventListener('click', async () => {
    const ok = await copyText(getText());
    status.textContent = ok ? 'Copied' : 'Copy failed: select the text and '
      + 'copy it by hand';
    status.classList.toggle('copy-failed', !ok);
    setTimeout(() => { status.textContent = ''; }, 4000);
  });
  return h('span', { class: 'copy-wrap' }, btn, status);
}

// Keeps keyboard focus across a re-render of root: the focused element's
// data-key names its replacement.
export function keepFocus(root, render) {
  const active = document.activeElement;
  const key = active && root.contains(active) ? active.dataset.key : null;
  render();
  if (key) {
    const again = root.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again) again.focus();
  }
}

export function setBusy(button, busy, busyLabel) {
  if (busy) {
    button.dataset.label = button.textContent;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    if (busyLabel) button.textContent = busyLabel;
  } else {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    if (button.dataset.label) button.textContent = button.dataset.label;
  }
}

// Hands blob to the browser as a download named filename, through a
// short-lived object URL (a fetched file cannot be a plain link when the
// request needs the API key).
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename || 'download',
    class: 'offscreen' });
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken the data once the click's task has run.
  setTimeout(() => URL.revokeObjectURL(url), 30000);
}
