// End-to-end test of the web app in headless Chromium against the real stack
// (PostgreSQL, Redis, budget-data, keyword-analytics, voting, gateway).
//
//   node --test tests/e2e/
//
// Starts the stack with tests/e2e/stack.sh (needs root for the throwaway
// PostgreSQL, the built services under $BKK_BUILD_DIR and the built web app in
// gateway/web/dist), unless BKK_E2E_URL and BKK_E2E_ADMIN_TOKEN point at a
// running one. Chromium: $BKK_E2E_CHROMIUM (default /usr/bin/chromium).
// Screenshots go to tests/e2e/screenshots/ (git-ignored).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, runAxe as runAxeOn, watchPage } from '../support/browser.mjs';
import { citizenId, parseCsv, startStack, stopStack } from '../support/stack.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const SHOTS = path.join(HERE, 'screenshots');
const SECTIONS = ['hero', 'strategies', 'timeline', 'budget', 'agencies', 'map', 'explorer', 'keywords', 'vote', 'pb', 'data'];
const PAGE_BUDGET_BYTES = 500 * 1024;
const LCP_BUDGET_MS = 2500;

let BASE = process.env.BKK_E2E_URL || '';
let ADMIN = process.env.BKK_E2E_ADMIN_TOKEN || '';
let stack = null;
let ctx = null;
let closeBrowser = null;
const pageErrors = [];

// ---------- helpers ----------

function log(t, msg) {
  if (t?.diagnostic) t.diagnostic(msg);
  else console.log(msg);
}

async function api(pathname, { method = 'GET', body, admin = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (admin) headers.Authorization = `Bearer ${ADMIN}`;
  const res = await fetch(BASE + pathname, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

async function apiOk(pathname, opts) {
  const r = await api(pathname, opts);
  assert.ok(r.status >= 200 && r.status < 300, `${opts?.method ?? 'GET'} ${pathname} -> ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

const num = (v) => (v === undefined || v === null || v === '' ? 0 : Number(v));

/** Million baht with two decimals, as the page shows it in Thai. */
const million = (baht) => new Intl.NumberFormat('th-TH', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(baht / 1e6);

/** A page of the given size, watched (watchPage): `expect` lists the failed responses a test provokes; the last test fails on any other. */
async function newPage(width, height, expect = []) {
  const page = await ctx.newPage();
  await page.setViewportSize({ width, height });
  return watchPage(page, pageErrors, expect);
}

/**
 * English sentences in the visible text of `page` (outside lang="en"
 * elements, which mark English on purpose): four or more Latin words in a
 * row. The Thai page must have none from the server. Proper names the Thai
 * text cites in brackets are listed, not guessed.
 */
const PROPER_NAMES = ['Method of Equal Shares'];
async function englishSentences(page) {
  return page.evaluate((names) => {
    const texts = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest('[lang="en"], script, style, [hidden]') || !el.getClientRects().length) continue;
      texts.push(n.textContent);
    }
    let text = texts.join(' ');
    for (const name of names) text = text.split(name).join(' ');
    return text.match(/[A-Za-z][A-Za-z'’-]+(?:[ ,:;]+[A-Za-z][A-Za-z'’-]+){3,}/g) ?? [];
  }, PROPER_NAMES);
}

/** Switches the page's language with the header toggle. */
async function switchLanguage(page, to) {
  await page.click('#lang-toggle');
  await page.waitForFunction((l) => document.documentElement.lang === l, to);
}

async function waitSectionsLoaded(page) {
  await page.waitForFunction(
    (ids) => ids.every((id) => {
      const s = document.getElementById(id);
      return s && s.querySelector('h2, h1') && !s.querySelector(':scope .wrap > .state.loading');
    }),
    SECTIONS,
    { timeout: 30000 },
  );
  await page.waitForSelector('#top-agencies li', { timeout: 30000 });
  await page.waitForSelector('#budget-table tbody tr', { timeout: 30000 });
  await page.waitForSelector('#explorer-lines li', { timeout: 30000 });
  await page.waitForSelector('#keyword-cloud .cloud-word', { timeout: 30000 });
  await page.waitForSelector('#district-map path', { timeout: 30000 });
}

/** A point inside a district's shape (on map `svgId`), in page coordinates, that the shape itself receives. */
function pointInDistrict(page, id, svgId = 'district-map') {
  return page.evaluate(([districtId, svgId]) => {
    const path = document.querySelector(`#${svgId} path[data-district="${districtId}"]`);
    path.scrollIntoView({ block: 'center', behavior: 'instant' });
    const box = path.getBBox();
    const matrix = path.getScreenCTM();
    const svg = path.ownerSVGElement;
    for (let i = 1; i < 20; i++) {
      for (let j = 1; j < 20; j++) {
        const p = svg.createSVGPoint();
        p.x = box.x + (box.width * i) / 20;
        p.y = box.y + (box.height * j) / 20;
        if (!path.isPointInFill(p)) continue;
        const s = p.matrixTransform(matrix);
        if (document.elementFromPoint(s.x, s.y) === path) return { x: s.x, y: s.y };
      }
    }
    return null;
  }, [id, svgId]);
}

function runAxe(page, label, t) {
  return runAxeOn(page, label, (msg) => log(t, msg));
}

async function screenshotSections(page, size, t) {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const id of SECTIONS) {
    await page.evaluate((sid) => {
      if (sid === 'hero') window.scrollTo({ top: 0, behavior: 'instant' });
      else document.getElementById(sid)?.scrollIntoView({ block: 'start', behavior: 'instant' });
    }, id);
    await page.waitForTimeout(id === 'budget' ? 800 : 250);
    await page.screenshot({ path: path.join(SHOTS, `${size}-${id}.png`) });
  }
  log(t, `screenshots ${size}: ${SECTIONS.length} sections in ${path.relative(ROOT, SHOTS)}/`);
}

// ---------- stack and browser ----------

before(async () => {
  if (!BASE || !ADMIN) ({ child: stack, base: BASE, admin: ADMIN } = await startStack());
  ({ ctx, close: closeBrowser } = await launchBrowser());
}, { timeout: 300000 });

after(async () => {
  await closeBrowser?.();
  await stopStack(stack);  // every service, PostgreSQL and Redis; removes its folder
}, { timeout: 90000 });

// ---------- tests ----------

test('first load: under 500 kB before chart data, LCP under 2.5 s', { timeout: 90000 }, async (t) => {
  const page = await newPage(390, 844);
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const reqs = new Map();
  cdp.on('Network.responseReceived', (e) => reqs.set(e.requestId, { url: e.response.url, bytes: 0 }));
  cdp.on('Network.loadingFinished', (e) => {
    const r = reqs.get(e.requestId);
    if (r) r.bytes = e.encodedDataLength;
  });
  await page.goto(`${BASE}/`, { waitUntil: 'load' });
  const lcp = await page.evaluate(() => new Promise((resolve) => {
    let last = -1;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) last = e.startTime;
    }).observe({ type: 'largest-contentful-paint', buffered: true });
    setTimeout(() => resolve(last), 1500);
  }));
  await page.waitForLoadState('networkidle');
  const all = [...reqs.values()];
  const isData = (u) => new URL(u).pathname.startsWith('/v1/');
  const isChart = (u) => /\/assets\/chart-[^/]*\.js$/.test(new URL(u).pathname);
  const sum = (xs) => xs.reduce((s, r) => s + r.bytes, 0);
  const beforeCharts = all.filter((r) => !isData(r.url) && !isChart(r.url));
  const chartCode = all.filter((r) => isChart(r.url));
  const data = all.filter((r) => isData(r.url));
  const timing = await page.evaluate(() => performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))
    .filter((e) => !new URL(e.name).pathname.startsWith('/v1/') && !/\/assets\/chart-/.test(e.name))
    .reduce((s, e) => s + (e.transferSize || 0), 0));
  log(t, `page weight: ${sum(beforeCharts)} bytes transferred before chart code and data (${beforeCharts.length} requests: ${beforeCharts.map((r) => new URL(r.url).pathname).join(' ')}); resource-timing transferSize ${timing} bytes`);
  log(t, `page weight: chart code ${sum(chartCode)} bytes (lazy), API data ${sum(data)} bytes (${data.length} requests); total ${sum(all)} bytes`);
  log(t, `LCP: ${Math.round(lcp)} ms`);
  assert.ok(sum(beforeCharts) > 0, 'no bytes measured');
  assert.ok(sum(beforeCharts) < PAGE_BUDGET_BYTES, `first load ${sum(beforeCharts)} bytes >= ${PAGE_BUDGET_BYTES}`);
  assert.ok(lcp > 0, 'no largest-contentful-paint entry');
  assert.ok(lcp < LCP_BUDGET_MS, `LCP ${lcp} ms >= ${LCP_BUDGET_MS} ms`);
  // The chart code arrives only when the yearly-budget section comes near the viewport.
  await page.evaluate(() => document.getElementById('budget')?.scrollIntoView({ behavior: 'instant' }));
  await page.waitForSelector('#budget .chart-box[aria-busy="false"] canvas', { timeout: 20000 });
  await page.waitForLoadState('networkidle');
  const chartLater = [...reqs.values()].filter((r) => isChart(r.url));
  log(t, `page weight: chart code loaded on scroll ${sum(chartLater)} bytes; static total with charts ${sum(beforeCharts) + sum(chartLater)} bytes`);
  assert.ok(sum(beforeCharts) + sum(chartLater) < PAGE_BUDGET_BYTES, 'static assets with the chart code exceed the budget');
  await cdp.detach();
  await page.close();
});

