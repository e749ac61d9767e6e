// What the browser tests share: headless Chromium (Debian's, driven by
// playwright-core) and axe-core's accessibility check.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const requireTools = createRequire(path.join(ROOT, 'tests/tools/package.json'));
const { chromium } = requireTools('playwright-core');
const AXE_SOURCE = fs.readFileSync(requireTools.resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.BKK_E2E_CHROMIUM || '/usr/bin/chromium';
const CHROME_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
  '--no-first-run', '--disable-component-update', '--disable-sync',
];

/** A fresh Chromium profile; resolves { ctx, close }. */
export async function launchBrowser({ viewport = { width: 1440, height: 900 } } = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkk-e2e-chromium-'));
  const ctx = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, args: CHROME_ARGS, viewport, acceptDownloads: true, locale: 'th-TH',
  });
  return {
    ctx,
    close: async () => {
      await ctx.close().catch(() => undefined);
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** axe-core on the page; returns the serious and critical violations (logged through `log`). */
export async function runAxe(page, label, log = console.log) {
  await page.evaluate(`${AXE_SOURCE}\n;void 0`);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  log(`axe ${label}: ${result.length} violation rule(s), ${bad.length} serious/critical${result.length ? ` [${result.map((v) => `${v.id}:${v.impact}`).join(', ')}]` : ''}`);
  for (const v of bad) log(`  ${label}: ${v.id} (${v.impact}) ${v.help} @ ${v.nodes.join(' | ')}`);
  return bad;
}

/**
 * Reports into `errors` what a user would see as broken on `page`: script
 * errors, console errors and every response with status >= 400 that the test
 * does not expect. `expect` lists { status, url } pairs (url a RegExp), e.g.
 * a refused vote's 409; a test ends by asserting `errors` is empty.
 */
export function watchPage(page, errors, expect = []) {
  const expected = (status, url) => expect.some((e) => e.status === status && e.url.test(url));
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400 && !expected(r.status(), r.url())) errors.push(`unexpected ${r.status()} from ${r.request().method()} ${r.url()}`);
  });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // A failed response is reported by the handler above, with its URL.
    if (/^Failed to load resource: the server responded with a status of (\d+)/.test(m.text())) return;
    const stream = /EventSource's response has a status (\d+)/.exec(m.text());
    if (stream && expected(Number(stream[1]), m.location().url || '')) return;
    errors.push(`console: ${m.text()}`);
  });
  return page;
}
