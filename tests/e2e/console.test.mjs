// The operator console (/admin) in headless Chromium against the real stack:
// an operator runs a whole round through the console only (create, moderate,
// open voting, close, review outcomes, publish) while a citizen proposes and
// votes on the public site; a moderator cannot change phases (no button, and
// the API refuses); the audit log names every step; imports; axe on every
// console page, and a screenshot of each in tests/e2e/screenshots/.
//
//   node --test tests/e2e/console.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, runAxe, watchPage } from '../support/browser.mjs';
import { citizenId, parseCsv, startStack, stopStack } from '../support/stack.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const SHOTS = path.join(HERE, 'screenshots');
const DISTRICT = 3;  // บางรัก
const OTHER_DISTRICT = 5;

let stack = null;
let base = '';
let adminKey = '';
let moderatorKey = '';
let browser = null;

// The refusals the console test provokes on purpose; any other failed
// response, script error or console error on a watched page fails the test.
const OPERATOR_REFUSALS = [
  { status: 401, url: /\/v1\/admin\/session$/ },  // the console asks who is signed in before sign-in
  { status: 401, url: /\/v1\/admin\/session:signIn$/ },  // the wrong key, in Thai and in English
  { status: 400, url: /\/v1\/admin\/rounds$/ },  // a district budget over the service's limit
  { status: 400, url: /\/v1\/admin\/projects\/\d+:update$/ },  // the refused project update
];
const MODERATOR_REFUSALS = [
  { status: 401, url: /\/v1\/admin\/session$/ },  // a fresh browser, before sign-in
  { status: 403, url: /\/v1\/admin\/rounds\/\d+:advance$/ },  // a moderator, and a change without the CSRF header
];

async function api(pathname, { method = 'GET', body, key } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (key) headers.Authorization = `Bearer ${key}`;
  const res = await fetch(base + pathname, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json };
}

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `console-${name}.png`), fullPage: true });
}

async function accessible(page, label, t) {
  const bad = await runAxe(page, label, (m) => t.diagnostic(m));
  assert.equal(bad.length, 0, `${label}: ${bad.map((v) => v.id).join(', ')}`);
}

// Signs in unless the browser already holds a session.
async function signIn(page, key) {
  await page.goto(`${base}/admin`);
  await page.waitForSelector('#signin-form, #rounds-table, .state.empty', { timeout: 20000 });
  if (!(await page.isVisible('#signin-form'))) return;
  await page.fill('#operator-key', key);
  await page.click('#signin-submit');
  await page.waitForSelector('#rounds-table, .state.empty', { timeout: 20000 });
}

// Moves the round on the page to its next phase through the confirmation dialog.
async function advance(page, t, shotName) {
  const to = await page.getAttribute('#advance-phase', 'data-to');
  await page.click('#advance-phase');
  await page.waitForSelector('#confirm-dialog[open]');
  const text = await page.textContent('#confirm-text');
  assert.ok(text.length > 20, 'the confirmation says what freezes');
  if (shotName) {
    await shot(page, shotName);
    await accessible(page, `confirm ${to}`, t);
  }
  await page.click('#confirm-ok');
  await page.waitForSelector(`#round-phase[data-phase="${to}"]`, { timeout: 20000 });
  return to;
}

before(async () => {
  ({ child: stack, base, admin: adminKey, moderator: moderatorKey } = await startStack());
  browser = await launchBrowser();
}, { timeout: 300000 });

after(async () => {
  await browser?.close();
  await stopStack(stack);
}, { timeout: 90000 });