test('every section renders from the API', { timeout: 90000 }, async () => {
  const page = await newPage(1440, 900);
  await page.goto(`${BASE}/`);
  await waitSectionsLoaded(page);
  const fws = await apiOk('/v1/budget/frameworks');
  const s7 = fws.frameworks.find((f) => f.kind === 'FRAMEWORK_KIND_STRATEGIES_7');
  const ov = await apiOk('/v1/budget/overview');
  const rel = await apiOk('/v1/budget/release');

  assert.equal(await page.locator('#hero-title').textContent(), 'เปิดเผยอย่างโปร่งใส เพื่อใครๆ ก็มีส่วนร่วมกับงบกรุงเทพฯ ได้');
  assert.equal(await page.locator('.strategy-card').count(), s7.strategies.length);
  assert.equal(s7.strategies.length, 7);
  for (const s of s7.strategies) {
    assert.ok((await page.locator(`.strategy-card[data-strategy="${s.id}"] h3`).textContent()).includes(s.name));
  }
  const timeline = await page.locator('#timeline').textContent();
  for (const x of ['2556', '2561', '2580', 'มหานครแห่งเอเชีย']) assert.ok(timeline.includes(x), `timeline lacks ${x}`);
  assert.equal(await page.locator('#budget-table tbody tr').count(), ov.years.length);
  const legend = await page.locator('#budget .legend li').allTextContents();
  assert.ok(legend.includes('ไม่พบข้อมูล'), 'legend lacks ไม่พบข้อมูล');
  for (const s of s7.strategies) assert.ok(legend.includes(s.name), `legend lacks ${s.name}`);
  await page.locator('#budget').scrollIntoViewIfNeeded();
  await page.waitForSelector('#budget .chart-box[aria-busy="false"] canvas', { timeout: 20000 });
  assert.ok((await page.locator('#budget-headline').textContent()).length > 10);
  assert.ok((await page.locator('#budget .note').first().textContent()).includes('ไม่ใช่งบประมาณทั้งหมด'));
  assert.equal(await page.locator('#top-agencies > li').count(), 5);
  assert.ok(num(await page.locator('#explorer-summary').getAttribute('data-count')) > 0);
  assert.ok(await page.locator('#explorer-csv').isVisible());
  assert.ok(await page.locator('#keyword-cloud .cloud-word').count() > 10);
  // The cloud is laid out as a cloud: sizes by line count, largest first,
  // no two words overlapping, positions the same on every load.
  await page.locator('#keyword-cloud').scrollIntoViewIfNeeded();
  const cloudWords = () => page.locator('#keyword-cloud .cloud-word').evaluateAll((bs) => bs.map((b) => {
    const r = b.getBoundingClientRect();
    return { word: b.dataset.keyword, count: Number(b.dataset.count), x: b.dataset.x, y: b.dataset.y, size: parseFloat(getComputedStyle(b).fontSize),
      box: [r.left, r.top, r.right, r.bottom] };
  }));
  const laid = await cloudWords();
  for (let i = 1; i < laid.length; i++) {
    assert.ok(laid[i - 1].count >= laid[i].count, 'largest words first');
    assert.ok(laid[i - 1].size >= laid[i].size - 0.01, `${laid[i - 1].word} is not larger than ${laid[i].word}`);
  }
  for (let i = 0; i < laid.length; i++) {
    for (let j = i + 1; j < laid.length; j++) {
      const [a, b] = [laid[i].box, laid[j].box];
      const overlap = Math.min(a[2], b[2]) - Math.max(a[0], b[0]) > 1 && Math.min(a[3], b[3]) - Math.max(a[1], b[1]) > 1;
      assert.ok(!overlap, `${laid[i].word} and ${laid[j].word} overlap: ${JSON.stringify([laid[i], laid[j]])}`);
    }
  }
  // The cloud is the explorer filter's: the latest year with lines.
  const topKw = await apiOk(`/v1/keywords/top?filter.fiscalYear=${await page.locator('#explorer-year').inputValue()}&limit=60`);
  assert.ok(!laid.some((w) => w.word === 'กรุงเทพมหานคร' || w.word === 'บริหาร'), 'boilerplate in the cloud');
  assert.ok(topKw.hidden.some((w) => w.keyword === 'กรุงเทพมหานคร'));
  const hiddenShown = await page.locator('#keyword-hidden .chip').evaluateAll((cs) => cs.map((c) => c.dataset.keyword));
  assert.deepEqual(hiddenShown, topKw.hidden.map((w) => w.keyword), 'the page lists every hidden word');
  assert.match(await page.locator('#keyword-hidden summary').textContent(), /คำที่พบทั่วไปถูกซ่อน/);
  // The list beside it sorts: by lines (default, most first), then fewest first.
  const tableWords = () => page.locator('#keyword-table tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.keyword));
  const byLines = (dir) => [...topKw.keywords]
    .sort((a, b) => dir * (a.lineCount - b.lineCount) || a.keyword.localeCompare(b.keyword, 'th')).map((k) => k.keyword);
  assert.deepEqual(await tableWords(), byLines(-1));
  await page.click('#keyword-table button[data-sort="lines"]');
  assert.equal(await page.locator('#keyword-table th[aria-sort="ascending"] button').getAttribute('data-sort'), 'lines');
  assert.deepEqual(await tableWords(), byLines(1));
  await page.click('#keyword-table button[data-sort="lines"]');
  await page.reload();
  await page.waitForSelector('#keyword-cloud .cloud-word', { timeout: 30000 });
  await page.locator('#keyword-cloud').scrollIntoViewIfNeeded();
  assert.deepEqual((await cloudWords()).map((w) => [w.word, w.x, w.y]), laid.map((w) => [w.word, w.x, w.y]), 'the layout changed on reload');
  assert.ok(await page.locator('#vote-district').isVisible());
  assert.deepEqual(await englishSentences(page), [], 'the Thai home page shows an English sentence');
  assert.equal(await page.locator('#pb .steps li').count(), 8);
  const pbText = await page.locator('#pb').textContent();
  for (const x of ['Peñalolén', 'Govanhill', 'Tower Hamlets', 'Porto Alegre']) assert.ok(pbText.includes(x), `PB lacks ${x}`);
  assert.equal(await page.locator('#data-version').textContent(), rel.release.version);
  for (const f of rel.release.files) assert.ok((await page.locator('#data').textContent()).includes(f.sha256), `checksum of ${f.path} missing`);
  // The source documents and dataset files are served, and the bytes served
  // are those the release was imported from (same SHA-256).
  const docs = await page.locator('#source-documents tbody tr').evaluateAll((rs) => rs.map((r) => [r.dataset.url, r.querySelector('code').textContent]));
  assert.ok(docs.some(([url]) => url === '/sources/bma-ordinance-2566/bma-ordinance-2566.pdf'), 'the ordinance PDF is not listed');
  for (const f of rel.release.files) {
    const listed = docs.find(([url]) => url === `/data/${f.path}`);
    assert.ok(listed, `${f.path} is not downloadable`);
    assert.equal(listed[1], f.sha256, `${f.path}: the page's checksum is not the release's`);
    const served = Buffer.from(await (await fetch(`${BASE}/data/${f.path}`)).arrayBuffer());
    assert.equal(createHash('sha256').update(served).digest('hex'), f.sha256, `${f.path}: the served bytes are not the release's`);
  }
  assert.equal(await page.locator('.state.error').count(), 0, 'an error box is shown');
  await page.close();
});

test('top-5 agencies and yearly totals on screen equal the API', { timeout: 60000 }, async () => {
  const page = await newPage(1440, 900);
  await page.goto(`${BASE}/#/s/agencies`);
  await waitSectionsLoaded(page);
  const ov = await apiOk('/v1/budget/overview');
  const latest = Math.max(...ov.years.filter((y) => y.hasLines).map((y) => y.fiscalYear));
  const top = await apiOk(`/v1/budget/years/${latest}/top-agencies?limit=5`);
  const items = page.locator('#top-agencies > li');
  assert.equal(await items.count(), top.agencies.length);
  for (let i = 0; i < top.agencies.length; i++) {
    const a = top.agencies[i];
    const li = items.nth(i);
    assert.equal(await li.getAttribute('data-agency'), a.agency);
    assert.equal(num(await li.getAttribute('data-baht')), num(a.amountBaht));
    assert.equal((await li.locator('.rank-name').textContent()).trim(), a.agency);
    assert.equal((await li.locator('.amount').textContent()).trim(), `${million(num(a.amountBaht))} ล้านบาท`);
  }
  const count = await page.locator('#agencies-count').textContent();
  assert.ok(count.includes(`จาก ${top.agencyCount} หน่วยงาน`), `"${count}" lacks จาก ${top.agencyCount} หน่วยงาน`);
  assert.ok(count.includes(String(latest)));
  assert.ok((await page.locator('#agencies-note').textContent()).includes(top.noteTh), 'the note in Thai on the Thai page');
  // The central fund beside the ranking, not in it.
  assert.equal(num(await page.locator('#central-fund').getAttribute('data-baht')), num(top.centralFund.amountBaht));
  assert.ok((await page.locator('#central-fund').textContent()).includes(`${million(num(top.centralFund.amountBaht))} ล้านบาท`));
  for (const a of top.agencies) assert.notEqual(a.unitKind, 'central_fund');
  // One headline total per year, with its parts where the ordinance states them.
  for (const y of ov.years.filter((y) => (y.totalParts ?? []).length)) {
    const text = await page.locator(`#budget-total-${y.fiscalYear}`).textContent();
    assert.ok(text.includes(`${million(num(y.totalBudgetBaht))} ล้านบาท`), text);
    for (const p of y.totalParts) {
      assert.ok(text.includes(`${million(num(p.amountBaht))} ล้านบาท`) && text.includes(`${p.clause} หน้า ${p.sourcePage}`), text);
    }
  }

  for (const y of ov.years) {
    const row = page.locator(`#budget-table tr[data-year="${y.fiscalYear}"]`);
    const cells = row.locator('td');
    assert.equal(num(await cells.nth(0).getAttribute('data-baht')), num(y.totalBudgetBaht), `total ${y.fiscalYear}`);
    assert.equal((await cells.nth(0).textContent()).trim(), million(num(y.totalBudgetBaht)));
    assert.equal(num(await cells.nth(1).getAttribute('data-baht')), num(y.strategicBudgetBaht), `strategic ${y.fiscalYear}`);
    if (num(y.strategicBudgetBaht) > 0) assert.equal((await cells.nth(1).textContent()).trim(), million(num(y.strategicBudgetBaht)));
    else assert.equal((await cells.nth(1).textContent()).trim(), 'ไม่พบข้อมูล');
    assert.equal(await cells.nth(3).getAttribute('data-basis'), y.totalBasis, `basis ${y.fiscalYear}`);
    if (y.totalBasis === 'published_figure') assert.equal((await cells.nth(3).textContent()).trim(), 'ตัวเลขที่เผยแพร่ ไม่มีรายการประกอบ');
  }
  // The headline names the strategy with the largest share over the classified years.
  const sums = new Map();
  for (const y of ov.years.filter((x) => num(x.strategicBudgetBaht) > 0)) {
    for (const s of y.byStrategy ?? []) if (s.strategyId) sums.set(s.strategyId, (sums.get(s.strategyId) ?? 0) + num(s.amountBaht));
  }
  const best = [...sums].sort((a, b) => b[1] - a[1])[0][0];
  assert.equal(await page.locator('#budget-headline').getAttribute('data-strategy'), best);
  await page.close();
});

test('the district map: 50 districts, each coloured by its figure\'s class, a click opens the district', { timeout: 90000 }, async (t) => {
  const totals = (await apiOk('/v1/budget/district-totals')).totals;
  const names = new Map((await apiOk('/v1/budget/districts')).districts.map((d) => [d.id, d.nameTh]));
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const [w, hgt] of [[390, 844], [1440, 900]]) {
    const page = await newPage(w, hgt);
    await page.goto(`${BASE}/#/s/map`);
    await waitSectionsLoaded(page);  // nothing above the map moves it any more
    assert.equal(await page.locator('#district-map path').count(), 50);
    const year = Number(await page.locator('#map-year').inputValue());
    assert.equal(year, Math.max(...totals.map((x) => x.fiscalYear)));
    const expected = new Map(totals.filter((x) => x.fiscalYear === year).map((x) => [x.districtId, num(x.totalBaht)]));
    const bounds = await page.locator('#map-legend li').evaluateAll((lis) => lis.map((li) => Number(li.dataset.upper)));
    assert.equal(bounds.length, 5);
    const sorted = [...expected.values()].sort((a, b) => a - b);
    assert.equal(bounds[4], sorted[sorted.length - 1], 'the last class ends at the largest figure');
    const shown = await page.locator('#district-map path').evaluateAll((ps) =>
      ps.map((p) => ({ id: Number(p.dataset.district), value: p.dataset.value, cls: Number(p.dataset.class), fill: p.getAttribute('fill') })));
    const fills = new Set();
    for (const d of shown) {
      assert.equal(num(d.value), expected.get(d.id), `district ${d.id}: the map's figure is the API's`);
      assert.equal(d.cls, bounds.findIndex((b) => num(d.value) <= b), `district ${d.id}: class of ${d.value}`);
      fills.add(`${d.cls}:${d.fill}`);
    }
    assert.equal(fills.size, 5, 'one colour per class');
    await page.locator('#map').evaluate((el) => el.scrollIntoView({ block: 'start', behavior: 'instant' }));
    await page.screenshot({ path: path.join(SHOTS, `${w}-map-only.png`), fullPage: false });

    // A click on the shape of คลองเตย (id 1) opens it.
    const point = await pointInDistrict(page, 1);
    assert.ok(point, 'a point inside district 1 that receives the click');
    await page.mouse.click(point.x, point.y);
    await page.waitForSelector('#map-panel[data-district="1"]', { timeout: 10000 });
    assert.equal((await page.locator('#map-panel-title').textContent()).trim(), names.get(1));
    assert.ok((await page.locator('#map-panel').textContent()).includes(`${million(expected.get(1))} ล้านบาท`));
    assert.equal(await page.locator('#map-panel-vote').getAttribute('href'), '#/vote?district=1', "the panel leads to the district's PB round");
    // Another metric recolours from its own figures.
    await page.locator('#map-metric').selectOption('flood');
    const flood = new Map(totals.filter((x) => x.fiscalYear === year).map((x) => [x.districtId, num(x.topicBaht?.flood)]));
    const floodShown = await page.locator('#district-map path').evaluateAll((ps) => ps.map((p) => [Number(p.dataset.district), p.dataset.value]));
    for (const [id, v] of floodShown) assert.equal(num(v), flood.get(id), `flood figure of district ${id}`);
    // The table is the keyboard way in: its button opens the same panel.
    await page.locator('#map .map-table summary').click();
    await page.locator('#map-table tr[data-district="2"] button').focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('#map-panel[data-district="2"]', { timeout: 10000 });
    await page.locator('#map-panel a[href^="#/explore"]').click();
    await page.waitForFunction(() => location.hash.startsWith('#/explore') && location.hash.includes('district=2'));
    await page.close();
  }
  log(t, `map screenshots in ${path.relative(ROOT, SHOTS)}/ (390-map-only.png, 1440-map-only.png)`);
});

