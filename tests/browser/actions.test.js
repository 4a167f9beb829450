// End-to-end tests of the campaign page's own actions: the daily time
// control form, rescheduling, retrying failed lines and the CSV export;
// and of the create wizard's upload limits (16 MiB, as campaignd takes).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  apiClient, assertClean, launchBrowser, newPage, nextButton, startServer,
  statusText, text, tileValue, until,
} from './harness.js';

const BULK = '/api/v1/calls/bulk_call';
const MIB = 1024 * 1024;

// Numbers under +1415555015 always fail; the rest complete.
const SIM_RULES = [
  { prefix: '+1415555010', outcomes: ['completed'] },
  { prefix: '+1415555015', outcomes: ['failed'] },
].map((r) => ({ ...r, ring_seconds: 0.2, talk_seconds: 0.3 }));

let srv;
let api;
let browser;
let agent;
let number;
const tmpFiles = [];

before(async () => {
  srv = await startServer();
  api = apiClient(srv.base, srv.key);
  agent = await api('POST', '/api/v1/agents', {
    name: 'Follow-up agent', welcome_message: 'Hi {{first_name}}.',
    prompt: 'Ask {{first_name}} how it went.',
  });
  number = await api('POST', '/api/v1/phone_numbers', {
    number: '+14155550100', provider: 'sim', agent_id: agent.id,
    settings: { rules: SIM_RULES },
  });
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
  for (const f of tmpFiles) fs.rmSync(f, { force: true });
});

async function campaignPage(id) {
  const page = await newPage(browser.context, srv);
  await page.goto(`${srv.base}/bulk-call/${id}`);
  await page.locator('#counts').waitFor();
  return page;
}