test('an operator runs a whole round through the console', { timeout: 300000 }, async (t) => {
  const errors = [];
  const page = watchPage(await browser.ctx.newPage(), errors, OPERATOR_REFUSALS);

  // Sign in.
  await page.goto(`${base}/admin`);
  await page.waitForSelector('#signin-form');
  assert.equal(await page.getAttribute('html', 'lang'), 'th');
  await shot(page, 'signin');
  await accessible(page, 'sign-in', t);
  await page.fill('#operator-key', 'bkkop_wrong');
  await page.click('#signin-submit');
  await page.waitForSelector('#signin-error');
  assert.match(await page.textContent('#signin-error'), /ไม่รู้จักกุญแจผู้ดูแลนี้ หรือถูกเพิกถอนแล้ว/);
  // The same refusal on the English console.
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await page.waitForSelector('#signin-form');
  await page.fill('#operator-key', 'bkkop_wrong');
  await page.click('#signin-submit');
  await page.waitForSelector('#signin-error');
  assert.match(await page.textContent('#signin-error'), /This operator key is unknown or revoked/);
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'th');
  await page.waitForSelector('#signin-form');
  await page.fill('#operator-key', adminKey);
  await page.click('#signin-submit');
  await page.waitForSelector('#new-round');
  assert.match(await page.textContent('#console-who'), /e2e-admin/);
  const cookies = await browser.ctx.cookies();
  const session = cookies.find((c) => c.name === 'bkk_session');
  assert.ok(session && session.httpOnly && session.sameSite === 'Strict' && session.path === '/v1/admin', JSON.stringify(session));
  assert.equal(await page.evaluate(() => document.cookie.includes('bkk_session')), false, 'scripts cannot read the session');

  // Create a round: inline validation first, then the service's own refusal, then success.
  await page.click('#new-round');
  await page.waitForSelector('#create-round');
  await page.click('#create-submit');
  await page.waitForSelector('#round-name[aria-invalid="true"]');
  assert.ok(await page.isVisible('#round-name-error'));
  await shot(page, 'create-round-invalid');
  await accessible(page, 'create round (invalid)', t);
  await page.fill('#round-name', 'รอบทดสอบคอนโซล');
  await page.check(`#district-${DISTRICT}`);
  await page.fill(`#budget-${DISTRICT}`, '2000000000000');  // over the service's limit: its reason is shown
  await page.check(`#district-${OTHER_DISTRICT}`);
  await page.fill(`#budget-${OTHER_DISTRICT}`, '3000000');
  await page.click('#create-submit');
  await page.waitForSelector('#create-error');
  assert.match(await page.textContent('#create-error'), /งบของเขตรหัส \d+ ต้องอยู่ระหว่าง 1 บาทถึง/);
  await page.fill(`#budget-${DISTRICT}`, '5000000');
  await page.fill('#rule-max', '2');
  await page.click('#create-submit');
  await page.waitForSelector('#round-phase[data-phase="PHASE_PROPOSALS"]', { timeout: 20000 });
  const roundId = page.url().match(/#\/rounds\/(\d+)/)[1];
  t.diagnostic(`round ${roundId} created through the console`);
  await shot(page, 'round');
  await accessible(page, 'round page', t);

  // Citizens propose on the public site; the author keeps a private link.
  const pub = watchPage(await browser.ctx.newPage(), errors);
  const titles = ['ทางเดินร่มรื่นริมคลอง', 'ลานกีฬาชุมชนซอยเจริญกรุง'];
  const ids = [];
  await pub.goto(`${base}/#/vote?district=${DISTRICT}&round=${roundId}`);
  await pub.waitForSelector('#propose-form', { timeout: 20000 });
  for (const title of titles) {
    await pub.fill('#propose-title', title);
    await pub.fill('#propose-cost', '1200000');
    await pub.click('#propose-form button[type="submit"]');
    const handle = await pub.waitForFunction((known) => {
      const id = document.querySelector('#propose-result [data-proposal-id]')?.getAttribute('data-proposal-id');
      return id && !known.includes(id) ? id : null;
    }, ids, { timeout: 20000 });
    ids.push(await handle.jsonValue());
  }
  const privateLink = await pub.getAttribute('#propose-private-link', 'href');
  // Pending: not public, not even its share page; the author's link shows it.
  assert.equal((await api(`/v1/proposals/${ids[1]}`)).status, 404);
  assert.equal((await fetch(`${base}/p/${ids[1]}`)).status, 404);
  await pub.goto(privateLink);
  await pub.waitForSelector(`.proposal-view[data-proposal-id="${ids[1]}"]`, { timeout: 20000 });
  assert.ok(await pub.isVisible('#view-private'));

  // Moderate: approve by keyboard, reject with a reason by button.
  await page.click('#go-moderation');
  await page.waitForSelector('#queue .queue-item');
  await shot(page, 'moderation');
  await accessible(page, 'moderation queue', t);
  await page.focus(`.queue-item[data-proposal-id="${ids[0]}"]`);
  await page.keyboard.press('a');
  await page.waitForSelector(`.queue-item[data-proposal-id="${ids[0]}"][data-status="MODERATION_STATUS_APPROVED"]`);
  const second = `.queue-item[data-proposal-id="${ids[1]}"]`;
  await page.click(`${second} [data-action="reject"]`);
  await page.click(`${second} [data-action="send-reject"]`);
  await page.waitForSelector(`#reason-${ids[1]}[aria-invalid="true"]`);
  await page.fill(`#reason-${ids[1]}`, 'ซ้ำกับโครงการที่ได้งบปีนี้แล้ว');
  await page.click(`${second} [data-action="send-reject"]`);
  await page.waitForSelector(`${second}[data-status="MODERATION_STATUS_REJECTED"]`);
  await pub.reload();
  await pub.waitForSelector('.proposal-view', { timeout: 20000 });
  assert.match(await pub.textContent('.proposal-view'), /ซ้ำกับโครงการที่ได้งบปีนี้แล้ว/, 'the author reads the reason');
  assert.equal((await api(`/v1/proposals/${ids[0]}`)).status, 200, 'approved: public');
  assert.equal((await api(`/v1/proposals/${ids[1]}`)).status, 404, 'rejected: still private');

  // Open voting (through review), with the confirmation.
  await page.goto(`${base}/admin#/rounds/${roundId}`);
  await page.waitForSelector('#advance-phase');
  await advance(page, t, 'confirm-review');
  await advance(page, t, 'confirm-voting');

  // A moderator: no phase button, and the API refuses the change.
  const moderatorBrowser = await launchBrowser();
  const modCtxPage = watchPage(await moderatorBrowser.ctx.newPage(), errors, MODERATOR_REFUSALS);
  await signIn(modCtxPage, moderatorKey);
  await modCtxPage.goto(`${base}/admin#/rounds/${roundId}`);
  await modCtxPage.waitForSelector('#advance-not-allowed');
  assert.equal(await modCtxPage.locator('#advance-phase').count(), 0);
  await shot(modCtxPage, 'round-as-moderator');
  const refused = await modCtxPage.evaluate(async (r) => {
    const s = await (await fetch('/v1/admin/session')).json();
    const res = await fetch(`/v1/admin/rounds/${r}:advance`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrfToken }, body: JSON.stringify({ toPhase: 'PHASE_CLOSED' }),
    });
    return { status: res.status, body: await res.json() };
  }, roundId);
  assert.equal(refused.status, 403);
  assert.match(refused.body.error.message, /round-admin/);
  const noCsrf = await modCtxPage.evaluate(async (r) => (await fetch(`/v1/admin/rounds/${r}:advance`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ toPhase: 'PHASE_CLOSED' }),
  })).status, roundId);
  assert.equal(noCsrf, 403, 'a change without the anti-CSRF header is refused');
  await moderatorBrowser.close();

  // A citizen votes on the public page.
  await pub.goto(`${base}/#/vote?district=${DISTRICT}&round=${roundId}`);
  await pub.waitForSelector('#vote-form', { timeout: 20000 });
  await pub.locator(`#choice-${ids[0]}`).check();
  await pub.fill('#vote-citizen', citizenId(4242));
  await pub.click('#vote-submit');
  await pub.waitForSelector('#vote-receipt', { timeout: 20000 });
  const receiptCode = (await pub.textContent('#vote-receipt')).trim();

  // Close, review outcomes (private until published), publish.
  await advance(page, t, null);
  assert.equal((await api(`/v1/rounds/${roundId}/districts/${DISTRICT}/outcome`)).status >= 400, true, 'not public before publication');
  await pub.goto(`${base}/#/vote?district=${DISTRICT}&round=${roundId}`);
  await pub.waitForSelector('#vote-awaiting', { timeout: 20000 });
  // The voter's receipt now proves, in their browser, that the ballot is in the sealed count.
  await pub.goto(`${base}/#/receipt/${receiptCode}`);
  await pub.waitForSelector('#receipt-proof[data-proof="verified"]', { timeout: 20000 });
  assert.equal(await pub.getAttribute('#receipt-mine', 'data-same'), 'true', 'the commitment matches the choices this device kept');
  await shot(pub, 'receipt-proof');
  await accessible(pub, 'receipt with its inclusion proof', t);
  await page.click('#go-outcomes');
  await page.waitForSelector(`.outcome[data-district="${DISTRICT}"] tr[data-funded="true"]`, { timeout: 20000 });
  assert.match(await page.textContent(`.outcome[data-district="${DISTRICT}"]`), new RegExp(titles[0]));
  await shot(page, 'outcomes');
  await accessible(page, 'outcomes review', t);
  await page.click('#publish');
  await page.waitForSelector('#confirm-dialog[open]');
  await page.click('#confirm-ok');
  await page.waitForSelector('#published', { timeout: 20000 });

  // The public page shows the published result.
  await pub.goto(`${base}/#/vote?district=${DISTRICT}&round=${roundId}`);
  await pub.reload();
  await pub.waitForSelector('#vote-outcome', { timeout: 20000 });
  assert.match(await pub.textContent('#vote-outcome'), new RegExp(titles[0]));
  await shot(pub, 'public-published');

  // The official result page: the frozen outcome, row for row, with its CSV.
  await pub.click('#vote-results-link');
  await pub.waitForSelector(`.results-view[data-official="true"][data-district="${DISTRICT}"]`, { timeout: 20000 });
  const outcome = (await api(`/v1/rounds/${roundId}/districts/${DISTRICT}/outcome`)).json;
  const shown = await pub.$$eval('#results-table tbody tr', (rows) => rows.map((r) => ({ id: r.dataset.proposalId, funded: r.dataset.funded })));
  assert.deepEqual(shown, outcome.projects.map((p) => ({ id: String(p.proposalId), funded: String(Boolean(p.funded)) })));
  const csvHref = await pub.getAttribute('#results-csv', 'href');
  const csvRows = parseCsv((await (await fetch(base + csvHref)).text()).replace(/^\uFEFF/, '')).filter((r) => r.length > 1);
  assert.deepEqual(csvRows.slice(1).map((r) => r[0]), outcome.projects.map((p) => String(p.proposalId)), 'the CSV is the page');
  await shot(pub, 'results');
  await accessible(pub, 'results page', t);

  // The winner became a project: a tracker posts an update in the console.
  const projects = (await api(`/v1/projects?roundId=${roundId}`)).json.projects;
  assert.deepEqual(projects.map((p) => String(p.proposalId)), outcome.projects.filter((p) => p.funded).map((p) => String(p.proposalId)));
  const projectId = projects[0].projectId;
  const topLine = (await api(`/v1/budget/lines?filter.fiscalYear=2566&filter.districtId=${DISTRICT}&sort=LINE_SORT_AMOUNT_DESC&pageSize=1`)).json.lines[0];
  await page.goto(`${base}/admin#/projects`);
  await page.waitForSelector(`#admin-projects tr[data-project-id="${projectId}"]`, { timeout: 20000 });
  await page.click(`#admin-projects tr[data-project-id="${projectId}"] a`);
  await page.waitForSelector('#project-update');
  await page.fill('#update-text', 'ลงนามสัญญาจ้างผู้รับเหมาแล้ว เริ่มงานสัปดาห์หน้า');
  await page.selectOption('#update-status', 'PROJECT_STATUS_IN_PROGRESS');
  await page.fill('#update-progress', '30');
  await page.fill('#update-committed', '950000');
  assert.ok(await page.locator('#project-agencies option').count() > 50, 'the agency field offers the ordinance\'s budget units');
  await page.fill('#update-agency', 'สำนักงานเขตบางรัก');
  await page.fill('#update-lines', String(topLine.lineId));
  await page.fill('#update-link', 'https://example.org/contract/1');
  await shot(page, 'project-update');
  await accessible(page, 'project update form', t);
  await page.click('#update-submit');
  await page.waitForSelector('#update-saved', { timeout: 20000 });
  // Lowering progress without a reason: refused, shown, nothing changed.
  await page.fill('#update-text', 'แก้ไขตัวเลข');
  await page.fill('#update-progress', '10');
  await page.click('#update-submit');
  await page.waitForSelector('#update-error', { timeout: 20000 });
  assert.match(await page.textContent('#update-error'), /ต้องระบุเหตุผล/);
  await accessible(page, 'project update refused', t);

  // The public project page shows the timeline; the explorer badges the line that funds it.
  await pub.goto(`${base}/#/projects/${projectId}`);
  await pub.waitForSelector('#project-timeline [data-update-id]', { timeout: 20000 });
  assert.equal(await pub.locator('#project-timeline [data-update-id]').count(), 1);
  assert.equal(await pub.getAttribute('.project-view', 'data-status'), 'PROJECT_STATUS_IN_PROGRESS');
  assert.match(await pub.textContent('.project-view'), /สำนักงานเขตบางรัก/);
  await shot(pub, 'project');
  await accessible(pub, 'project page', t);
  await pub.goto(`${base}/#/projects?round=${roundId}`);
  await pub.waitForSelector(`#project-list [data-project-id="${projectId}"]`, { timeout: 20000 });
  await shot(pub, 'projects');
  await accessible(pub, 'projects list', t);
  await pub.goto(`${base}/#/explore?year=2566&district=${DISTRICT}`);
  await pub.reload();
  await pub.waitForSelector(`.line-item[data-line-id="${topLine.lineId}"] .citizen-badge`, { timeout: 20000 });
  await pub.click(`.line-item[data-line-id="${topLine.lineId}"] .citizen-badge`);
  await pub.waitForSelector(`.project-view[data-project-id="${projectId}"]`, { timeout: 20000 });

  // The audit log lists every step with the operator's name.
  await page.goto(`${base}/admin#/audit?round=${roundId}`);
  await page.waitForSelector('#audit-rows tr');
  const steps = await page.$$eval('#audit-rows tr', (rows) => rows.map((r) => `${r.dataset.action}:${r.dataset.operator}`));
  t.diagnostic(`audit: ${steps.join(', ')}`);
  assert.deepEqual(steps, [
    'UpdateProject:e2e-admin',
    'AdvanceRoundPhase:e2e-admin', 'AdvanceRoundPhase:e2e-admin', 'AdvanceRoundPhase:e2e-admin', 'AdvanceRoundPhase:e2e-admin',
    'ModerateProposal:e2e-admin', 'ModerateProposal:e2e-admin', 'CreateRound:e2e-admin',
  ]);
  await shot(page, 'audit');
  await accessible(page, 'audit log', t);

  // English works the same.
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.match(await page.textContent('#view-title'), /Audit log/);
  await accessible(page, 'audit log (English)', t);
  await page.click('#lang-toggle');

  assert.deepEqual(errors, [], 'no script errors, console errors or unexpected failed responses');
  await pub.close();
  await page.close();
});

