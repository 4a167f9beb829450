// The campaign page's "Reschedule" dialog: a new start date, time and
// time zone for a scheduled campaign, sent as PUT {action: "reschedule"}.
// The API's errors are shown next to the field they name.

import {
  h, field, nextId, showFieldError, clearFieldErrors, showError, setBusy,
} from '../dom.js';
import { api } from '../api.js';
import { zoneList } from '../format.js';

const WALL = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})(:\d{2})?$/;

// "2030-01-15 09:00:00" -> {date: "2030-01-15", time: "09:00"}
function splitWall(value) {
  const m = WALL.exec(value || '');
  return m ? { date: m[1], time: m[2] } : { date: '', time: '' };
}

// Opens the dialog for campaign c (path: its API path). Resolves with the
// updated campaign once rescheduled, or null when the dialog is closed.
export function rescheduleDialog(c, path, signal) {
  return new Promise((resolve) => {
    const now = splitWall(c.scheduled_datetime);
    const titleId = nextId('dlg');
    const date = h('input', { type: 'date', class: 'input', name: 'date',
      value: now.date, required: true });
    const time = h('input', { type: 'time', class: 'input', name: 'time',
      value: now.time, required: true });
    const listId = nextId('tz');
    const zone = h('input', { type: 'text', class: 'input', name: 'timezone',
      value: c.timezone || 'UTC', list: listId, autocomplete: 'off',
      spellcheck: 'false' });
    const msg = h('div', { class: 'form-message', 'aria-live': 'polite' });
    const save = h('button', { type: 'submit', class: 'btn btn-primary' },
      'Reschedule');
    const close = h('button', { type: 'button', class: 'btn btn-secondary' },
      'Keep the current time');
    const form = h('form', { class: 'dialog-form', novalidate: true },
      h('div', { class: 'row-fields' },
        field({ label: 'New start date', input: date,
          name: 'new_scheduled_datetime' }),
        field({ label: 'New start time', input: time })),
      zoneList(listId),
      field({ label: 'Time zone', input: zone, name: 'new_timezone',
        hint: 'The date and time are read in this zone, which becomes the '
          + 'campaign’s time zone. A time already past starts the campaign '
          + 'at once.' }),
      msg,
      h('div', { class: 'dialog-actions' }, close, save));
    const dlg = h('dialog', { class: 'dialog dialog-wide', id: 'reschedule',
      'aria-labelledby': titleId },
    h('h2', { id: titleId, class: 'dialog-title' },
      `Reschedule “${c.name}”`),
    h('p', { class: 'dialog-text' }, c.scheduled_datetime
      ? `It starts ${c.scheduled_datetime} (${c.timezone}).`
      : 'It has no start time yet.'),
    form);
    let result = null;
    const onAbort = () => dlg.close();

    close.addEventListener('click', () => dlg.close());
    dlg.addEventListener('close', () => {
      signal.removeEventListener('abort', onAbort);
      dlg.remove();
      resolve(result);
    });
    signal.addEventListener('abort', onAbort);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFieldErrors(form);
      msg.replaceChildren();
      const bad = [];
      if (!date.value) bad.push([date, 'Choose the new start date.']);
      if (!time.value) bad.push([time, 'Choose the new start time.']);
      if (!zone.value.trim()) {
        bad.push([zone, 'Enter a time zone, e.g. Europe/Berlin.']);
      }
      if (bad.length) {
        for (const [input, text] of bad) showFieldError(input, text);
        bad[0][0].focus();
        return;
      }
      const clock = time.value.length === 5 ? `${time.value}:00` : time.value;
      setBusy(save, true, 'Rescheduling…');
      try {
        result = await api.put(path, { action: 'reschedule',
          new_scheduled_datetime: `${date.value} ${clock}`,
          new_timezone: zone.value.trim() }, { signal });
        dlg.close();
      } catch (err) {
        if (err.name === 'AbortError') return;
        const target = err.field
          && form.querySelector(`[data-field="${CSS.escape(err.field)}"]`);
        if (target) {
          showFieldError(target, err.message);
          target.focus();
        }
        showError(msg, err);
      } finally {
        setBusy(save, false);
      }
    });
    document.body.append(dlg);
    dlg.showModal();
    date.focus();
  });
}