test('expanding a strategy shows its sub-dimensions, descriptions and goals', { timeout: 60000 }, async () => {
  const page = await newPage(390, 844);
  await page.goto(`${BASE}/#/s/strategies`);
  await page.waitForSelector('.strategy-card');
  const fws = await apiOk('/v1/budget/frameworks');
  const s = fws.frameworks.find((f) => f.kind === 'FRAMEWORK_KIND_STRATEGIES_7').strategies[1];
  const card = page.locator(`.strategy-card[data-strategy="${s.id}"]`);
  const btn = card.locator('.plus-btn');
  assert.equal(await btn.getAttribute('aria-expanded'), 'false');
  assert.equal(await card.locator('.strategy-panel').isVisible(), false);
  await btn.click();
  assert.equal(await btn.getAttribute('aria-expanded'), 'true');
  const panel = card.locator('.strategy-panel');
  assert.ok(await panel.isVisible());
  for (const d of s.subDimensions) {
    const sub = panel.locator(`[data-subdim="${d.id}"]`);
    assert.ok(await sub.isVisible(), `sub-dimension ${d.id} hidden`);
    assert.equal((await sub.locator('h4').textContent()).trim(), d.name);
    if (d.goals?.length) assert.ok((await sub.locator('.goals').textContent()).includes(d.goals[0]));
  }
  await btn.click();
  assert.equal(await panel.isVisible(), false);
  await page.close();
});