test('imports: a budget release checked then imported, and a pabulib file', { timeout: 240000 }, async (t) => {
  const errors = [];
  const page = watchPage(await browser.ctx.newPage(), errors);
  await signIn(page, adminKey);
  await page.goto(`${base}/admin#/imports`);
  await page.waitForSelector('#dataset-folder');
  await shot(page, 'imports');
  await accessible(page, 'imports', t);

  // The data folder's .csv and .json files (no PDFs: they are not sent anyway).
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'bkk-e2e-data-'));
  const copy = (dir) => {
    for (const entry of fs.readdirSync(path.join(ROOT, 'data', dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) copy(rel);
      else if (/\.(csv|json)$/.test(entry.name)) {
        fs.mkdirSync(path.join(folder, 'data', dir), { recursive: true });
        fs.copyFileSync(path.join(ROOT, 'data', rel), path.join(folder, 'data', rel));
      }
    }
  };
  copy('.');
  try {
    await page.setInputFiles('#dataset-folder', path.join(folder, 'data'));
    await page.click('#dataset-check');
    await page.waitForSelector('#dataset-checked, #dataset-error', { timeout: 120000 });
    assert.ok(await page.isVisible('#dataset-checked'), await page.textContent('#dataset-report'));
    // Every stated total of the release's years checked: the rows of its stated_totals files.
    const release = JSON.parse(fs.readFileSync(path.join(ROOT, 'data', 'release.json'), 'utf8'));
    const stated = release.files.filter((f) => f.kind === 'stated_totals')
      .reduce((n, f) => n + fs.readFileSync(path.join(ROOT, 'data', f.path), 'utf8').trim().split('\n').length - 1, 0);
    assert.ok((await page.textContent('#dataset-checked')).includes(new Intl.NumberFormat('th-TH').format(stated)), await page.textContent('#dataset-report'));
    await page.click('#dataset-import');
    await page.waitForSelector('#dataset-done', { timeout: 120000 });
    t.diagnostic(await page.textContent('#dataset-done'));
    await shot(page, 'imports-dataset');
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }

  // A real Kraków election (ordinal ballots, grosze): imported as an archive
  // record with its report, never among the city's rounds.
  const pb = path.join(ROOT, 'data/pabulib-sample/Poland_Krakow_2024_Mistrzejowice.pb');
  await page.setInputFiles('#pb-file', pb);
  await page.click('#pb-import');
  await page.waitForSelector('#pb-done', { timeout: 60000 });
  assert.match(await page.textContent('#pb-done'), /#\d+/);
  assert.match(await page.textContent('#pb-notes'), /ordinal ballots/);
  const archiveId = (await page.textContent('#pb-done')).match(/#(\d+)/)[1];
  const cityRounds = await api('/v1/rounds');
  assert.ok(!cityRounds.json.rounds.some((r) => r.roundId === archiveId), 'an imported election is not a city round');
  const archive = await api('/v1/rounds?archive=true');
  const record = archive.json.rounds.find((r) => r.roundId === archiveId);
  assert.equal(record?.archive?.unit, 'Kraków');
  assert.equal(record?.currency, 'PLN');
  assert.equal(record?.districts?.[0]?.budget, '1874242.57');
  await shot(page, 'imports-pabulib');
  await accessible(page, 'imports (done)', t);

  const audit = await api('/v1/admin/audit?page_size=5', { key: adminKey });
  const actions = audit.json.events.map((e) => `${e.action}:${e.operatorName}`);
  assert.ok(actions.includes('ImportPabulib:e2e-admin'), actions.join(', '));
  assert.ok(actions.includes('ImportDataset:e2e-admin'), actions.join(', '));
  assert.deepEqual(errors, [], 'no script errors, console errors or unexpected failed responses');
  await page.close();
});
