// End-to-end tests of the dashboard in a real browser against a real
// campaignd: sign-in, the create wizard for dynamic and CSV campaigns, the
// live campaign page, and the configuration pages. The campaign page's
// other actions and the upload limits are in actions.test.js.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  apiClient, assertClean, launchBrowser, newPage, nextButton, screenshot,
  startServer, statusText, text, tileValue, until,
} from './harness.js';

const BULK = '/api/v1/calls/bulk_call';

// The simulated carrier follows these rules, by number prefix, so every
// call's outcome is known: quick rings and short talks.
const SIM_RULES = [
  { prefix: '+1415555010', outcomes: ['completed'] },
  { prefix: '+1415555011', outcomes: ['no_answer', 'completed'] },
  { prefix: '+1415555012', outcomes: ['voicemail'] },
  { prefix: '+1415555013', outcomes: ['busy'] },
  { prefix: '+1415555014', outcomes: ['callback_requested'] },
  { prefix: '+1415555015', outcomes: ['failed'] },
].map((r) => ({ ...r, ring_seconds: 0.3, talk_seconds: 0.6 }));

const CSV = [
  'phone_number,first_name,plan',
  '+14155550101,Ann,gold',
  '+14155550111,Ben,silver',
  '+14155550121,Cat,gold',
  '+14155550131,Dan,basic',
  'not-a-number,Eve,gold',
  '+14155550141,Fay,gold',
  '+14155550151,Gus,silver',
  '+14155550102,Hal,gold',
].join('\n');

let srv;
let api;
let browser;
let agent;
let number;
const created = {};

// Steps 1 of the wizard: name and number, and the attached agent shows.
async function wizardBasics(page, name) {
  await page.goto(`${srv.base}/bulk-call`);
  await page.getByRole('link', { name: '+ Create New Campaign' }).click();
  await page.getByRole('heading', { name: 'Name and phone number' }).waitFor();
  await page.getByLabel('Campaign name').fill(name);
  await page.getByLabel('Phone number', { exact: true })
    .selectOption(String(number.id));
  await until(async () => (await text(page.locator('#attached-agent')))
    .includes(agent.name), { message: 'the attached agent' });
  await nextButton(page).click();
  await page.getByRole('heading', { name: 'Contacts', level: 2 }).waitFor();
}