test('a keyword click searches and filters the list; the CSV download matches the view', { timeout: 120000 }, async (t) => {
  const page = await newPage(1440, 900);
  await page.goto(`${BASE}/#/s/keywords`);
  await waitSectionsLoaded(page);
  const year = Number(await page.locator('#explorer-year').inputValue());
  const top = await apiOk(`/v1/keywords/top?filter.fiscalYear=${year}&limit=60`);
  const word = top.keywords.find((k) => k.keyword.length >= 3 && k.lineCount > 20)?.keyword ?? top.keywords[0].keyword;
  const before = await page.locator('#explorer-summary').getAttribute('data-count');
  await page.locator(`#keyword-cloud .cloud-word[data-keyword="${word}"]`).click();

  const lines = await apiOk(`/v1/budget/lines?filter.fiscalYear=${year}&filter.nameContains=${encodeURIComponent(word)}&pageSize=20`);
  await page.waitForFunction((n) => document.querySelector('#explorer-summary')?.getAttribute('data-count') === String(n)
    && document.querySelector('#explorer-results')?.getAttribute('aria-busy') === 'false', lines.totalCount, { timeout: 20000 });
  assert.notEqual(String(lines.totalCount), before, 'the list did not change');
  assert.equal(await page.locator('#explorer-name').inputValue(), word);
  const names = await page.locator('#explorer-lines .line-name').allTextContents();
  assert.ok(names.length > 0);
  for (const n of names) assert.ok(n.toLowerCase().includes(word.toLowerCase()), `"${n}" does not contain ${word}`);

  const search = await apiOk(`/v1/keywords/search?query=${encodeURIComponent(word)}&filter.fiscalYear=${year}&sort=SEARCH_SORT_RELEVANCE&pageSize=20`);
  await page.waitForFunction((n) => document.querySelector('#keyword-summary')?.getAttribute('data-count') === String(n), search.totalCount, { timeout: 20000 });
  assert.equal(num(await page.locator('#keyword-summary').getAttribute('data-baht')), num(search.totalAmountBaht));
  assert.ok(await page.locator('#keyword-results mark').count() > 0, 'no highlighted matches');
  log(t, `keyword "${word}": ${lines.totalCount} lines in the explorer, ${search.totalCount} search hits`);

  // Narrow further with a select, then download the CSV and compare with the list.
  await page.selectOption('#explorer-sort', 'LINE_SORT_AMOUNT_ASC');
  await page.waitForFunction(() => document.querySelector('#explorer-results')?.getAttribute('aria-busy') === 'false');
  await page.waitForTimeout(200);
  const summary = page.locator('#explorer-summary');
  const viewCount = num(await summary.getAttribute('data-count'));
  const viewBaht = num(await summary.getAttribute('data-baht'));
  const firstPage = await page.locator('#explorer-lines > li').evaluateAll((els) => els.map((e) => e.getAttribute('data-line-id')));
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#explorer-csv').click()]);
  const csvText = fs.readFileSync(await download.path(), 'utf8');
  assert.ok(csvText.startsWith('\uFEFF'), 'CSV has no UTF-8 BOM');
  const rows = parseCsv(csvText.slice(1));
  const header = rows.shift();
  const idCol = header.indexOf('line_id');
  const amountCol = header.indexOf('amount_baht');
  const nameCol = header.indexOf('name');
  assert.ok(idCol >= 0 && amountCol >= 0 && nameCol >= 0, `unexpected CSV header ${header}`);
  assert.equal(rows.length, viewCount, 'CSV rows != lines in the view');
  assert.equal(rows.reduce((s, r) => s + Number(r[amountCol]), 0), viewBaht, 'CSV total != view total');
  assert.deepEqual(rows.slice(0, firstPage.length).map((r) => r[idCol]), firstPage, 'CSV order != list order');
  for (const r of rows) assert.ok(r[nameCol].toLowerCase().includes(word.toLowerCase()));
  if (viewCount > firstPage.length) {
    await page.locator('#explorer-next').click();
    await page.waitForFunction((first) => document.querySelector('#explorer-lines > li')?.getAttribute('data-line-id') !== first
      && document.querySelector('#explorer-results')?.getAttribute('aria-busy') === 'false', firstPage[0]);
    const second = await page.locator('#explorer-lines > li').evaluateAll((els) => els.map((e) => e.getAttribute('data-line-id')));
    assert.deepEqual(rows.slice(firstPage.length, firstPage.length + second.length).map((r) => r[idCol]), second, 'page 2 != CSV');
  }
  log(t, `CSV: ${rows.length} rows, ${viewBaht} baht, same as the view`);

  // The line detail view.
  await page.locator('#explorer-lines .line-open').first().click();
  await page.waitForSelector('#line-dialog[open] .facts');
  const id = await page.locator('#explorer-lines > li').first().getAttribute('data-line-id');
  const line = (await apiOk(`/v1/budget/lines/${id}`)).line;
  const dialogText = await page.locator('#line-dialog').textContent();
  for (const x of [line.name, line.agency, line.missionType, String(line.sourcePage)]) assert.ok(dialogText.includes(x), `detail lacks ${x}`);
  assert.equal(dialogText.split(`หน้า ${line.sourcePage}`).length - 1, 1, 'the page is printed once');
  // Its strategy with source and confidence, and a link to the exact PDF page.
  assert.equal(await page.locator('#line-strategy-source').getAttribute('data-confidence'), line.strategyConfidence);
  const pdfHref = await page.locator('#line-pdf-link').getAttribute('href');
  assert.equal(line.sourceDocument, 'bma-ordinance-2566/bma-ordinance-2566.pdf');
  assert.equal(pdfHref, `/sources/${line.sourceDocument}#page=${line.sourcePage}`);
  const pdf = await fetch(BASE + pdfHref.split('#')[0]);
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  const pdfBytes = Buffer.from(await pdf.arrayBuffer());
  assert.equal(createHash('sha256').update(pdfBytes).digest('hex'), '4beca602679f52bf234c7039bef6e4788cc97ff10945b3d12c1154d0415087a3',
    'the served PDF is the ordinance the lines come from');
  assert.equal(await runAxe(page, 'line detail dialog', t).then((b) => b.length), 0);
  await page.keyboard.press('Escape');

  // The filter by a district, from the URL.
  await page.goto(`${BASE}/#/explore?year=${year}&district=1`);
  const d1 = await apiOk(`/v1/budget/lines?filter.fiscalYear=${year}&filter.districtId=1&pageSize=1`);
  await page.waitForFunction((n) => document.querySelector('#explorer-summary')?.getAttribute('data-count') === String(n), d1.totalCount, { timeout: 20000 });
  assert.ok((await page.locator('#explorer-csv').getAttribute('href')).includes('filter.districtId=1'));
  await page.close();
});

// ---------- FY2565: the district offices' budget books ----------

/**
 * The `agency สำนักงานเขตX` rows of a stated-totals file in data/budget, read
 * here (not through the API): district name -> { baht, file, page, note }.
 */
function statedDistrictTotals(file) {
  const rows = parseCsv(fs.readFileSync(path.join(ROOT, 'data', 'budget', file), 'utf8'));
  const header = rows.shift();
  const col = (name) => header.indexOf(name);
  const out = new Map();
  for (const r of rows) {
    const m = /^agency สำนักงานเขต(.+)$/.exec(r[col('check')]);
    if (m) out.set(m[1], { baht: Number(r[col('stated_baht')]), file: r[col('source_file')], page: Number(r[col('source_page')]), note: r[col('note')] ?? '' });
  }
  return out;
}

/** Waits until the explorer lists `count` lines and is not loading. */
function explorerSettled(page, count) {
  return page.waitForFunction((n) => document.querySelector('#explorer-summary')?.getAttribute('data-count') === String(n)
    && document.querySelector('#explorer-results')?.getAttribute('aria-busy') === 'false', count, { timeout: 20000 });
}