describe('campaign page actions', () => {
  test('daily time control: prefilled, saved whole, errors by their field',
    async () => {
      const c = await api('POST', `${BULK}/create`, {
        name: 'Office hours', phone_number_id: number.id, is_dynamic: true,
        timezone: 'Europe/Berlin', enable_daily_hard_stop: true,
        daily_stop_time: 18.5, daily_stop_timezone: 'America/New_York',
        enable_daily_auto_start: true, daily_start_time: 9.25,
        allowed_days: ['monday', 'tuesday', 'wednesday', 'thursday',
          'friday'] });
      const page = await campaignPage(c.campaign_id);
      const form = page.locator('#daily-time-control');
      const stopTime = form.getByLabel('Stop calling at');
      const stopZone = form.getByLabel('Stop time zone');
      const startTime = form.getByLabel('Start calling at');
      const day = (d) => form.getByRole('checkbox', { name: d, exact: true });

      // Every field shows the campaign's current window.
      assert.ok(await form.getByLabel('Daily hard stop').isChecked());
      assert.equal(await stopTime.inputValue(), '18:30');
      assert.equal(await stopZone.inputValue(), 'America/New_York');
      assert.ok(await form.getByLabel('Daily auto start').isChecked());
      assert.equal(await startTime.inputValue(), '09:15');
      assert.equal(await form.getByLabel('Start time zone').inputValue(),
        'Europe/Berlin');
      assert.ok(await day('monday').isChecked());
      assert.ok(!await day('saturday').isChecked());
      // Not scheduled and nothing failed: no Reschedule, no retry to do.
      assert.equal(await page.getByRole('button', { name: 'Reschedule' })
        .count(), 0);
      assert.ok(await page.getByRole('button', { name: 'Retry failed lines' })
        .isDisabled());

      // Change a few fields; the rest is sent as it was.
      await stopTime.fill('17:45');
      await form.getByLabel('Daily auto start').uncheck();
      assert.ok(await startTime.isDisabled());
      await day('monday').uncheck();
      await day('saturday').check();
      await form.getByRole('button', { name: 'Save' }).click();
      await form.getByText('Daily window saved.').waitFor();
      const saved = await api('GET', `${BULK}/${c.campaign_id}`);
      assert.equal(saved.enable_daily_hard_stop, true);
      assert.equal(saved.daily_stop_time, 17.75);
      assert.equal(saved.daily_stop_timezone, 'America/New_York');
      assert.equal(saved.enable_daily_auto_start, false);
      assert.equal(saved.daily_start_time, 9.25, 'the start time is kept');
      assert.equal(saved.daily_start_timezone, 'Europe/Berlin');
      assert.deepEqual(saved.allowed_days, ['tuesday', 'wednesday',
        'thursday', 'friday', 'saturday']);
      await page.getByText('stops at 17:45 (America/New_York)').waitFor();

      // The API's 422 lands on the field it names.
      await stopZone.fill('Mars/Olympus');
      await form.getByRole('button', { name: 'Save' }).click();
      await form.getByText('invalid_timezone, HTTP 422').waitFor();
      assert.equal(await stopZone.getAttribute('aria-invalid'), 'true');
      assert.match(await text(page.locator(`#${await stopZone
        .getAttribute('id')}-error`)), /daily_stop_timezone is not a known/);
      assert.equal((await api('GET', `${BULK}/${c.campaign_id}`))
        .daily_stop_timezone, 'America/New_York', 'nothing changed');

      // Checked in the browser first: a day and a time are needed.
      await stopZone.fill('America/Chicago');
      for (const d of ['tuesday', 'wednesday', 'thursday', 'friday',
        'saturday']) await day(d).uncheck();
      await form.getByRole('button', { name: 'Save' }).click();
      await form.getByText('Allow at least one day.').first().waitFor();
      await day('sunday').check();
      await stopTime.fill('');
      await form.getByRole('button', { name: 'Save' }).click();
      await form.getByText('Choose the stop time.').first().waitFor();
      await stopTime.fill('20:00');
      await form.getByRole('button', { name: 'Save' }).click();
      await form.getByText('Daily window saved.').waitFor();
      const again = await api('GET', `${BULK}/${c.campaign_id}`);
      assert.equal(again.daily_stop_time, 20);
      assert.equal(again.daily_stop_timezone, 'America/Chicago');
      assert.deepEqual(again.allowed_days, ['sunday']);
      assertClean(page);
      await page.close();
    });

  test('reschedule a scheduled campaign from a dialog', async () => {
    const c = await api('POST', `${BULK}/create`, {
      name: 'Launch day', phone_number_id: number.id, is_dynamic: true,
      is_scheduled: true, scheduled_datetime: '2030-01-15 09:00:00',
      timezone: 'UTC' });
    const page = await campaignPage(c.campaign_id);
    assert.match(await statusText(page), /Scheduled/);
    const open = page.getByRole('button', { name: 'Reschedule' });
    const dialog = page.getByRole('dialog');

    await open.click();
    assert.equal(await dialog.getByLabel('New start date').inputValue(),
      '2030-01-15');
    assert.equal(await dialog.getByLabel('New start time').inputValue(),
      '09:00');
    assert.equal(await dialog.getByLabel('Time zone').inputValue(), 'UTC');
    await dialog.getByRole('button', { name: 'Keep the current time' }).click();
    await dialog.waitFor({ state: 'detached' });

    await open.click();
    await dialog.getByLabel('New start date').fill('2030-02-01');
    await dialog.getByLabel('New start time').fill('08:00');
    const zone = dialog.getByLabel('Time zone');
    await zone.fill('Mars/Olympus');
    await dialog.getByRole('button', { name: 'Reschedule' }).click();
    await dialog.getByText('invalid_timezone, HTTP 422').waitFor();
    assert.equal(await zone.getAttribute('aria-invalid'), 'true');
    assert.match(await text(page.locator(`#${await zone.getAttribute('id')}`
      + '-error')), /Mars\/Olympus/);
    await zone.fill('Europe/London');
    await dialog.getByRole('button', { name: 'Reschedule' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Rescheduled: it starts 2030-02-01 08:00:00 '
      + '(Europe/London).').waitFor();
    assert.equal(await text(page.locator('[data-meta="scheduled"] dd')),
      '2030-02-01 08:00:00 (Europe/London)');
    const r = await api('GET', `${BULK}/${c.campaign_id}`);
    assert.equal(r.campaign_status, 'scheduled');
    assert.equal(r.scheduled_datetime, '2030-02-01 08:00:00');
    assert.equal(r.timezone, 'Europe/London');
    assert.equal(r.start_at, '2030-02-01T08:00:00.000Z');
    assertClean(page);
    await page.close();
  });

  test('retry failed lines, then export every line as CSV', async () => {
    const c = await api('POST', `${BULK}/create`, {
      name: 'Second try', phone_number_id: number.id, contact_list: [
        { to_number: '+14155550151',
          custom_variables: { first_name: 'Gus, "Jr."' } },
        { to_number: '+14155550152', custom_variables: { first_name: 'Ida' } },
        { to_number: '+14155550103', custom_variables: { first_name: 'Ann' } },
      ] });
    const id = c.campaign_id;
    await until(async () => (await api('GET', `${BULK}/${id}`))
      .campaign_status === 'completed', { timeout: 20000,
      message: 'the campaign to complete' });
    const page = await campaignPage(id);
    assert.equal(await tileValue(page, 'failed'), 2);

    const retry = page.getByRole('button', { name: 'Retry failed lines' });
    await retry.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Retry 2 failed lines?').waitFor();
    await dialog.getByRole('button', { name: 'Retry failed lines' }).click();
    await page.getByText('2 failed lines were requeued').waitFor();
    // Dialled again: each failed number now has two calls, and the
    // campaign completes once more.
    await until(async () => {
      const r = await api('GET', `${BULK}/${id}/lines?call_status=failed`);
      return r.lines.length === 2 && r.lines.every((l) => l.attempts === 2);
    }, { timeout: 20000, message: 'the failed lines dialled again' });
    await until(async () => /Completed/.test(await statusText(page)),
      { timeout: 10000, message: 'status Completed again' });

    const exported = page.getByRole('button', { name: 'Export CSV' });
    const [download] = await Promise.all([page.waitForEvent('download'),
      exported.click()]);
    assert.equal(download.suggestedFilename(), `campaign-${id}-lines.csv`);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    const rows = csv.trimEnd().split('\r\n');
    assert.equal(rows[0], 'line_id,to_number,status,attempts,due_at,'
      + 'skip_reason,created_at,updated_at,custom_variables,metadata');
    assert.equal(rows.length, 4);
    assert.match(rows[1], /^\d+,\+14155550151,failed,2,/);
    assert.ok(rows[1].includes('"{""first_name"":""Gus, \\""Jr.\\""""}"'),
      `quoted as campaignd writes it: ${rows[1]}`);
    assert.match(rows[3], /,\+14155550103,completed,1,/);
    await page.getByText(`Downloaded campaign-${id}-lines.csv`).waitFor();

    // A failed export says why, next to the button.
    await page.route('**/lines/export', (route) => route.fulfill({
      status: 503, contentType: 'application/json',
      body: JSON.stringify({ status: 'error', error: {
        code: 'store_busy', message: 'the store is busy' } }) }));
    await exported.click();
    await page.getByText('Could not export the lines: the store is busy')
      .waitFor();
    await page.unroute('**/lines/export');
    assertClean(page);
    await page.close();
  });
});

// A CSV of rows lines of exactly width characters, numbers all distinct.
function bigCsv(rows, width) {
  const out = ['phone_number,first_name,notes'];
  for (let i = 0; i < rows; i++) {
    out.push(`+1303${String(5000000 + i).padStart(7, '0')},N${i},`
      .padEnd(width, 'x'));
  }
  return out.join('\n');
}

function tmpFile(name, content) {
  const file = path.join(os.tmpdir(), `campaignd-${process.pid}-${name}`);
  fs.writeFileSync(file, content);
  tmpFiles.push(file);
  return file;
}

async function wizardToContacts(page, name) {
  await page.goto(`${srv.base}/bulk-call/new`);
  await page.getByLabel('Campaign name').fill(name);
  await page.getByLabel('Phone number', { exact: true })
    .selectOption(String(number.id));
  await page.locator('#attached-agent').getByText(agent.name).waitFor();
  await nextButton(page).click();
  await page.getByRole('heading', { name: 'Contacts', level: 2 }).waitFor();
  await page.getByLabel(/Upload CSV File/).check();
}

describe('create wizard retries', () => {
  test('a create whose reply was lost is sent again with the same key',
    async () => {
      const page = await newPage(browser.context, srv);
      const name = 'Sent twice, made once';
      const keys = [];
      // The first try reaches campaignd, which creates the campaign (in
      // three parts: 3,000 contacts), but its reply never reaches the
      // page; the second try goes through.
      await page.route('**/api/v1/calls/bulk_call/create', async (route) => {
        keys.push(route.request().headers()['idempotency-key']);
        if (keys.length === 1) {
          await route.fetch();
          await route.abort('connectionreset');
        } else {
          await route.continue();
        }
      });
      await wizardToContacts(page, name);
      await page.getByLabel('CSV file', { exact: true }).setInputFiles({
        name: 'twice.csv', mimeType: 'text/csv',
        buffer: Buffer.from(bigCsv(3000, 10)) });
      await page.locator('#csv-preview').getByText('N0').waitFor();
      await nextButton(page).click();
      await page.getByLabel(/Save as draft/).check();
      await nextButton(page).click();
      const create = page.getByRole('button', { name: 'Create Campaign' });
      await create.click();
      await page.locator('.alert-error').waitFor();
      await create.click();
      await page.waitForURL(/\/bulk-call\/\d+$/);
      assert.equal(keys.length, 2);
      assert.ok(keys[0], 'the wizard sends an Idempotency-Key');
      assert.equal(keys[1], keys[0]);
      const list = await api('GET', `${BULK}?pagesize=100`);
      const mine = list.campaigns.filter((c) => c.name === name);
      assert.equal(mine.length, 1);
      assert.equal(mine[0].total_lines, 3000);
      assert.equal(Number(page.url().split('/').pop()), mine[0].id);
      await page.close();
    });
});

describe('create wizard upload limits', () => {
  test('a CSV over 64 KiB is sent; a 413 shows by the file', async () => {
    const page = await newPage(browser.context, srv);
    await wizardToContacts(page, 'Big list');
    const file = page.getByLabel('CSV file', { exact: true });
    await file.setInputFiles({ name: 'big.csv', mimeType: 'text/csv',
      buffer: Buffer.from(bigCsv(3000, 100)) });
    await page.locator('#csv-preview').getByText('N0').waitFor();
    assert.match(await text(page.locator('.csv-meta')),
      /3,000 contact rows · 3 columns · 29\d\.\d KiB/);
    await nextButton(page).click();
    await page.getByLabel(/Save as draft/).check();
    await nextButton(page).click();

    // Should a proxy refuse the body, the error is shown by the file.
    await page.route('**/api/v1/calls/bulk_call/create', (route) =>
      route.fulfill({ status: 413, contentType: 'application/json',
        body: JSON.stringify({ status: 'error', error: {
          code: 'body_too_large', message: 'the request body is too large' } })
      }));
    await page.getByRole('button', { name: 'Create Campaign' }).click();
    await page.getByRole('heading', { name: 'Contacts', level: 2 }).waitFor();
    await page.getByText('the request body is too large').waitFor();
    assert.equal(await file.getAttribute('aria-invalid'), 'true');
    await page.unroute('**/api/v1/calls/bulk_call/create');

    await nextButton(page).click();
    await nextButton(page).click();
    await page.getByRole('button', { name: 'Create Campaign' }).click();
    await page.waitForURL(/\/bulk-call\/\d+$/);
    await until(async () => await tileValue(page, 'total') === 3000,
      { message: '3000 lines' });
    const c = await api('GET', `${BULK}/${page.url().split('/').pop()}`);
    assert.equal(c.total_lines, 3000);
    assert.equal(c.campaign_status, 'draft');
    assertClean(page);
    await page.close();
  });

  test('over 16 MiB, as a file or once escaped, is refused before sending',
    async () => {
      const page = await newPage(browser.context, srv);
      let sent = 0;
      page.on('request', (r) => {
        if (r.url().endsWith('/bulk_call/create')) sent++;
      });
      await wizardToContacts(page, 'Too big');
      const file = page.getByLabel('CSV file', { exact: true });
      const error = page.locator(`#${await file.getAttribute('id')}-error`);

      // One byte over: refused at once, without reading the file.
      const over = tmpFile('over.csv', Buffer.alloc(16 * MIB + 1, 'a'));
      await file.setInputFiles(over);
      await page.locator('.csv-preview').getByText('The file is 16.0 MiB '
        + '(16,777,217 bytes), over the 16 MiB (16,777,216 bytes)').waitFor();
      await nextButton(page).click();
      assert.match(await text(error), /over the 16 MiB/);
      assert.equal(await file.getAttribute('aria-invalid'), 'true');

      // Just under 16 MiB on disk, but its line breaks are escaped in the
      // JSON body, which then passes the limit.
      const rows = Math.floor((16 * MIB - 200) / 170);
      const under = tmpFile('under.csv', bigCsv(rows, 169));
      assert.ok(fs.statSync(under).size <= 16 * MIB);
      await file.setInputFiles(under);
      await page.locator('#csv-preview').getByText('N0').waitFor();
      assert.equal(await file.getAttribute('aria-invalid'), null,
        'a new file clears the old error');
      await nextButton(page).click();
      await page.getByText('With its line breaks and quotes escaped for '
        + 'sending, the file comes to 16.').first().waitFor();
      await page.getByRole('heading', { name: 'Contacts', level: 2 })
        .waitFor();
      assert.equal(sent, 0, 'nothing was sent');
      assertClean(page);
      await page.close();
    });
});