before(async () => {
  srv = await startServer();
  api = apiClient(srv.base, srv.key);
  agent = await api('POST', '/api/v1/agents', {
    name: 'Renewal assistant',
    welcome_message: 'Hi {{first_name}}, this is Ava from Acme.',
    prompt: 'Remind {{first_name}} that the {{plan}} plan renews soon.',
  });
  number = await api('POST', '/api/v1/phone_numbers', {
    number: '+14155550100', provider: 'sim', agent_id: agent.id,
    settings: { rules: SIM_RULES },
  });
  browser = await launchBrowser();
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'],
    { origin: srv.base });
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

describe('sign-in', () => {
  test('a wrong key is refused, the right one signs in, sign-out ends it',
    async () => {
      const page = await newPage(browser.context);
      await page.goto(`${srv.base}/bulk-call`);
      const keyInput = page.getByLabel('API key');
      await keyInput.fill('cdk_000000000000_not-a-real-key');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('That API key was not accepted').waitFor();
      assert.equal(await keyInput.getAttribute('aria-invalid'), 'true');

      await keyInput.fill(srv.key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Bulk Call', level: 1 }).waitFor();
      const stored = await page.evaluate(() => ({
        session: sessionStorage.getItem('campaignd.apiKey'),
        local: Object.keys(localStorage).length,
      }));
      assert.equal(stored.session, srv.key, 'the key is in sessionStorage');
      assert.equal(stored.local, 0, 'nothing is kept in localStorage');

      await page.reload();
      await page.getByRole('heading', { name: 'Bulk Call', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('API key').waitFor();
      assert.equal(await page.evaluate(() =>
        sessionStorage.getItem('campaignd.apiKey')), null);
      assertClean(page);
      await page.close();
    });
});

describe('create wizard', () => {
  test('each step is checked before Next and Back keeps what was typed',
    async () => {
      const page = await newPage(browser.context, srv);
      await page.goto(`${srv.base}/bulk-call/new`);
      await nextButton(page).click();
      await page.getByText('Enter a campaign name.').waitFor();
      assert.equal(await page.getByLabel('Campaign name')
        .getAttribute('aria-invalid'), 'true');
      await page.getByText('Choose the phone number to call from.').waitFor();

      await page.getByLabel('Campaign name').fill('Validation check');
      await page.getByLabel('Phone number', { exact: true })
        .selectOption(String(number.id));
      await page.locator('#attached-agent').getByText(agent.name).waitFor();
      await nextButton(page).click();

      await nextButton(page).click();
      await page.getByText('Choose CSV upload or a dynamic campaign.').waitFor();
      await page.getByLabel(/Dynamic Campaign \(add contacts/).check();
      await page.getByRole('button', { name: '+ Add condition' }).click();
      await nextButton(page).click();
      await page.getByText('Enter the column to test.').waitFor();
      await page.getByLabel('Column').fill('to_number');
      await page.getByLabel('Operator').selectOption('starts_with');
      await page.getByLabel('Value of condition 1').fill('+1');
      await nextButton(page).click();

      await page.getByRole('heading', { name: 'Schedule and calling' }).waitFor();
      const conc = page.getByLabel('Concurrent calls (1 to 1000)');
      await conc.fill('0');
      await nextButton(page).click();
      await page.getByText('Enter a whole number from 1 to 1000.').waitFor();
      assert.equal(await conc.getAttribute('aria-invalid'), 'true');
      await page.getByLabel('Time zone').fill('Mars/Olympus');
      await conc.fill('25');
      await nextButton(page).click();
      await page.getByText('Choose a time zone from the list').waitFor();
      await page.getByLabel('Time zone').fill('America/New_York');

      await page.getByRole('button', { name: /Back/ }).click();
      assert.ok(await page.getByLabel(/Dynamic Campaign \(add contacts/)
        .isChecked(), 'the contact choice is kept');
      assert.equal(await page.getByLabel('Value of condition 1').inputValue(),
        '+1');
      await page.getByRole('button', { name: /Back/ }).click();
      assert.equal(await page.getByLabel('Campaign name').inputValue(),
        'Validation check');
      await nextButton(page).click();
      await nextButton(page).click();
      assert.equal(await page.getByLabel('Concurrent calls (1 to 1000)')
        .inputValue(), '25');
      assert.equal(await page.getByLabel('Time zone').inputValue(),
        'America/New_York');

      // A 422 from the API lands next to its field on its own step.
      await nextButton(page).click();
      await page.locator('#review-type').getByText('Dynamic Campaign').waitFor();
      await page.route('**/api/v1/calls/bulk_call/create', (route) =>
        route.fulfill({ status: 422, contentType: 'application/json',
          body: JSON.stringify({ status: 'error', error: {
            code: 'out_of_range', field: 'concurrent_call_limit',
            message: 'concurrent_call_limit must be from 1 to 1000' } }) }));
      await page.getByRole('button', { name: 'Create Campaign' }).click();
      await page.getByRole('heading', { name: 'Schedule and calling' }).waitFor();
      await page.getByText('concurrent_call_limit must be from 1 to 1000')
        .waitFor();
      assert.equal(await page.getByLabel('Concurrent calls (1 to 1000)')
        .getAttribute('aria-invalid'), 'true');
      await page.unroute('**/api/v1/calls/bulk_call/create');
      assertClean(page);
      await page.close();
    });

  test('a CSV with no valid row is refused and its rows are listed',
    async () => {
      const page = await newPage(browser.context, srv);
      await wizardBasics(page, 'Nothing valid');
      await page.getByLabel(/Upload CSV File/).check();
      await page.getByLabel('CSV file', { exact: true }).setInputFiles({
        name: 'bad.csv', mimeType: 'text/csv',
        buffer: Buffer.from('phone_number,first_name\n555,Ann\n+1,Bo\n') });
      await page.locator('#csv-preview').getByText('Ann').waitFor();
      await nextButton(page).click();
      await nextButton(page).click();
      await page.getByRole('button', { name: 'Create Campaign' }).click();
      await page.getByRole('heading', { name: 'Contacts', level: 2 }).waitFor();
      await page.getByText('the campaign has no valid contact').waitFor();
      const rows = await text(page.locator('#rejected-rows'));
      assert.match(rows, /Row 2/);
      assert.match(rows, /Row 3/);
      assert.equal(await page.getByLabel('CSV file', { exact: true })
        .getAttribute('aria-invalid'), 'true');
      const list = await api('GET', BULK);
      assert.ok(!list.campaigns.some((c) => c.name === 'Nothing valid'));
      assertClean(page);
      await page.close();
    });

  test('a CSV campaign: upload, preview, rejected row, live detail and charts',
    async () => {
      const page = await newPage(browser.context, srv);
      await wizardBasics(page, 'December renewals');
      await page.getByLabel(/Upload CSV File/).check();
      await page.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'renewals.csv',
        mimeType: 'text/csv', buffer: Buffer.from(CSV) });
      const preview = page.locator('#csv-preview');
      await preview.getByText('Ann').waitFor();
      assert.match(await text(page.locator('.csv-meta')), /8 contact rows/);
      assert.equal(await preview.locator('tbody tr').count(), 5);
      assert.equal(await text(preview.locator('tbody tr').first()
        .locator('td').first()), '2', 'rows are numbered like a spreadsheet');
      await screenshot(page, 'wizard.png');
      await nextButton(page).click();

      await page.getByLabel('Retry unanswered calls automatically').check();
      await page.getByLabel('Retry limit (0 to 6)').fill('2');
      await page.getByLabel('Retry 1 after (minutes)').fill('0');
      await page.getByLabel('Retry 2 after (minutes)').fill('0');
      await nextButton(page).click();
      assert.equal(await text(page.locator('#review-type')), 'CSV Campaign');
      await page.locator('#review').getByText('renewals.csv').waitFor();
      await page.getByRole('button', { name: 'Create Campaign' }).click();

      await page.waitForURL(/\/bulk-call\/\d+$/);
      const id = Number(page.url().split('/').pop());
      created.csv = id;
      const rejected = page.locator('#rejected-rows');
      await rejected.waitFor();
      assert.match(await text(rejected), /Row 6/);
      assert.match(await text(rejected), /invalid_e164/);

      await until(async () => await tileValue(page, 'total') === 7,
        { message: '7 lines' });
      await until(async () => await tileValue(page, 'completed')
        + await tileValue(page, 'failed') === 7,
      { timeout: 30000, message: 'every line final' });
      assert.equal(await tileValue(page, 'completed'), 4);
      assert.equal(await tileValue(page, 'failed'), 3);
      await until(async () => /Completed/.test(await statusText(page)),
        { message: 'status Completed' });

      await page.locator('#hourly-chart svg.chart').waitFor({ timeout: 15000 });
      const outcomes = await text(page.locator('#outcome-chart'));
      for (const label of ['Completed', 'No answer', 'Voicemail', 'Busy',
        'Failed', 'Callback requested']) {
        assert.ok(outcomes.includes(label), `outcome chart shows ${label}`);
      }
      assert.match(await text(page.locator('#hourly-chart .legend')), /Voicemail/);

      await page.getByLabel('Status', { exact: true }).selectOption('failed');
      await until(async () => await page.locator('#lines-table tbody.line')
        .count() === 3, { message: '3 failed lines' });
      await page.getByLabel('Status', { exact: true }).selectOption('');
      await until(async () => await page.locator('#lines-table tbody.line')
        .count() === 7, { message: 'all 7 lines' });
      await page.getByRole('button', { name: 'Attempts of +14155550111' })
        .click();
      const detail = page.locator('#lines-table .line-detail:not([hidden])');
      await detail.getByText('Attempts (2)').waitFor();
      assert.match(await text(detail), /No answer/);
      assert.match(await text(detail), /Hi Ben, this is Ava from Acme/);
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth
        <= window.innerWidth), 'no sideways scrolling at 1280 px');
      await screenshot(page, 'detail.png', { fullPage: true });
      assertClean(page);
      await page.close();
    });

  test('a dynamic campaign: webhook pushes show live, pause, resume, '
    + 'settings, cancel', async () => {
    const page = await newPage(browser.context, srv);
    await wizardBasics(page, 'CRM inbound leads');
    await page.getByLabel(/Dynamic Campaign \(add contacts/).check();
    await page.getByLabel(/Custom variable names/).fill('first_name, source');
    await page.getByRole('button', { name: '+ Add condition' }).click();
    await page.getByLabel('Column').fill('to_number');
    await page.getByLabel('Operator').selectOption('starts_with');
    await page.getByLabel('Value of condition 1').fill('+1415');
    await nextButton(page).click();
    await page.getByLabel('Retry unanswered calls automatically').check();
    await page.getByLabel('Time zone').fill('Europe/Berlin');
    await nextButton(page).click();
    assert.equal(await text(page.locator('#review-type')), 'Dynamic Campaign');
    await page.locator('#review').getByText('Europe/Berlin').first().waitFor();
    await page.getByRole('button', { name: 'Create Campaign' }).click();

    await page.waitForURL(/\/bulk-call\/\d+$/);
    const id = Number(page.url().split('/').pop());
    created.dynamic = id;
    const c = await api('GET', `${BULK}/${id}`);
    assert.equal(c.is_dynamic, true);
    assert.equal(c.timezone, 'Europe/Berlin');
    assert.equal(c.retry_config.auto_retry, true);
    assert.deepEqual(c.call_conditions, [{ column: 'to_number',
      operator: 'starts_with', value: '+1415' }]);

    const url = (await text(page.locator('#webhook-url'))).replace(/^POST /, '');
    assert.equal(url, `${srv.base}${BULK}/${id}/add_contact`);
    await page.getByRole('button', { name: 'Copy cURL' }).click();
    await page.getByText('Copied').waitFor();
    const clip = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(clip, /^curl -X POST '.*\/add_contact'/);
    assert.match(clip, /first_name/);
    await page.locator('#no-lines').waitFor();
    assert.equal(await tileValue(page, 'total'), 0);

    // Contacts pushed from outside show up without a reload.
    await page.evaluate(() => { window.notReloaded = true; });
    const push = (to, vars) => fetch(url, { method: 'POST',
      headers: { Authorization: `Bearer ${srv.key}`,
        'Content-Type': 'application/json' },
      body: JSON.stringify({ to_number: to, custom_variables: vars,
        metadata: { crm_id: to.slice(-4) } }) }).then((r) => r.json());
    const pushed = await Promise.all([
      push('+14155550103', { first_name: 'Ada' }),
      push('+14155550112', { first_name: 'Bo' }),
      push('+12125550100', { first_name: 'Cy' }),
    ]);
    assert.ok(pushed.every((r) => r.status === 'success'));
    await until(async () => await tileValue(page, 'total') === 3,
      { message: 'the total tile to reach 3' });
    await until(async () => await tileValue(page, 'skipped') === 1,
      { message: 'the skipped tile' });
    assert.equal(await page.evaluate(() => window.notReloaded), true,
      'the page was not reloaded');
    await until(async () => await page.locator('#lines-table tbody.line')
      .count() === 3, { message: '3 lines listed' });

    await page.getByLabel('Search number').fill('+1212');
    await until(async () => await page.locator('#lines-table tbody.line')
      .count() === 1, { message: 'search to narrow to one line' });
    assert.match(await text(page.locator('#lines-table')), /Skipped/);
    await page.getByLabel('Search number').fill('12a');
    await page.getByText('Search takes up to 16 digits').waitFor();
    await page.getByLabel('Search number').fill('');
    await until(async () => await page.locator('#lines-table tbody.line')
      .count() === 3, { message: 'the search to clear' });

    await until(async () => await tileValue(page, 'completed') >= 1,
      { timeout: 15000, message: 'a completed call' });
    await page.getByRole('button', { name: 'Attempts of +14155550103' }).click();
    const detail = page.locator('#lines-table .line-detail:not([hidden])');
    await detail.getByText('Attempts (1)').waitFor();
    assert.match(await text(detail), /crm_id/);

    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await until(async () => /Paused/.test(await statusText(page)),
      { message: 'status Paused' });
    assert.equal((await api('GET', `${BULK}/${id}`)).campaign_status, 'paused');
    await push('+14155550104', { first_name: 'Di' });
    await until(async () => await tileValue(page, 'pending') === 1,
      { message: 'a queued contact while paused' });
    await page.getByRole('button', { name: 'Resume' }).click();
    await until(async () => !/Paused/.test(await statusText(page)),
      { message: 'status after resume' });
    assert.notEqual((await api('GET', `${BULK}/${id}`)).campaign_status,
      'paused');

    const retry = page.locator('#retry-settings');
    await retry.getByLabel('Retry limit (0 to 6)').fill('3');
    await retry.getByLabel('Retry 3 after (min)').fill('90');
    await retry.getByRole('button', { name: 'Save' }).click();
    await retry.getByText('Retry settings saved.').waitFor();
    const rc = (await api('GET', `${BULK}/${id}`)).retry_config;
    assert.equal(rc.retry_limit, 3);
    assert.equal(rc.retry_delays_seconds[2], 90 * 60);

    const conc = page.locator('#concurrency-settings');
    await conc.getByLabel('Concurrent calls (1 to 1000)').fill('0');
    await conc.getByRole('button', { name: 'Save' }).click();
    await conc.getByText('Enter a whole number from 1 to 1000.').first()
      .waitFor();
    await conc.getByLabel('Concurrent calls (1 to 1000)').fill('5');
    await conc.getByRole('button', { name: 'Save' }).click();
    await conc.getByText('Concurrency saved.').waitFor();
    assert.equal((await api('GET', `${BULK}/${id}`)).concurrent_call_limit, 5);

    const resched = page.locator('#reschedule-settings');
    await resched.getByLabel(/Call back when/).check();
    await resched.getByLabel('Reschedule limit (0 to 20)').fill('4');
    await resched.getByRole('button', { name: 'Save' }).click();
    await resched.getByText('Reschedule settings saved.').waitFor();
    const rs = await api('GET', `${BULK}/${id}`);
    assert.equal(rs.enabled_reschedule_call, true);
    assert.equal(rs.reschedule_limit, 4);

    await page.getByRole('button', { name: 'Cancel campaign' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('This cannot be undone').waitFor();
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.notEqual((await api('GET', `${BULK}/${id}`)).campaign_status,
      'cancelled');
    await page.getByRole('button', { name: 'Cancel campaign' }).click();
    await page.getByRole('dialog').getByRole('button',
      { name: 'Cancel campaign' }).click();
    await until(async () => /Cancelled/.test(await statusText(page)),
      { message: 'status Cancelled' });
    assert.equal((await api('GET', `${BULK}/${id}`)).campaign_status,
      'cancelled');
    assert.equal(await page.getByRole('button', { name: 'Pause', exact: true })
      .count(), 0);
    await page.getByText('its settings can no longer change').waitFor();
    assertClean(page);
    await page.close();
  });
});

describe('campaign list', () => {
  test('shows status, type, progress; filters by status; pages', async () => {
    const page = await newPage(browser.context, srv);
    const table = page.locator('#campaigns-table');
    await table.waitFor();
    const rows = table.locator('tbody tr');
    assert.equal(await rows.count(), 2);
    const csvRow = rows.filter({ hasText: 'December renewals' });
    assert.match(await text(csvRow), /Completed/);
    assert.match(await text(csvRow), /CSV/);
    assert.match(await text(csvRow), /7 \/ 7/);
    const dynRow = rows.filter({ hasText: 'CRM inbound leads' });
    assert.match(await text(dynRow), /Cancelled/);
    assert.match(await text(dynRow), /Dynamic/);
    await screenshot(page, 'list.png');

    await page.getByLabel('Status').selectOption('cancelled');
    await page.waitForURL(/status=cancelled/);
    await until(async () => await rows.count() === 1
      && /CRM inbound leads/.test(await text(rows.first())),
    { message: 'only the cancelled campaign' });
    await page.getByLabel('Status').selectOption('draft');
    await page.getByText('No campaigns with this status.').waitFor();
    await page.getByLabel('Status').selectOption('');

    for (let i = 1; i <= 9; i++) {
      await api('POST', `${BULK}/create`, { name: `Batch ${i}`,
        phone_number_id: number.id, is_dynamic: true, save_as_draft: true });
    }
    await page.getByLabel('Page size').selectOption('10');
    await page.getByText('1–10 of 11').waitFor();
    await page.getByRole('button', { name: /Next/ }).click();
    await page.getByText('11–11 of 11').waitFor();
    assert.equal(await rows.count(), 1);
    await page.getByRole('button', { name: /Previous/ }).click();
    await page.getByText('1–10 of 11').waitFor();

    await rows.filter({ hasText: 'Batch 9' }).getByRole('link').click();
    await page.getByRole('button', { name: 'Start campaign' }).click();
    await until(async () => !/Draft/.test(await statusText(page)),
      { message: 'the draft to start' });
    assertClean(page);
    await page.close();
  });

  test('lines page with a cursor: next and previous', async () => {
    const page = await newPage(browser.context, srv);
    const c = await api('POST', `${BULK}/create`, { name: 'Paging',
      phone_number_id: number.id, is_dynamic: true, save_as_draft: true });
    const contacts = Array.from({ length: 30 }, (_, i) => ({
      to_number: `+1303555${String(1000 + i)}` }));
    await api('POST', `${BULK}/${c.campaign_id}/add_contacts`, { contacts });
    await page.goto(`${srv.base}/bulk-call/${c.campaign_id}`);
    const lines = page.locator('#lines-table tbody.line');
    await page.getByLabel('Page size').selectOption('25');
    await until(async () => await lines.count() === 25, { message: '25 lines' });
    await page.getByText('Lines 1–25 of 30').waitFor();
    await page.getByRole('button', { name: 'Next →' }).click();
    await until(async () => await lines.count() === 5, { message: 'page 2' });
    await page.getByText('Lines 26–30 of 30 · page 2').waitFor();
    await page.getByRole('button', { name: '← Previous' }).click();
    await until(async () => await lines.count() === 25, { message: 'page 1' });
    assertClean(page);
    await page.close();
  });
});

describe('configuration pages', () => {
  test('agents show their variables live; numbers list and attach', async () => {
    const page = await newPage(browser.context, srv);
    await page.getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
    await page.getByLabel('Welcome message').fill('Hello {{ first_name }}!');
    await page.getByLabel('Prompt').fill('Ask about {{order.id}} and {{bad-');
    const vars = page.locator('#agent-variables');
    await vars.getByText('{{first_name}}').waitFor();
    await vars.getByText('{{order.id}}').waitFor();
    await vars.getByText(/Prompt: a placeholder/).waitFor();
    await page.getByLabel('Prompt').fill('Ask about {{order.id}}.');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByText('Enter a name for the agent.').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Support bot');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByText('Agent “Support bot” was created.').waitFor();
    await page.locator('#agents-table').getByText('Support bot').waitFor();

    await page.getByRole('link', { name: 'Phone Numbers' }).click();
    await page.getByLabel('Number (E.164)').fill('555-0100');
    await page.getByRole('button', { name: 'Add phone number' }).click();
    await page.getByText('Enter the number in E.164 form').waitFor();
    await page.getByLabel('Number (E.164)').fill('+14155550100');
    await page.getByRole('button', { name: 'Add phone number' }).click();
    await page.getByText('is already registered').waitFor();
    await page.getByLabel('Number (E.164)').fill('+14155550199');
    await page.getByLabel('Agent', { exact: true }).selectOption({
      label: 'Support bot' });
    await page.getByRole('button', { name: 'Add phone number' }).click();
    await page.getByText('+14155550199 was added.').waitFor();
    const row = page.locator('#numbers-table tr', { hasText: '+14155550199' });
    await row.getByText('Support bot').first().waitFor();
    const id = Number(await row.getAttribute('data-number'));
    const agentCell = row.locator('td').nth(2);
    const picker = row.getByLabel('Agent for +14155550199');
    const message = row.locator('.row-message');
    assert.ok(await row.getByRole('button', { name: 'Attach' }).isDisabled(),
      'nothing to attach while the attached agent is chosen');

    // Attach another agent: the row changes in place, the result beside it.
    await picker.selectOption({ label: agent.name });
    await row.getByRole('button', { name: 'Attach' }).click();
    await message.getByText(`${agent.name} is attached.`).waitFor();
    assert.equal(await text(agentCell), agent.name);
    assert.equal((await api('GET', `/api/v1/phone_numbers/${id}`)).agent_id,
      agent.id);

    // "No agent" turns the button into Detach, which sends null.
    await picker.selectOption({ label: 'No agent' });
    await row.getByRole('button', { name: 'Detach' }).click();
    await message.getByText('Agent detached.').waitFor();
    assert.equal(await text(agentCell), 'none');
    assert.equal((await api('GET', `/api/v1/phone_numbers/${id}`)).agent_id,
      null);

    // An agent the server does not know (deleted elsewhere, say): the
    // API's 422 shows next to the control and nothing changes.
    await picker.evaluate((sel) => sel.append(new Option('Gone', '999999')));
    await picker.selectOption('999999');
    await row.getByRole('button', { name: 'Attach' }).click();
    await message.locator('.alert-error').getByText('agent 999999 not found')
      .waitFor();
    assert.match(await text(message), /unknown_agent, HTTP 422/);
    assert.equal(await picker.getAttribute('aria-invalid'), 'true');
    assert.equal(await text(agentCell), 'none');
    assert.equal((await api('GET', `/api/v1/phone_numbers/${id}`)).agent_id,
      null);
    assertClean(page);
    await page.close();
  });

  test('API keys: create once with copy, list, revoke', async () => {
    const page = await newPage(browser.context, srv);
    await page.getByRole('link', { name: 'API' }).click();
    const table = page.locator('#keys-table');
    await table.waitFor();
    assert.equal(await table.locator('tbody tr').count(), 1);
    assert.match(await text(table), /this session/);
    await page.getByRole('button', { name: '+ Create API key' }).click();
    const key = await text(page.locator('#new-key'));
    assert.match(key, /^cdk_[0-9a-f]+_/);
    await page.getByRole('button', { name: 'Copy key' }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);
    await until(async () => await table.locator('tbody tr').count() === 2,
      { message: 'two keys' });
    const prefix = key.split('_')[1];
    const other = await apiClient(srv.base, key)('GET', '/api/v1/keys');
    assert.equal(other.keys.length, 2, 'the new key works');
    await page.getByRole('button', { name: 'I have saved it' }).click();
    assert.equal(await page.locator('#new-key').count(), 0, 'shown once');
    await page.getByRole('button', { name: `Revoke key ${prefix}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' })
      .click();
    await until(async () => /Revoked/.test(await text(table.locator('tr', {
      hasText: prefix }))), { message: 'the key revoked' });
    await assert.rejects(apiClient(srv.base, key)('GET', '/api/v1/keys'),
      /401/);
    assertClean(page);
    await page.close();

    // Revoking the key the dashboard runs on signs it out.
    const own = await api('POST', '/api/v1/keys', {});
    const page2 = await newPage(browser.context, { base: srv.base,
      key: own.key });
    await page2.getByRole('link', { name: 'API' }).click();
    await page2.locator('#keys-table').getByText('this session').waitFor();
    await page2.getByRole('button', { name: `Revoke key ${own.prefix}` })
      .click();
    await page2.getByRole('dialog').getByText('you will be signed out')
      .waitFor();
    await page2.getByRole('dialog').getByRole('button', { name: 'Revoke key' })
      .click();
    await page2.getByText('You were signed out').waitFor();
    await page2.getByLabel('API key').waitFor();
    assertClean(page2);
    await page2.close();
  });

  test('do-not-call: add, bulk import, remove', async () => {
    const page = await newPage(browser.context, srv);
    await page.getByRole('link', { name: 'Do-not-call' }).click();
    await page.getByRole('heading', { name: 'Do-not-call', level: 1 }).waitFor();
    const add = page.locator('#dnc-add');
    await add.getByLabel('Number (E.164)').fill('+14155550999');
    await add.getByLabel('Reason (optional)').fill('Asked not to be called');
    await add.getByRole('button', { name: 'Add number' }).click();
    await add.getByText('is on the do-not-call list').waitFor();
    const table = page.locator('#dnc-table');
    await table.getByText('+14155550999').waitFor();
    assert.match(await text(table), /All campaigns/);

    const bulk = page.locator('#dnc-bulk');
    await bulk.getByLabel('Numbers').fill('+14155550998\nnope\n+14155550997');
    await bulk.getByLabel('Applies to').selectOption(String(created.csv));
    await bulk.getByRole('button', { name: 'Import numbers' }).click();
    await bulk.getByText(/2 added, 1 rejected/).waitFor();
    await bulk.getByText('nope').waitFor();
    await until(async () => await table.locator('tbody tr').count() === 3,
      { message: 'three entries' });
    assert.match(await text(table), /December renewals/);

    await table.getByRole('button', { name: 'Remove +14155550999' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' })
      .click();
    await until(async () => await table.locator('tbody tr').count() === 2,
      { message: 'the entry removed' });
    const list = await api('GET', '/api/v1/dnc');
    assert.equal(list.total, 2);
    assertClean(page);
    await page.close();
  });

  test('a phone-sized screen gets a menu button; keyboard focus is visible',
    async () => {
      const page = await newPage(browser.context, srv);
      await page.setViewportSize({ width: 390, height: 844 });
      const menu = page.getByRole('button', { name: 'Menu' });
      await menu.waitFor();
      await page.getByRole('link', { name: 'Agents' })
        .waitFor({ state: 'hidden' });
      await menu.click();
      assert.equal(await menu.getAttribute('aria-expanded'), 'true');
      await page.getByRole('link', { name: 'Agents' }).click();
      await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
      assert.equal(await menu.getAttribute('aria-expanded'), 'false');
      const width = await page.evaluate(() =>
        document.documentElement.scrollWidth);
      assert.ok(width <= 390, `no sideways scrolling (${width}px)`);

      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(`${srv.base}/bulk-call`);
      await page.locator('#campaigns-table').waitFor();
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.textContent),
        'Skip to content');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      const focus = await page.evaluate(() => {
        const el = document.activeElement;
        const st = getComputedStyle(el);
        return { text: el.textContent, outline: st.outlineStyle,
          width: st.outlineWidth };
      });
      assert.equal(focus.text, 'Bulk Call');
      assert.equal(focus.outline, 'solid', 'focus is visible');
      assertClean(page);
      await page.close();
    });
});