test('the explorer switches to FY2565 (the district offices, from their budget books) and back', { timeout: 90000 }, async (t) => {
  const page = await newPage(1440, 900);
  await page.goto(`${BASE}/#/s/explorer`);
  await page.waitForSelector('#explorer-lines li', { timeout: 30000 });
  const ov = await apiOk('/v1/budget/overview');
  const scopes = new Map(ov.years.filter((y) => y.hasLines).map((y) => [y.fiscalYear, y.linesScope]));
  assert.equal(scopes.get(2565), 'district_books');
  assert.equal(scopes.get(2566), 'ordinance');
  assert.deepEqual(await page.locator('#explorer-year option').evaluateAll((os) => os.map((o) => Number(o.value))), [...scopes.keys()].sort((a, b) => b - a));
  assert.equal(await page.locator('#explorer-scope').getAttribute('data-scope'), 'ordinance');
  const dims = () => page.locator('#explorer-breakdown select').locator('option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(!(await dims()).includes('EXPENSE_CATEGORY'), 'the ordinance year offers a split it cannot answer');

  const y65 = await apiOk('/v1/budget/lines?filter.fiscalYear=2565&pageSize=20');
  await page.selectOption('#explorer-year', '2565');
  await explorerSettled(page, y65.totalCount);
  assert.equal(y65.totalCount, 3022);
  assert.equal(num(await page.locator('#explorer-summary').getAttribute('data-baht')), num(y65.totalAmountBaht));
  assert.deepEqual(await page.locator('#explorer-lines > li').evaluateAll((ls) => ls.map((l) => l.dataset.lineId)), y65.lines.map((l) => l.lineId));
  assert.ok(page.url().includes('year=2565'), page.url());
  // What the year covers, said where the year is chosen.
  assert.equal(await page.locator('#explorer-scope').getAttribute('data-scope'), 'district_books');
  assert.match(await page.locator('#explorer-scope').textContent(), /ปี 2565: เฉพาะสำนักงานเขต 50 เขต/);
  // Its filters: the 50 district offices as agencies, no mission types; its splits include the expense category.
  const agencies = await page.locator('#explorer-agency option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  assert.equal(agencies.length, 50);
  assert.ok(agencies.every((a) => a.startsWith('สำนักงานเขต')), agencies.join(' '));
  assert.equal(await page.locator('#explorer-mission').count(), 0);
  assert.ok((await dims()).includes('EXPENSE_CATEGORY'));
  // The line list says each line's category.
  const first = y65.lines[0];
  assert.ok((await page.locator('#explorer-lines > li .line-meta').first().textContent()).includes(first.category), 'no category in the line list');

  // One district, then the breakdown by expense category.
  await page.selectOption('#explorer-district', '45');
  const d45 = await apiOk('/v1/budget/lines?filter.fiscalYear=2565&filter.districtId=45&pageSize=1');
  await explorerSettled(page, d45.totalCount);
  await page.locator('#explorer-breakdown select').selectOption('EXPENSE_CATEGORY');
  const cats = await apiOk('/v1/budget/years/2565/breakdown?dimension=BREAKDOWN_DIMENSION_EXPENSE_CATEGORY&filter.districtId=45');
  await page.waitForFunction((n) => document.querySelectorAll('#explorer-breakdown .bar-row').length === n, cats.items.length, { timeout: 20000 });
  assert.deepEqual(await page.locator('#explorer-breakdown .bar-label').allTextContents(), cats.items.map((i) => i.key));
  assert.deepEqual(await englishSentences(page), [], 'the Thai explorer shows an English sentence in FY2565');
  assert.equal(await runAxe(page, 'explorer FY2565', t).then((b) => b.length), 0);

  // Back: the ordinance again, the district kept, no category split.
  const d66 = await apiOk('/v1/budget/lines?filter.fiscalYear=2566&filter.districtId=45&pageSize=1');
  await page.selectOption('#explorer-year', '2566');
  await explorerSettled(page, d66.totalCount);
  assert.equal(num(await page.locator('#explorer-summary').getAttribute('data-baht')), num(d66.totalAmountBaht));
  assert.equal(await page.locator('#explorer-scope').getAttribute('data-scope'), 'ordinance');
  assert.equal(await page.locator('#explorer-categories').count(), 0);
  assert.ok(!(await dims()).includes('EXPENSE_CATEGORY'));
  assert.ok(await page.locator('#explorer-mission').isVisible());
  assert.ok(page.url().includes('year=2566') && page.url().includes('district=45'), page.url());
  assert.equal(await page.locator('.state.error').count(), 0, 'an error box is shown');
  await page.close();
});

test('district offices 2565 against 2566: each figure is its document\'s stated total, linked to its PDF page, with the notes', { timeout: 90000 }, async (t) => {
  const books = statedDistrictTotals('bma-budget-book-2565-stated-totals.csv');
  const ordinance = statedDistrictTotals('bma-ordinance-2566-stated-totals.csv');
  assert.equal(books.size, 50);
  const api = await apiOk('/v1/budget/district-offices:compare?from_year=2565&to_year=2566');
  const page = await newPage(1440, 900);
  await page.goto(`${BASE}/#/s/map`);
  await page.waitForSelector('#district-compare tbody tr', { timeout: 30000 });
  const read = () => page.locator('#district-compare tbody tr').evaluateAll((trs) => trs.map((tr) => {
    const side = (y) => {
      const td = tr.querySelector(`td[data-year="${y}"]`);
      const a = td.querySelector('a[href^="/sources/"]');
      return { baht: td.dataset.baht, text: a?.textContent.trim(), href: a?.getAttribute('href'), ref: td.querySelector('.footnote-ref')?.getAttribute('href') ?? null };
    };
    return { id: Number(tr.dataset.district), name: tr.querySelector('th').textContent.trim(), from: side(2565), to: side(2566),
      change: tr.querySelector('td[data-change-baht]').dataset.changeBaht };
  }));
  const rows = await read();
  assert.equal(rows.length, 50);
  const millionNumber = (baht) => million(baht);
  for (const r of rows) {
    const b = books.get(r.name);
    assert.ok(b, `${r.name}: no agency row in the books' stated totals`);
    assert.equal(num(r.from.baht), b.baht, `${r.name}: the 2565 figure is not the books' stated total`);
    assert.equal(r.from.text, millionNumber(b.baht), `${r.name}: 2565 on screen`);
    assert.equal(r.from.href, `/sources/bma-budget-book-2565-districts/${b.file}#page=${b.page}`, `${r.name}: 2565 PDF page`);
    const o = ordinance.get(r.name);
    assert.ok(o, `${r.name}: no agency row in the ordinance's stated totals`);
    assert.equal(num(r.to.baht), o.baht, `${r.name}: the 2566 figure is not the ordinance's stated total`);
    assert.equal(r.to.text, millionNumber(o.baht), `${r.name}: 2566 on screen`);
    const apiRow = api.rows.find((x) => x.districtId === r.id);
    assert.equal(r.to.href, `/sources/${apiRow.to.sourceDocument}#page=${apiRow.to.sourcePage}`);
    assert.equal(num(r.change), o.baht - b.baht, `${r.name}: change`);
  }
  const sum = (m) => [...m.values()].reduce((s, x) => s + x.baht, 0);
  assert.deepEqual(await page.locator('#district-compare tfoot td[data-baht]').evaluateAll((tds) => tds.map((td) => Number(td.dataset.baht))),
    [sum(books), [...books.keys()].reduce((s, n) => s + ordinance.get(n).baht, 0)]);
  // The API's note, in the page's language.
  assert.equal((await page.locator('#district-compare-note').textContent()).trim(), api.note);
  // The rows whose stated total has its own note (สาทร: the sum of its work
  // items' headings, not the summary) carry a footnote, and it is visible.
  const counts = new Map();
  for (const b of books.values()) counts.set(b.note, (counts.get(b.note) ?? 0) + 1);
  const usual = [...counts].sort((a, b) => b[1] - a[1])[0][0];
  const noted = [...books].filter(([, b]) => b.note !== usual).map(([name]) => name);
  assert.deepEqual(noted, ['สาทร']);
  assert.deepEqual(rows.filter((r) => r.from.ref).map((r) => r.name), noted);
  const sathon = rows.find((r) => r.name === 'สาทร');
  assert.equal(num(sathon.from.baht), 235039834);
  const footnote = page.locator(sathon.from.ref);
  assert.ok(await footnote.isVisible(), 'สาทร\'s note is not visible');
  const footText = await footnote.textContent();
  assert.ok(footText.includes(books.get('สาทร').note), footText);
  assert.ok(footText.includes('236,444,200') && footText.includes('235,039,834'), footText);
  // Each figure's link opens its PDF.
  for (const href of [sathon.from.href, sathon.to.href]) {
    const pdf = await fetch(BASE + href.split('#')[0]);
    assert.equal(pdf.status, 200, href);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf', href);
    await pdf.arrayBuffer();
  }
  // Sorted by the 2565 figure, largest first.
  await page.click('#district-compare button[data-sort="from"]');
  assert.equal(await page.locator('#district-compare th[aria-sort="descending"] button').getAttribute('data-sort'), 'from');
  const bySize = (await read()).map((r) => num(r.from.baht));
  assert.deepEqual(bySize, [...bySize].sort((a, b) => b - a));
  assert.deepEqual(await englishSentences(page), [], 'the Thai page shows an English sentence');
  assert.equal(await runAxe(page, 'district comparison', t).then((b) => b.length), 0);
  // The English page: the API's English note.
  const en = await fetch(`${BASE}/v1/budget/district-offices:compare?from_year=2565&to_year=2566`, { headers: { 'Accept-Language': 'en' } }).then((r) => r.json());
  await switchLanguage(page, 'en');
  await page.waitForFunction((note) => document.querySelector('#district-compare-note')?.textContent.trim() === note, en.note, { timeout: 20000 });
  await switchLanguage(page, 'th');
  await page.close();
});

test('the expense-category chart of a district adds up to its stated FY2565 total', { timeout: 90000 }, async (t) => {
  const books = statedDistrictTotals('bma-budget-book-2565-stated-totals.csv');
  const CATEGORIES = ['งบบุคลากร', 'งบดำเนินงาน', 'งบลงทุน', 'งบเงินอุดหนุน', 'งบรายจ่ายอื่น'];
  const page = await newPage(1440, 900);
  for (const [id, name] of [[45, 'สาทร'], [32, 'พระนคร']]) {
    await page.goto(`${BASE}/#/explore?year=2565&district=${id}`);
    const lines = await apiOk(`/v1/budget/lines?filter.fiscalYear=2565&filter.districtId=${id}&pageSize=1`);
    await explorerSettled(page, lines.totalCount);
    await page.waitForFunction((n) => document.querySelector('#explorer-categories figcaption')?.textContent.includes(`สำนักงานเขต${n}`), name, { timeout: 20000 });
    const shown = await page.locator('#explorer-categories-table tbody tr').evaluateAll((trs) => trs.map((tr) => ({
      category: tr.dataset.category, baht: Number(tr.dataset.baht), text: tr.querySelector('td').textContent.trim() })));
    const stated = books.get(name).baht;
    assert.equal(shown.reduce((s, c) => s + c.baht, 0), stated, `${name}: the categories do not add up to the stated total`);
    assert.equal(num(await page.locator('#explorer-categories').getAttribute('data-baht')), stated);
    assert.equal(num(await page.locator('#explorer-categories-total').getAttribute('data-baht')), stated);
    assert.equal(num(await page.locator('#explorer-summary').getAttribute('data-baht')), stated, `${name}: the view's total`);
    assert.ok(shown.length >= 3 && shown.every((c) => CATEGORIES.includes(c.category)), JSON.stringify(shown));
    for (const c of shown) assert.equal(c.text, million(c.baht));
    // The bar has one part per category, in proportion.
    const parts = await page.locator('#explorer-categories .category-stack > span').evaluateAll((ss) => ss.map((s) => parseFloat(s.style.width)));
    assert.equal(parts.length, shown.length);
    shown.forEach((c, i) => assert.ok(Math.abs(parts[i] - (c.baht / stated) * 100) < 0.01, `${c.category}: ${parts[i]}%`));
    log(t, `${name}: ${shown.map((c) => `${c.category} ${c.baht}`).join(', ')} = ${stated}`);
  }
  assert.equal(await runAxe(page, 'expense-category chart', t).then((b) => b.length), 0);
  await page.close();
});

test('the CSV download of a FY2565 view holds FY2565 rows only, adding up to the view\'s total', { timeout: 90000 }, async (t) => {
  const page = await newPage(1440, 900);
  for (const view of ['year=2565', 'year=2565&district=45']) {
    await page.goto(`${BASE}/#/explore?${view}`);
    const expected = await apiOk(`/v1/budget/lines?filter.fiscalYear=2565${view.includes('district') ? '&filter.districtId=45' : ''}&pageSize=1`);
    await explorerSettled(page, expected.totalCount);
    const count = num(await page.locator('#explorer-summary').getAttribute('data-count'));
    const baht = num(await page.locator('#explorer-summary').getAttribute('data-baht'));
    const href = await page.locator('#explorer-csv').getAttribute('href');
    assert.ok(href.includes('filter.fiscalYear=2565'), href);
    const res = await fetch(BASE + href);
    assert.equal(res.status, 200);
    const rows = parseCsv((await res.text()).replace(/^\uFEFF/, ''));
    const header = rows.shift();
    const yearCol = header.indexOf('fiscal_year');
    const amountCol = header.indexOf('amount_baht');
    assert.ok(yearCol >= 0 && amountCol >= 0, `unexpected CSV header ${header}`);
    assert.equal(rows.length, count, `${view}: CSV rows != lines in the view`);
    assert.deepEqual([...new Set(rows.map((r) => r[yearCol]))], ['2565'], `${view}: rows of another year`);
    assert.equal(rows.reduce((s, r) => s + Number(r[amountCol]), 0), baht, `${view}: CSV total != view total`);
    log(t, `${view}: ${rows.length} rows, ${baht} baht`);
  }
  await page.close();
});

test('the PDF link of a FY2565 line opens its district book at the line\'s page', { timeout: 90000 }, async (t) => {
  const books = statedDistrictTotals('bma-budget-book-2565-stated-totals.csv');
  const page = await newPage(1440, 900);
  await page.goto(`${BASE}/#/explore?year=2565&district=45`);
  const lines = await apiOk('/v1/budget/lines?filter.fiscalYear=2565&filter.districtId=45&pageSize=1');
  await explorerSettled(page, lines.totalCount);
  await page.locator('#explorer-lines .line-open').first().click();
  await page.waitForSelector('#line-dialog[open] .facts');
  const id = await page.locator('#explorer-lines > li').first().getAttribute('data-line-id');
  const line = (await apiOk(`/v1/budget/lines/${id}`)).line;
  assert.equal(line.fiscalYear, 2565);
  assert.equal(line.sourceDocument, `bma-budget-book-2565-districts/${books.get('สาทร').file}`, 'not สาทร\'s book');
  const href = await page.locator('#line-pdf-link').getAttribute('href');
  assert.equal(href, `/sources/${line.sourceDocument}#page=${line.sourcePage}`);
  assert.equal(Number(/#page=(\d+)$/.exec(href)?.[1]), line.sourcePage);
  const dialogText = await page.locator('#line-dialog').textContent();
  for (const x of [line.name, line.agency, line.category]) assert.ok(dialogText.includes(x), `detail lacks ${x}`);
  assert.equal(dialogText.split(`หน้า ${line.sourcePage}`).length - 1, 1, 'the page is printed once');
  const pdf = await fetch(BASE + href.split('#')[0]);
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  const served = createHash('sha256').update(Buffer.from(await pdf.arrayBuffer())).digest('hex');
  const onDisk = createHash('sha256').update(fs.readFileSync(path.join(ROOT, 'data', 'sources', line.sourceDocument))).digest('hex');
  assert.equal(served, onDisk, 'the served PDF is not the book the lines come from');
  assert.equal(await runAxe(page, 'FY2565 line detail', t).then((b) => b.length), 0);
  await page.keyboard.press('Escape');
  await page.close();
});

test('the keyword section\'s year sets the cloud\'s fiscal year, and the explorer follows', { timeout: 90000 }, async () => {
  const page = await newPage(1440, 900);
  await page.goto(`${BASE}/#/s/keywords`);
  await page.waitForSelector('#keyword-cloud .cloud-word', { timeout: 30000 });
  const ov = await apiOk('/v1/budget/overview');
  const years = ov.years.filter((y) => y.hasLines).map((y) => y.fiscalYear).sort((a, b) => b - a);
  assert.deepEqual(await page.locator('#keyword-year option').evaluateAll((os) => os.map((o) => Number(o.value))), years);
  const cloudIs = async (year) => {
    const top = await apiOk(`/v1/keywords/top?filter.fiscalYear=${year}&limit=60`);
    const want = top.keywords.map((k) => k.keyword).sort();
    // The table lists every word of the answer (the cloud shows those that fit).
    await page.waitForFunction((w) => {
      const got = [...document.querySelectorAll('#keyword-table tbody tr')].map((r) => r.dataset.keyword).sort();
      return JSON.stringify(got) === JSON.stringify(w);
    }, want, { timeout: 20000 });
    const cloud = await page.locator('#keyword-cloud .cloud-word').evaluateAll((bs) => bs.map((b) => b.dataset.keyword));
    assert.ok(cloud.length > 10 && cloud.every((w) => want.includes(w)), `the cloud shows words not in the ${year} answer`);
    assert.ok((await page.locator('#keyword-cloud-box').textContent()).includes(String(year)));
  };
  const lines65 = await apiOk('/v1/budget/lines?filter.fiscalYear=2565&pageSize=1');
  await page.selectOption('#keyword-year', '2565');
  await cloudIs(2565);
  assert.equal(await page.locator('#explorer-year').inputValue(), '2565');
  await explorerSettled(page, lines65.totalCount);
  assert.equal(await page.locator('#explorer-scope').getAttribute('data-scope'), 'district_books');
  await page.selectOption('#keyword-year', '2566');
  await cloudIs(2566);
  assert.equal(await page.locator('#explorer-year').inputValue(), '2566');
  await page.close();
});

test('the about page gives each year\'s lines and total, not one sum of the years; the district books are listed, served, and not in the build', { timeout: 90000 }, async () => {
  const rel = (await apiOk('/v1/budget/release')).release;
  assert.ok(rel.years.length >= 2);
  const page = await newPage(1440, 900);
  await page.goto(`${BASE}/#/s/data`);
  await page.waitForSelector('#data-years tbody tr', { timeout: 30000 });
  for (const y of rel.years) {
    const row = page.locator(`#data-years tr[data-year="${y.fiscalYear}"]`);
    assert.equal(num(await row.getAttribute('data-baht')), num(y.totalBaht));
    const text = await row.textContent();
    assert.ok(text.includes(y.document), text);
    assert.ok(text.includes(new Intl.NumberFormat('th-TH').format(y.lineCount)), text);
    assert.ok(text.includes(`${new Intl.NumberFormat('th-TH').format(num(y.totalBaht))} บาท`), text);
  }
  assert.ok(!(await page.locator('#data').textContent()).includes(new Intl.NumberFormat('th-TH').format(num(rel.totalBaht))),
    'the page shows the sum of the years as if it were a budget');
  // The 50 books: listed with their checksums (loaded when the list is
  // opened), served by the gateway, not copied into the build.
  await page.click('#source-books summary');
  await page.waitForSelector('#source-district-books tbody tr', { timeout: 20000 });
  const books = await page.locator('#source-district-books tbody tr').evaluateAll((rs) => rs.map((r) => [r.dataset.url, r.querySelector('code').textContent]));
  assert.equal(books.length, 50);
  for (const [url, sha] of books) {
    const rel = url.replace(/^\/sources\//, '');
    assert.match(rel, /^bma-budget-book-2565-districts\/650\d\d\.pdf$/);
    assert.equal(createHash('sha256').update(fs.readFileSync(path.join(ROOT, 'data', 'sources', rel))).digest('hex'), sha, url);
  }
  const one = await fetch(BASE + books[0][0]);
  assert.equal(one.status, 200);
  assert.equal(createHash('sha256').update(Buffer.from(await one.arrayBuffer())).digest('hex'), books[0][1]);
  const dist = process.env.BKK_WEB_ROOT || path.join(ROOT, 'gateway', 'web', 'dist');
  assert.ok(fs.existsSync(path.join(dist, 'sources', 'bma-ordinance-2566', 'bma-ordinance-2566.pdf')), 'the ordinance is not in the build');
  assert.ok(!fs.existsSync(path.join(dist, 'sources', 'bma-budget-book-2565-districts')), 'the district books were copied into the build');
  assert.deepEqual(await englishSentences(page), [], 'the Thai about page shows an English sentence');
  await page.close();
});

test('propose, approve, vote: receipt, live top-10 and voter count, refusals', { timeout: 180000 }, async (t) => {
  // The refusals this test drives: a too-short proposal title and a second ballot.
  const refusals = [{ status: 400, url: /\/proposals$/ }, { status: 409, url: /\/ballots$/ }];
  const districts = (await apiOk('/v1/budget/districts')).districts;
  const D = districts[1].id; // the second district
  const created = await apiOk('/v1/admin/rounds', {
    method: 'POST', admin: true,
    body: {
      round: {
        name: 'รอบทดสอบ e2e',
        fiscalYear: 2568,
        districts: [{ districtId: districts[0].id, budgetBaht: '4000000' }, { districtId: D, budgetBaht: '5000000' }, { districtId: districts[2].id, budgetBaht: '3000000' }],
        ballotRule: { kind: 'BALLOT_KIND_APPROVAL', maxChoices: 2 },
        outcomeRule: 'OUTCOME_RULE_EQUAL_SHARES',
        identityMode: 'IDENTITY_MODE_CITIZEN_ID',
      },
    },
  });
  const R = created.round.roundId;
  assert.equal(created.round.phase, 'PHASE_PROPOSALS');

  // A proposal through the UI.
  const page = await newPage(390, 844, refusals);
  await page.goto(`${BASE}/#/vote?district=${D}`);
  await page.waitForSelector('#propose-form', { timeout: 20000 });
  assert.equal(await page.locator('#vote-phase').getAttribute('data-phase'), 'PHASE_PROPOSALS');

  // The district can be chosen on a map as well as from the list: the round's
  // districts are marked, and a click on a shape chooses that district.
  await page.click('.district-pick-map summary');
  await page.waitForSelector('#vote-map path', { timeout: 20000 });
  assert.equal(await page.locator('#vote-map path').count(), 50);
  for (const d of [districts[0].id, D, districts[2].id]) {
    assert.equal(await page.locator(`#vote-map path[data-district="${d}"]`).getAttribute('data-round'), 'true');
  }
  const other = districts[2].id;
  const inOther = await pointInDistrict(page, other, 'vote-map');
  assert.ok(inOther, `a point inside district ${other} on the vote map`);
  await page.mouse.click(inOther.x, inOther.y);
  await page.waitForFunction((d) => document.querySelector('#vote-district')?.value === String(d), other);
  await page.waitForFunction((d) => location.hash === `#/vote?district=${d}`, other);
  await page.waitForSelector(`#vote-map path.selected[data-district="${other}"]`, { timeout: 10000 });
  await page.waitForSelector('#propose-form', { timeout: 20000 });
  await page.screenshot({ path: path.join(SHOTS, '390-vote-map.png') });
  const back = await pointInDistrict(page, D, 'vote-map');
  await page.mouse.click(back.x, back.y);
  await page.waitForFunction((d) => document.querySelector('#vote-district')?.value === String(d), D);
  await page.waitForSelector('#propose-form', { timeout: 20000 });
  const uiTitle = `ทางเท้าร่มรื่น ${Date.now() % 100000}`;
  await page.fill('#propose-title', uiTitle);
  await page.fill('#propose-description', 'ปลูกต้นไม้ให้ร่มเงาบนทางเท้าหน้าโรงเรียน');
  await page.selectOption('#propose-strategy', 's2');
  await page.fill('#propose-cost', '1200000');
  await page.click('#propose-submit');
  await page.waitForSelector('#propose-result [data-proposal-id]', { timeout: 20000 });
  const uiId = await page.locator('#propose-result [data-proposal-id]').getAttribute('data-proposal-id');
  // Pending: hidden from the public, visible to its author through the private link.
  assert.equal((await api(`/v1/proposals/${uiId}`)).status, 404);
  const authorToken = await page.locator('#propose-private-link').getAttribute('data-author-token');
  const uiProposal = (await apiOk(`/v1/proposals/${uiId}?author_token=${encodeURIComponent(authorToken)}`)).proposal;
  assert.equal(uiProposal.title, uiTitle);
  assert.equal(uiProposal.status, 'MODERATION_STATUS_PENDING');
  // A refused proposal (the form checks the title before sending) says why in
  // the reader's language, in Thai and then in English.
  await page.fill('#propose-title', 'ab');
  await page.click('#propose-submit');
  assert.ok(await page.locator('#propose-error').isVisible());
  assert.match(await page.locator('#propose-error').textContent(), /ชื่อโครงการต้องยาว 3 ถึง 200 ตัวอักษร/);
  assert.deepEqual(await englishSentences(page), [], 'the Thai page shows an English sentence');
  await switchLanguage(page, 'en');
  await page.waitForSelector('#propose-form', { timeout: 20000 });
  await page.fill('#propose-title', 'ab');
  await page.click('#propose-submit');
  await page.waitForSelector('#propose-error', { timeout: 20000 });
  assert.match(await page.locator('#propose-error').textContent(), /The title must be 3 to 200 characters/);
  await switchLanguage(page, 'th');

  // Two more through the API; approve all three; open voting.
  const ids = [uiId];
  for (const [title, cost] of [['ไฟส่องสว่างในซอย', '800000'], ['ลานกีฬาชุมชน', '2500000']]) {
    const p = await apiOk(`/v1/rounds/${R}/districts/${D}/proposals`, { method: 'POST', body: { title, description: 'ข้อเสนอทดสอบ', strategyTag: 's1', estimatedCostBaht: cost } });
    ids.push(p.proposal.proposalId);
  }
  for (const id of ids) await apiOk(`/v1/admin/proposals/${id}:moderate`, { method: 'POST', admin: true, body: { approve: true } });
  await apiOk(`/v1/admin/rounds/${R}:advance`, { method: 'POST', admin: true, body: { toPhase: 'PHASE_REVIEW' } });
  await apiOk(`/v1/admin/rounds/${R}:advance`, { method: 'POST', admin: true, body: { toPhase: 'PHASE_VOTING' } });

  // An observer watches the district; it must update live (no reload).
  const observer = await newPage(1440, 900);
  await observer.goto(`${BASE}/#/vote?district=${D}`);
  await observer.waitForSelector('#vote-top > li', { timeout: 20000 });
  await observer.waitForFunction(() => document.querySelector('#vote-live')?.getAttribute('data-state') === 'on', null, { timeout: 20000 });
  assert.equal(await observer.locator('#vote-voters').getAttribute('data-count'), '0');
  assert.equal((await observer.locator('#vote-voters').textContent()).trim(), 'ทั้งหมด 0 คน');
  assert.equal(await observer.locator('#vote-top > li').count(), 3);

  // The voter starts from the page, chooses the district, votes, gets a receipt.
  await page.goto(`${BASE}/`);
  await page.locator('#vote').scrollIntoViewIfNeeded();
  await page.waitForSelector('#vote-district');
  await page.selectOption('#vote-district', String(districts[3].id));
  await page.waitForSelector('#vote-no-round', { timeout: 20000 });
  await page.selectOption('#vote-district', String(D));
  await page.waitForSelector('#vote-form', { timeout: 20000 });
  assert.equal(await page.locator('#vote-phase').getAttribute('data-phase'), 'PHASE_VOTING');
  await page.locator(`#choice-${ids[0]}`).check();
  await page.locator(`#choice-${ids[2]}`).check();
  await page.locator(`#choice-${ids[1]}`).click(); // a third choice is refused by the rule (max 2)
  assert.equal(await page.locator(`#choice-${ids[1]}`).isChecked(), false);
  // An invalid citizen ID is refused with a clear Thai message, before any request.
  const good = citizenId(Math.floor(Math.random() * 8e11));  // random: the stack may be reused (BKK_E2E_URL)
  const bad = good.slice(0, 12) + String((Number(good[12]) + 1) % 10);
  await page.fill('#vote-citizen', bad);
  await page.click('#vote-submit');
  const idError = await page.locator('#vote-citizen-error').textContent();
  assert.ok(idError.includes('เลขประจำตัวประชาชนไม่ถูกต้อง'), idError);
  log(t, `invalid citizen ID refused: ${idError}`);
  await page.fill('#vote-citizen', good);
  await page.click('#vote-submit');
  await page.waitForSelector('#vote-receipt', { timeout: 20000 });
  const receipt = (await page.locator('#vote-receipt').textContent()).trim();
  assert.match(receipt, /^[A-Z0-9-]{6,}$/);
  log(t, `ballot accepted, receipt ${receipt}`);

  // Live: the observer's top-10 and voter count change without a reload.
  await observer.waitForFunction(() => document.querySelector('#vote-voters')?.getAttribute('data-count') === '1', null, { timeout: 15000 });
  assert.equal((await observer.locator('#vote-voters').textContent()).trim(), 'ทั้งหมด 1 คน');
  const support = async (pg, id) => pg.locator(`#vote-top > li[data-proposal-id="${id}"]`).getAttribute('data-support');
  assert.equal(await support(observer, ids[0]), '1');
  assert.equal(await support(observer, ids[2]), '1');
  assert.equal(await support(observer, ids[1]), '0');
  const apiTop = await apiOk(`/v1/rounds/${R}/districts/${D}/top?limit=10`);
  assert.equal(num(apiTop.voterCount), 1);
  await page.waitForFunction(() => document.querySelector('#vote-voters')?.getAttribute('data-count') === '1', null, { timeout: 15000 });

  // The receipt page.
  await page.click('#vote-receipt-link');
  await page.waitForSelector('#receipt-result', { timeout: 20000 });
  assert.equal(await page.locator('#receipt-result').getAttribute('data-counted'), 'true');
  // Where and when it was counted, never what it chose (no proof of a vote to show anyone).
  const receiptText = await page.locator('#receipt-result').textContent();
  assert.ok(!receiptText.includes(uiTitle), 'the receipt reveals the chosen proposal');
  assert.ok(await page.locator('#receipt-secret').isVisible(), 'the receipt does not say why it hides the choices');
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, '390-receipt.png') });
  assert.equal(await runAxe(page, 'receipt page', t).then((b) => b.length), 0);

  // A second ballot with the same citizen ID is refused with the API's message.
  await page.goto(`${BASE}/#/vote?district=${D}`);
  await page.waitForSelector('#vote-form', { timeout: 20000 });
  await page.locator(`#choice-${ids[1]}`).check();
  await page.fill('#vote-citizen', good);
  await page.click('#vote-submit');
  await page.waitForSelector('#vote-error', { timeout: 20000 });
  const reg = await apiOk(`/v1/rounds/${R}/voters`, { method: 'POST', body: { citizenId: good } });
  const again = await api(`/v1/rounds/${R}/districts/${D}/ballots`, {
    method: 'POST', body: { voterToken: reg.voterToken, choices: [{ proposalId: ids[1], points: 1 }], idempotencyKey: `e2e-${Date.now()}` },
  });
  assert.equal(again.status, 409);
  assert.equal(again.json.error.reason, 'ALREADY_VOTED');
  const shown = await page.locator('#vote-error').textContent();
  assert.ok(shown.includes('คุณลงคะแนนในเขตนี้ของรอบนี้ไปแล้ว'), `"${shown}" does not say it in Thai`);
  assert.deepEqual(await englishSentences(page), [], 'the Thai page shows an English sentence');
  log(t, `second ballot refused: ${shown}`);
  await page.screenshot({ path: path.join(SHOTS, '390-vote-refused.png') });
  // The same refusal on the English page.
  await switchLanguage(page, 'en');
  await page.waitForSelector('#vote-form', { timeout: 20000 });
  await page.locator(`#choice-${ids[1]}`).check();
  await page.fill('#vote-citizen', good);
  await page.click('#vote-submit');
  await page.waitForSelector('#vote-error', { timeout: 20000 });
  assert.match(await page.locator('#vote-error').textContent(), /You have already voted in this district in this round/);
  await switchLanguage(page, 'th');
  assert.equal((await apiOk(`/v1/rounds/${R}/districts/${D}/top?limit=10`)).voterCount, '1');
  assert.equal(await observer.locator('#vote-voters').getAttribute('data-count'), '1');
  await observer.evaluate(() => document.getElementById('vote-top-box')?.scrollIntoView({ block: 'center', behavior: 'instant' }));
  await observer.screenshot({ path: path.join(SHOTS, '1440-vote-live.png') });
  assert.equal(await runAxe(observer, 'voting section (voting phase)', t).then((b) => b.length), 0);
  await observer.close();

  // The proposal's own page and its share links.
  await page.goto(`${BASE}/#/proposals/${uiId}`);
  await page.waitForSelector('.proposal-view .share', { timeout: 20000 });
  assert.equal((await page.locator('#view-title').textContent()).trim(), uiTitle);
  const hrefs = await page.locator('.proposal-view .share a').evaluateAll((as) => as.map((a) => a.href));
  const shareUrl = `${BASE}/p/${uiId}`;
  assert.ok(hrefs.includes(shareUrl), `no link to ${shareUrl}`);
  const fb = hrefs.find((h) => h.startsWith('https://www.facebook.com/sharer/'));
  const x = hrefs.find((h) => h.startsWith('https://x.com/intent/'));
  const line = hrefs.find((h) => h.startsWith('https://social-plugins.line.me/'));
  for (const h of [fb, x, line]) assert.ok(h && h.includes(encodeURIComponent(shareUrl)), `share link missing or wrong: ${h}`);
  assert.ok(x.includes('hashtags=BangkokBudgeting'));
  const og = await fetch(shareUrl).then((r) => r.text());
  assert.ok(og.includes('og:title') && og.includes(uiTitle), 'share page lacks the OpenGraph title');
  assert.ok(og.includes(`/#/proposals/${uiId}`), 'share page does not link back');
  await page.screenshot({ path: path.join(SHOTS, '390-proposal.png') });
  assert.equal(await runAxe(page, 'proposal page', t).then((b) => b.length), 0);
  await page.close();
});

test('when live updates are blocked the top 10 is polled, and the page says how often', { timeout: 120000 }, async (t) => {
  const districts = (await apiOk('/v1/budget/districts')).districts;
  const D = districts[4].id;
  const created = await apiOk('/v1/admin/rounds', {
    method: 'POST', admin: true,
    body: {
      round: {
        name: 'รอบทดสอบการสำรอง', fiscalYear: 2568, districts: [{ districtId: D, budgetBaht: '5000000' }],
        ballotRule: { kind: 'BALLOT_KIND_APPROVAL', maxChoices: 1 }, outcomeRule: 'OUTCOME_RULE_GREEDY',
        identityMode: 'IDENTITY_MODE_CITIZEN_ID',
      },
    },
  });
  const R = created.round.roundId;
  const p = await apiOk(`/v1/rounds/${R}/districts/${D}/proposals`, { method: 'POST', body: { title: 'สวนหย่อมริมคลอง', estimatedCostBaht: '900000' } });
  const id = p.proposal.proposalId;
  await apiOk(`/v1/admin/proposals/${id}:moderate`, { method: 'POST', admin: true, body: { approve: true } });
  await apiOk(`/v1/admin/rounds/${R}:advance`, { method: 'POST', admin: true, body: { toPhase: 'PHASE_REVIEW' } });
  await apiOk(`/v1/admin/rounds/${R}:advance`, { method: 'POST', admin: true, body: { toPhase: 'PHASE_VOTING' } });

  // A proxy that refuses server-sent events (the 503 is this test's own).
  const page = await newPage(390, 844, [{ status: 503, url: /tallies:watch/ }]);
  let blocked = 0;
  await page.route('**/tallies:watch**', (route) => {
    blocked++;
    return route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"UNAVAILABLE","http_status":503,"message":"blocked by a proxy"}}' });
  });
  await page.goto(`${BASE}/#/vote?district=${D}`);
  await page.waitForFunction(() => document.querySelector('#vote-live')?.getAttribute('data-state') === 'polling', null, { timeout: 20000 });
  assert.ok(blocked >= 1, 'the page never tried the live stream');
  assert.equal((await page.locator('#vote-live').textContent()).trim(), 'อัปเดตทุก 5 วินาที');
  assert.equal(await page.locator('#vote-voters').getAttribute('data-count'), '0');

  // A ballot cast elsewhere shows up by polling, without a reload.
  const reg = await apiOk(`/v1/rounds/${R}/voters`, { method: 'POST', body: { citizenId: citizenId(Math.floor(Math.random() * 8e11)) } });
  await apiOk(`/v1/rounds/${R}/districts/${D}/ballots`, {
    method: 'POST', body: { voterToken: reg.voterToken, choices: [{ proposalId: id }], idempotencyKey: `poll-${Date.now()}` },
  });
  const started = Date.now();
  await page.waitForFunction(() => document.querySelector('#vote-voters')?.getAttribute('data-count') === '1', null, { timeout: 15000 });
  log(t, `polled update after ${Date.now() - started} ms`);
  assert.equal(await page.locator(`#vote-top > li[data-proposal-id="${id}"]`).getAttribute('data-support'), '1');
  assert.equal(await page.locator('#vote-live').getAttribute('data-state'), 'polling');
  await page.close();
});

