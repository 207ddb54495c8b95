// The staff inbox in headless Chromium, against the local runner. Started by
// tests/tests/it/inbox_browser.rs, which starts the runner, seeds the queue and checks the
// table afterwards. This script plays the member of staff:
//
//   sign in locally → see the crisis hold on top and end it → see a complaint arrive → open it with the keyboard → claim it →
//   edit and approve its drafts (approval mode) → resolve it → copy the update request →
//   change the page's settings → the reports; then the page in Dutch, on a phone, and as
//   a viewer (what the role may not do is not offered).
//
// Screenshots go to INBOX_SCREENSHOTS. Chromium is the distribution's own (CHROMIUM);
// playwright-core never downloads a browser.
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const BASE = env('INBOX_URL');
const SHOTS = env('INBOX_SCREENSHOTS');
const NAME = env('INBOX_NAME');
const EDITED = env('INBOX_EDITED_TEXT');
const NOTE = env('INBOX_RESOLUTION');
const CRISIS = env('INBOX_CRISIS_PAGE');
const delivery = JSON.parse(readFileSync(env('INBOX_DELIVERY'), 'utf8'));
mkdirSync(SHOTS, { recursive: true });

const browser = await chromium.launch({
  executablePath: env('CHROMIUM'),
  headless: true,
  // Without the background-networking flags Chromium's own connections are refused on a
  // closed network and slow everything down.
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

const steps = [];
const step = (name) => { steps.push(name); console.log(`step: ${name}`); };
let page;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Every visible form control has a label, every visible button a name. */
async function checkLabels(p, where) {
  const unlabelled = await p.evaluate(() => {
    const visible = (e) => !e.closest('[hidden]') && e.getClientRects().length > 0;
    const controls = [...document.querySelectorAll('input, select, textarea')]
      .filter(visible)
      .filter((e) => e.labels.length === 0 && !e.getAttribute('aria-label'))
      .map((e) => e.outerHTML.slice(0, 80));
    const buttons = [...document.querySelectorAll('button, a[href]')]
      .filter(visible)
      .filter((e) => !e.textContent.trim() && !e.getAttribute('aria-label'))
      .map((e) => e.outerHTML.slice(0, 80));
    return [...controls, ...buttons];
  });
  check(unlabelled.length === 0, `${where}: without a label or name: ${unlabelled.join(' | ')}`);
}

/** Whatever the page reported: console errors and uncaught exceptions fail the test. */
function watch(p, errors) {
  p.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  p.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
}

async function deliverComplaint() {
  const response = await fetch(delivery.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': delivery.signature },
    body: delivery.body,
  });
  check(response.status === 200, `the webhook answered ${response.status}`);
}

try {
  const errors = [];
  const context = await browser.newContext({
    locale: 'en-GB',
    timezoneId: 'Europe/Amsterdam',
    viewport: { width: 1280, height: 860 },
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  page = await context.newPage();
  page.setDefaultTimeout(15000);
  watch(page, errors);

  step('sign in locally');
  await page.goto(`${BASE}/inbox`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await checkLabels(page, 'sign-in');
  await page.getByLabel('Your name').fill(NAME);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Queue' }).waitFor();
  check(await page.locator('#who-name').textContent() === NAME, 'the signed-in name is shown');
  check(await page.locator('#who-role').textContent() === 'Owner', 'the role is shown');

  step('a crisis hold is on top of the queue, and an owner ends it');
  const banner = page.locator('.crisis', { hasText: `Crisis hold on ${CRISIS}` });
  await banner.waitFor();
  const said = await banner.textContent();
  check(said.includes('12 complaints about delivery in one hour (usually 0.3)'), `why: ${said}`);
  check(said.includes('Delivery 12, Billing and refunds 2'), `the top themes: ${said}`);
  check(said.includes('without approval'), `what the hold means: ${said}`);
  await checkLabels(page, 'crisis');
  await page.screenshot({ path: join(SHOTS, 'inbox-crisis.png'), fullPage: true });
  await banner.getByRole('button', { name: 'End crisis hold' }).click();
  await page.getByText(`Crisis hold on ${CRISIS} ended.`).waitFor();
  await banner.waitFor({ state: 'detached' });
  check(await page.locator('#crises').isHidden(), 'no banner once it ended');

  step('the queue marks the overdue task');
  await page.locator('.task').first().waitFor();
  const before = await page.locator('.task').count();
  const overdue = page.locator('.task.overdue-task');
  check(await overdue.count() === 1, 'one overdue task');
  check((await overdue.textContent()).includes('Overdue'), 'overdue is said in words, not only in colour');
  await checkLabels(page, 'queue');

  step('a complaint arrives');
  await deliverComplaint();
  const complaint = page.locator('.task', { hasText: 'Anke de Vries' });
  for (let i = 0; i < 60 && (await complaint.count()) === 0; i += 1) {
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.waitForTimeout(500);
  }
  check(await complaint.count() === 1, 'the complaint is in the queue');
  check(await page.locator('.task').count() === before + 1, 'one more task');
  await page.screenshot({ path: join(SHOTS, 'inbox-queue.png'), fullPage: true });

  step('open it with the keyboard');
  await complaint.locator('a').focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Anke de Vries' }).waitFor();
  check(await page.evaluate(() => document.activeElement.id) === 'task-title', 'focus moves to the task');
  check((await page.locator('.customer-text').first().textContent()).includes('niet geleverd'), 'the comment is shown');
  // The responder drafts right after it opens the task: wait for the drafts.
  for (let i = 0; i < 40 && (await page.locator('#draft-public').count()) === 0; i += 1) {
    await page.waitForTimeout(500);
    await page.evaluate(() => window.dispatchEvent(new HashChangeEvent('hashchange')));
  }
  check(await page.locator('#draft-public').count() === 1, 'the public draft is editable (approval mode)');

  step('claim it');
  await page.getByRole('button', { name: 'Claim', exact: true }).click();
  await page.getByText('Claimed. It is yours.').waitFor();
  await page.locator('.facts dd', { hasText: NAME }).first().waitFor();

  step('edit and approve the drafts');
  const draft = await page.locator('#draft-public').inputValue();
  check(draft.startsWith('Hallo Anke'), `the draft is in Dutch: ${draft}`);
  await page.locator('#draft-public').fill(EDITED);
  await checkLabels(page, 'task');
  await page.screenshot({ path: join(SHOTS, 'inbox-task.png'), fullPage: true });
  await page.getByRole('button', { name: 'Approve and send' }).click();
  await page.getByText('Approved. The replies are on their way.').waitFor();
  await page.getByText(`Edited by ${NAME} before sending:`).waitFor();
  check(await page.locator('.sent-text', { hasText: EDITED }).count() === 1, 'the edit is shown');
  check(await page.locator('#draft-public').count() === 0, 'no draft left to edit');

  step('resolve it');
  await page.getByText('Resolve…').click();
  await page.getByLabel('What was done (kept in the history)').fill(NOTE);
  await page.getByRole('button', { name: 'Resolve', exact: true }).click();
  await page.getByText('Resolved.', { exact: true }).waitFor();
  const ask = await page.locator('#update-request').inputValue();
  check(ask.includes('Anke'), `the update request is addressed to the customer: ${ask}`);

  step('copy the update request');
  await page.getByRole('button', { name: 'Copy text' }).click();
  await page.getByText('Copied.').waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  check(copied === ask, 'the clipboard holds the update request');
  await page.screenshot({ path: join(SHOTS, 'inbox-task-resolved.png'), fullPage: true });

  step("change the page's settings");
  await page.getByRole('link', { name: 'Settings of this page' }).click();
  await page.getByRole('heading', { name: 'Pages' }).waitFor();
  const sla = page.getByLabel('Hours to answer (SLA)');
  await sla.fill('12');
  await checkLabels(page, 'pages');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved.').waitFor();
  check(await page.getByLabel('Hours to answer (SLA)').inputValue() === '12', 'the saved value is shown');

  step('the reports');
  await page.getByRole('link', { name: 'Reports' }).click();
  await page.getByRole('heading', { name: 'What complaints are about' }).waitFor();
  await page.getByRole('heading', { name: 'How fast we answer' }).waitFor();
  await checkLabels(page, 'reports');
  await page.screenshot({ path: join(SHOTS, 'inbox-reports.png'), fullPage: true });
  check(errors.length === 0, errors.join('\n'));

  step('the page in Dutch');
  const dutch = await browser.newContext({ locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });
  const nl = await dutch.newPage();
  nl.setDefaultTimeout(15000);
  await nl.goto(`${BASE}/inbox`);
  await nl.getByRole('heading', { name: 'Aanmelden' }).waitFor();
  await nl.getByLabel('Je naam').fill('Bram');
  await nl.getByRole('button', { name: 'Aanmelden' }).click();
  await nl.getByRole('heading', { name: 'Wachtrij' }).waitFor();
  check((await nl.locator('.task.overdue-task').textContent()).includes('Te laat'), 'overdue in Dutch');
  check(await nl.evaluate(() => document.documentElement.lang) === 'nl', 'lang="nl"');
  check(await nl.locator('#who-role').textContent() === 'Eigenaar', 'the role in Dutch');
  await dutch.close();

  step('on a phone');
  const phone = await browser.newContext({
    locale: 'en-GB', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
  });
  const small = await phone.newPage();
  small.setDefaultTimeout(15000);
  await small.goto(`${BASE}/inbox`);
  await small.getByLabel('Your name').fill(NAME);
  await small.getByRole('button', { name: 'Sign in' }).click();
  await small.locator('.task').first().waitFor();
  const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `nothing wider than the phone (${overflow}px too wide)`);
  await small.screenshot({ path: join(SHOTS, 'inbox-phone.png'), fullPage: true });
  await phone.close();

  step('as a viewer');
  // The runner signs everyone in as an owner; here the API says "viewer", as Cognito's
  // groups would (the API refuses the rest anyway: tests/tests/it/inbox_api.rs).
  const viewing = await browser.newContext({ locale: 'en-GB' });
  await viewing.route('**/api/me', async (route) => {
    const me = await (await route.fetch()).json();
    await route.fulfill({
      json: { ...me, role: 'viewer', may: { read: true, work_tasks: false, change_pages: false } },
    });
  });
  const viewer = await viewing.newPage();
  viewer.setDefaultTimeout(15000);
  await viewer.goto(`${BASE}/inbox`);
  await viewer.getByLabel('Your name').fill('Vera');
  await viewer.getByRole('button', { name: 'Sign in' }).click();
  await viewer.getByRole('heading', { name: 'Queue' }).waitFor();
  check(await viewer.locator('#who-role').textContent() === 'Viewer', 'the viewer role is shown');
  await viewer.getByRole('link', { name: 'Pages' }).click();
  await viewer.getByText('Only owners change page settings.').first().waitFor();
  check(await viewer.getByRole('button', { name: 'Save' }).count() === 0, 'a viewer is offered no Save');
  const slas = await viewer.getByLabel('Hours to answer (SLA)').all();
  check(slas.length > 0, 'the settings are shown');
  for (const sla of slas) check(await sla.isDisabled(), 'the settings are read-only');
  await viewing.close();

  console.log(JSON.stringify({ ok: true, steps }));
  await browser.close();
} catch (error) {
  console.error(`failed at step "${steps[steps.length - 1]}": ${error.stack || error}`);
  if (page) await page.screenshot({ path: join(SHOTS, 'inbox-failure.png'), fullPage: true }).catch(() => {});
  await browser.close();
  process.exit(1);
}
