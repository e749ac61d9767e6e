// Renders public/og.png (1200x630), the share-preview image the gateway's
// /p/{id} pages point to. Run once after changing the design:
//   node gateway/web/scripts/og-image.mjs
// Uses playwright-core from tests/tools and Debian's chromium.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.resolve(here, '../../../tests/tools/package.json'));
const { chromium } = require('playwright-core');

const html = `<!doctype html><html lang="th"><meta charset="utf-8"><style>
body{margin:0;width:1200px;height:630px;display:flex;flex-direction:column;justify-content:center;padding:0 90px;box-sizing:border-box;
background:linear-gradient(160deg,#0f3d6e,#1b5d9c);color:#fff;font-family:"Noto Sans Thai",Loma,Garuda,sans-serif}
.mark{width:96px;height:96px;border-radius:22px;background:#ffd166;color:#0f3d6e;font-size:64px;font-weight:800;display:grid;place-items:center}
h1{font-size:76px;margin:36px 0 12px;line-height:1.2}p{font-size:36px;margin:0;color:#eef3f9;line-height:1.5}.tag{color:#ffd166;font-weight:700;margin-top:28px}
</style><div class="mark">฿</div><h1>งบกรุงเทพฯ</h1><p>เปิดเผยอย่างโปร่งใส เพื่อใครๆ ก็มีส่วนร่วมกับงบกรุงเทพฯ ได้</p><p class="tag">#BangkokBudgeting</p></html>`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkk-og-'));
const ctx = await chromium.launchPersistentContext(dir, {
  executablePath: process.env.BKK_E2E_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1200, height: 630 },
});
const page = ctx.pages()[0] ?? (await ctx.newPage());
await page.setContent(html);
await page.screenshot({ path: path.resolve(here, '../public/og.png') });
await ctx.close();
fs.rmSync(dir, { recursive: true, force: true });
console.log('wrote public/og.png');