test('English toggle is remembered', { timeout: 60000 }, async () => {
  const page = await newPage(390, 844);
  await page.goto(`${BASE}/`);
  await page.waitForSelector('.strategy-card');
  await page.click('#lang-toggle');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.ok((await page.locator('#hero-title').textContent()).startsWith('Open and transparent'));
  await page.reload();
  await page.waitForSelector('.strategy-card');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal((await page.locator('#strategies-title').textContent()).trim(), 'The 7 strategies of Bangkok’s 20-year development plan');
  await page.click('#lang-toggle');
  assert.equal(await page.getAttribute('html', 'lang'), 'th');
  await page.close();
});

test('screenshots at 390x844 and 1440x900, and axe-core finds no serious or critical violations', { timeout: 180000 }, async (t) => {
  const problems = [];
  for (const [w, hgt] of [[390, 844], [1440, 900]]) {
    const page = await newPage(w, hgt);
    await page.goto(`${BASE}/#/vote`);
    await waitSectionsLoaded(page);
    await page.waitForSelector('#vote-form, #vote-no-round', { timeout: 20000 });
    await page.locator('.strategy-card .plus-btn').first().click();
    await screenshotSections(page, `${w}`, t);
    problems.push(...(await runAxe(page, `home ${w}x${hgt}`, t)).map((v) => ({ ...v, page: `home ${w}` })));
    await page.close();
  }
  assert.equal(problems.length, 0, 'axe-core found serious or critical violations');
});

test('no script errors or CSP violations on any page', () => {
  assert.deepEqual(pageErrors, []);
});
