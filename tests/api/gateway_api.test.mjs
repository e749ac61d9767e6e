// End to end through the real gateway, services, PostgreSQL and Redis
// (tests/e2e/stack.sh starts them): the public REST API a citizen's browser
// and other agencies use. Run: node --test tests/api/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { citizenId, parseCsv, startStack, stopStack } from '../support/stack.mjs';

const VERIFY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tools', 'verify-tally');

let stack;
let base;
let admin;
let tracker;
let pgUrl;
let logDir;
let metricsUrls;

async function call(method, path, body, headers = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}
const get = (path, headers) => call('GET', path, undefined, headers);
const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data');
const asAdmin = (method, path, body) => call(method, path, body, { authorization: `Bearer ${admin}` });

before(async () => {
  ({ child: stack, base, admin, tracker, pgUrl, logDir, metrics: metricsUrls } = await startStack());
});

// Live streams a failed test left open would keep the run alive.
const openStreams = [];
after(async () => {
  for (const controller of openStreams) controller.abort();
  await stopStack(stack);
});

test('overview, top agencies and district lines', async () => {
  const overview = await get('/v1/budget/overview');
  assert.equal(overview.status, 200);
  assert.deepEqual(overview.json.years.map((y) => y.fiscalYear), [2561, 2562, 2563, 2564, 2565, 2566, 2567, 2568, 2569]);
  assert.ok(overview.headers.get('etag'), 'budget responses carry an ETag');

  const top = await get('/v1/budget/years/2566/top-agencies?limit=5');
  assert.equal(top.status, 200);
  // Agencies only: the central fund is a reserve, shown apart and not counted.
  assert.equal(top.json.agencyCount, 73);
  assert.equal(top.json.agencies.length, 5);
  assert.equal(top.json.agencies[0].agency, 'สำนักการโยธา');
  assert.ok(top.json.agencies.every((a) => a.unitKind !== 'central_fund'));
  assert.equal(top.json.centralFund.agency, 'งบประมาณรายจ่ายงบกลาง');
  assert.equal(Number(top.json.centralFund.amountBaht), 14162196831);
  // Texts the server writes come in the request's language, Thai by default.
  assert.match(top.json.note, /งบกลาง/);
  assert.match(top.json.noteTh, /งบกลาง/);
  assert.equal(top.headers.get('content-language'), 'th');
  assert.match(top.headers.get('vary') ?? '', /Accept-Language/i);
  const topEn = await get('/v1/budget/years/2566/top-agencies?limit=5', { 'accept-language': 'en-GB,en;q=0.9,th;q=0.5' });
  assert.match(topEn.json.note, /not counted/);
  assert.equal(topEn.headers.get('content-language'), 'en');
  assert.notEqual(topEn.headers.get('etag'), top.headers.get('etag'), 'each language is its own cached answer');
  const all = await get('/v1/budget/years/2566/top-agencies?limit=100');
  assert.equal(all.json.agencies.length, 73);

  // One headline total per year: FY2566's is the ordinance's grand total
  // with its parts, each with clause and page; the others are published
  // figures and say so.
  const y2566 = overview.json.years.find((y) => y.fiscalYear === 2566);
  assert.equal(Number(y2566.totalBudgetBaht), 79719012050);
  assert.equal(y2566.totalBasis, 'ordinance');
  assert.equal(y2566.totalClause, 'ข้อ 3');
  assert.deepEqual(
    y2566.totalParts.map((p) => [p.clause, Number(p.amountBaht), p.sourcePage]),
    [['ข้อ 4', 79000000000, 5], ['ข้อ 5', 719012050, 87]],
  );
  assert.equal(y2566.totalParts.reduce((s, p) => s + Number(p.amountBaht), 0), Number(y2566.totalBudgetBaht));
  for (const y of overview.json.years.filter((y) => y.fiscalYear !== 2566)) {
    assert.equal(y.totalBasis, 'published_figure', `${y.fiscalYear}`);
    assert.match(y.source, /bma-total-budget-by-year\.json/);
    assert.match(y.source, /ตัวเลขที่เผยแพร่ใน/, 'Thai unless English is asked for');
  }
  const overviewEn = await get('/v1/budget/overview', { 'accept-language': 'en' });
  assert.match(overviewEn.json.years[0].source, /^Total: published in /);

  // FY2566 by strategy: exactly the sums of the mapping file's lines.
  const items = parseCsv(readFileSync(join(DATA, 'budget/bma-ordinance-2566-items.csv'), 'utf8')).slice(1);
  const mapping = parseCsv(readFileSync(join(DATA, 'budget/strategy-mapping-2566.csv'), 'utf8')).slice(1);
  const sums = new Map();
  for (const [lineId, , , strategy] of mapping) {
    const amount = Number(items[Number(lineId) - 256600001][5]);
    sums.set(strategy, (sums.get(strategy) ?? 0) + amount);
  }
  assert.equal(sums.size, 8, '7 strategies and the unclassified lines');
  assert.deepEqual(
    new Map(y2566.byStrategy.map((s) => [s.strategyId ?? '', Number(s.amountBaht)])),
    sums,
  );
  assert.equal(Number(y2566.strategicBudgetBaht), Number(y2566.totalBudgetBaht) - sums.get(''));
  const food = await get('/v1/budget/lines/256600090');
  assert.equal(food.json.line.strategyId, 's1');
  assert.equal(food.json.line.subDimensionId, 's1.5');
  assert.equal(food.json.line.strategyConfidence, 'STRATEGY_CONFIDENCE_BY_NAME');
  assert.equal(food.json.line.strategySource, 'plan/strategy-hints-2566-wevis.json#16');

  const lines = await get('/v1/budget/lines?filter.fiscalYear=2566&filter.districtId=1&pageSize=500');
  assert.equal(lines.status, 200);
  assert.ok(lines.json.totalCount > 0);
  for (const l of lines.json.lines) assert.equal(l.agency, 'สำนักงานเขตคลองเตย');
  const sum = lines.json.lines.reduce((s, l) => s + Number(l.amountBaht), 0);
  assert.equal(sum, Number(lines.json.totalAmountBaht));

  const bad = await get('/v1/budget/years/2400/top-agencies');
  assert.equal(bad.status, 404);
  assert.match(bad.json.error.message, /fiscal_year/);
  assert.equal(bad.json.error.reason, 'FISCAL_YEAR_HAS_NO_LINES');

  // FY2566 states no expense categories: said so, never a zero split.
  const categories = await get('/v1/budget/years/2566/breakdown?dimension=BREAKDOWN_DIMENSION_EXPENSE_CATEGORY');
  assert.equal(categories.status, 400);
  assert.equal(categories.json.error.reason, 'EXPENSE_CATEGORIES_NOT_STATED');
  assert.equal(categories.json.error.metadata.fiscal_year, '2566');
});

test('keyword search with highlights', async () => {
  const res = await get(`/v1/keywords/search?query=${encodeURIComponent('ก่อสร้าง')}&pageSize=5`);
  assert.equal(res.status, 200);
  assert.ok(res.json.totalCount > 10);
  const hit = res.json.hits[0];
  const h = hit.highlights[0];
  assert.equal(hit.name.slice(h.start ?? 0, h.end), 'ก่อสร้าง');
  const none = await get(`/v1/keywords/search?query=${encodeURIComponent('ไม่มีคำนี้แน่นอนxyz')}`);
  assert.equal(none.status, 200);
  assert.equal(none.json.totalCount ?? 0, 0);
  const empty = await get('/v1/keywords/search?query=');
  assert.equal(empty.status, 400);
  assert.match(empty.json.error.message, /query/);
  assert.equal(empty.json.error.reason, 'QUERY_EMPTY');

  // The cloud leaves budget boilerplate out and says which words and why;
  // search still finds them.
  const top = await get('/v1/keywords/top?limit=100');
  assert.equal(top.json.boilerplateAgencyPercent, 90);
  assert.equal(top.json.agencyCount, 74);
  const hidden = new Map(top.json.hidden.map((w) => [w.keyword, w]));
  for (const w of ['กรุงเทพมหานคร', 'ทั่วไป', 'บริหาร', 'ฝ่าย']) assert.ok(hidden.has(w), `${w} is not hidden`);
  assert.equal(hidden.get('บุคลากร').reason, 'HIDDEN_REASON_BOILERPLATE', 'derived from the data');
  assert.ok(hidden.get('บุคลากร').agencyCount > 0.9 * 74);
  assert.equal(hidden.get('ฝ่าย').reason, 'HIDDEN_REASON_REVIEWED');
  for (const k of top.json.keywords) assert.ok(!hidden.has(k.keyword), `${k.keyword} is both shown and hidden`);
  assert.ok(top.json.keywords.some((k) => k.keyword === 'ถนน' && k.topical), 'ถนน is a topical word in the cloud');
  const stillFound = await get(`/v1/keywords/search?query=${encodeURIComponent('บริหาร')}`);
  assert.ok(stillFound.json.totalCount > 100);
});

test('CSV export of every FY2566 line adds up to the ordinance total', async () => {
  const res = await fetch(`${base}/v1/export/lines.csv?filter.fiscalYear=2566`);
  assert.equal(res.status, 200);
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM for Excel');
  const text = new TextDecoder().decode(bytes.slice(3));
  const rows = text.trim().split('\n');
  const header = rows[0].split(',');
  const amount = header.indexOf('amount_baht');
  assert.ok(amount >= 0);
  // Amounts are plain integers; names may be quoted, so read the amount
  // column by parsing each record properly.
  let total = 0n;
  let count = 0;
  for (const record of parseCsv(text).slice(1)) {
    total += BigInt(record[amount]);
    count++;
  }
  assert.equal(count, 1766);
  assert.equal(total, 79719012050n);
});

// FY2565 comes from the 50 district books: every figure the API gives is a
// total the books state (read here from the stated-totals file itself).
test('two years: FY2565 district offices at their stated totals, by expense category, in CSV and with their PDF page', async () => {
  const stated = new Map();
  for (const [check, baht] of parseCsv(readFileSync(join(DATA, 'budget', 'bma-budget-book-2565-stated-totals.csv'), 'utf8')).slice(1)) {
    if (check.startsWith('agency ')) stated.set(check.slice(7), BigInt(baht));
  }
  assert.equal(stated.size, 50);
  const overview = (await get('/v1/budget/overview')).json;
  const scopes = Object.fromEntries(overview.years.map((y) => [y.fiscalYear, y.linesScope ?? '']));
  assert.equal(scopes[2565], 'district_books');
  assert.equal(scopes[2566], 'ordinance');

  const compare = await get('/v1/budget/district-offices:compare?from_year=2565&to_year=2566', { 'accept-language': 'en' });
  assert.equal(compare.status, 200, compare.text);
  assert.equal(compare.json.rows.length, 50);
  for (const row of compare.json.rows) {
    assert.equal(BigInt(row.from.amountBaht), stated.get(row.officeAgency), row.officeAgency);
    assert.match(row.from.sourceDocument, /^bma-budget-book-2565-districts\/650\d\d\.pdf$/);
  }
  assert.match(compare.json.note, /work-structure budget/);
  const refused = await get('/v1/budget/district-offices:compare?from_year=2564&to_year=2566');
  assert.equal(refused.status, 404);
  assert.equal(refused.json.error.reason, 'FISCAL_YEAR_HAS_NO_LINES');

  // One district's split by expense category adds up to its stated total.
  const phraNakhon = compare.json.rows.find((r) => r.officeAgency === 'สำนักงานเขตพระนคร');
  const split = await get(`/v1/budget/years/2565/breakdown?dimension=BREAKDOWN_DIMENSION_EXPENSE_CATEGORY&filter.districtId=${phraNakhon.districtId}`);
  assert.equal(split.status, 200, split.text);
  assert.ok(split.json.items.some((i) => i.key === 'งบบุคลากร'));
  assert.equal(split.json.items.reduce((sum, i) => sum + BigInt(i.amountBaht), 0n), stated.get('สำนักงานเขตพระนคร'));
  const none = await get('/v1/budget/years/2566/breakdown?dimension=BREAKDOWN_DIMENSION_EXPENSE_CATEGORY');
  assert.equal(none.json.error.reason, 'EXPENSE_CATEGORIES_NOT_STATED');

  // The CSV of a FY2565 view: that district's lines only, summing to it.
  const csv = await fetch(`${base}/v1/export/lines.csv?filter.fiscalYear=2565&filter.districtId=${phraNakhon.districtId}`);
  assert.equal(csv.status, 200);
  const records = parseCsv((await csv.text()).replace(/^\uFEFF/, ''));
  const year = records[0].indexOf('fiscal_year');
  const amount = records[0].indexOf('amount_baht');
  assert.ok(records.length > 10);
  assert.ok(records.slice(1).every((r) => r[year] === '2565'));
  // Each row says its expense category and the book it comes from.
  const category = records[0].indexOf('category');
  const document = records[0].indexOf('source_document');
  assert.ok(records.slice(1).every((r) => r[category].startsWith('งบ') && r[document] === 'bma-budget-book-2565-districts/65026.pdf'));
  assert.equal(records.slice(1).reduce((sum, r) => sum + BigInt(r[amount]), 0n), stated.get('สำนักงานเขตพระนคร'));

  // A line's PDF is served at /sources/<its document>.
  const lines = (await get('/v1/budget/lines?filter.fiscalYear=2565&page_size=1')).json.lines;
  assert.match(lines[0].sourceDocument, /^bma-budget-book-2565-districts\//);
  const pdf = await fetch(`${base}/sources/${lines[0].sourceDocument}`);
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  assert.equal(new TextDecoder().decode(new Uint8Array(await pdf.arrayBuffer()).slice(0, 5)), '%PDF-');
  assert.equal((await fetch(`${base}/sources/../release.json`)).status, 404);
});

test('propose, vote, top-10, receipt and a live tally update', async () => {
  const created = await asAdmin('POST', '/v1/admin/rounds', {
    round: {
      name: 'รอบทดสอบ API', fiscalYear: 2567,
      districts: [{ districtId: 3, budgetBaht: '5000000' }],
      ballotRule: { kind: 'BALLOT_KIND_APPROVAL', maxChoices: 2 },
      outcomeRule: 'OUTCOME_RULE_GREEDY', identityMode: 'IDENTITY_MODE_CITIZEN_ID',
    },
  });
  assert.equal(created.status, 200, created.text);
  const roundId = created.json.round.roundId;
  const ids = [];
  for (const title of ['ทางเดินริมคลอง', 'ไฟส่องสว่างซอย', 'สวนหย่อมชุมชน']) {
    const p = await call('POST', `/v1/rounds/${roundId}/districts/3/proposals`,
      { title, description: 'ข้อเสนอจากการทดสอบ', estimatedCostBaht: '1000000' });
    assert.equal(p.status, 200, p.text);
    ids.push(p.json.proposal.proposalId);
    const m = await asAdmin('POST', `/v1/admin/proposals/${p.json.proposal.proposalId}:moderate`, { approve: true });
    assert.equal(m.status, 200, m.text);
  }
  for (const toPhase of ['PHASE_REVIEW', 'PHASE_VOTING']) {
    const a = await asAdmin('POST', `/v1/admin/rounds/${roundId}:advance`, { toPhase });
    assert.equal(a.status, 200, a.text);
  }
  const noAuth = await call('POST', `/v1/admin/rounds/${roundId}:advance`, { toPhase: 'PHASE_CLOSED' });
  assert.equal(noAuth.status, 401);

  // Open the live stream before voting.
  const controller = new AbortController();
  openStreams.push(controller);
  const stream = await fetch(`${base}/v1/rounds/${roundId}/districts/3/tallies:watch`, { signal: controller.signal });
  assert.equal(stream.status, 200);
  assert.match(stream.headers.get('content-type'), /text\/event-stream/);
  const reader = stream.body.getReader();
  const events = [];
  const pump = (async () => {
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += new TextDecoder().decode(value);
        let at;
        while ((at = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, at);
          buf = buf.slice(at + 2);
          const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('');
          if (data) events.push(JSON.parse(data));
        }
      }
    } catch { /* aborted */ }
  })();

  const voter = await call('POST', `/v1/rounds/${roundId}/voters`, { citizenId: citizenId(42) });
  assert.equal(voter.status, 200, voter.text);
  // Each ballot carries a W3C trace of its own (as a browser with tracing would).
  const traceOk = randomBytes(16).toString('hex');
  const traceRefused = randomBytes(16).toString('hex');
  const ballot = await call('POST', `/v1/rounds/${roundId}/districts/3/ballots`, {
    voterToken: voter.json.voterToken, choices: [{ proposalId: ids[1] }], idempotencyKey: 'api-e2e-1',
  }, { traceparent: `00-${traceOk}-b7ad6b7169203331-01` });
  assert.equal(ballot.status, 200, ballot.text);
  const receipt = ballot.json.receiptCode;
  const again = await call('POST', `/v1/rounds/${roundId}/districts/3/ballots`, {
    voterToken: voter.json.voterToken, choices: [{ proposalId: ids[0] }], idempotencyKey: 'api-e2e-2',
  }, { traceparent: `00-${traceRefused}-b7ad6b7169203331-01` });
  assert.equal(again.status, 409);
  assert.match(again.json.error.message, /already/);
  assert.equal(again.json.error.trace_id, traceRefused, 'the error body names the trace');

  // One grep of the trace finds the request at the gateway and the ballot's
  // commit in voting (with its ballot id), and the refusal likewise.
  const logged = async (file, needle) => {
    for (let i = 0; i < 50; i++) {
      let text = '';
      try { text = readFileSync(join(logDir, file), 'utf8'); } catch { /* not written yet */ }
      const lines = text.split('\n').filter((l) => l.includes(needle));
      if (lines.length) return lines.map((l) => JSON.parse(l));
      await new Promise((r) => setTimeout(r, 100));
    }
    return [];
  };
  const atGateway = await logged('gateway.log', traceOk);
  assert.ok(atGateway.some((l) => l.event === 'http_request' && l.status === '200' && l.trace_id === traceOk &&
    l.path.endsWith('/ballots')), JSON.stringify(atGateway));
  const atVoting = await logged('voting.log', traceOk);
  assert.ok(atVoting.some((l) => l.event === 'ballot_group_committed' &&
    l.trace_ids.split(',').includes(`${traceOk}:${ballot.json.ballotId}`)), JSON.stringify(atVoting));
  assert.ok((await logged('gateway.log', traceRefused)).some((l) => l.status === '409'));
  assert.ok((await logged('voting.log', traceRefused)).some((l) =>
    l.trace_ids.split(',').includes(`${traceRefused}:ALREADY_EXISTS`)));

  const check = await get(`/v1/receipts/${receipt}`);
  assert.equal(check.status, 200);
  assert.equal(check.json.counted, true);

  let top;
  for (let i = 0; i < 50; i++) {
    top = await get(`/v1/rounds/${roundId}/districts/3/top`);
    if (Number(top.json.voterCount ?? 0) === 1) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(Number(top.json.voterCount), 1);
  assert.equal(top.json.proposals[0].proposalId, ids[1]);
  assert.equal(Number(top.json.proposals[0].support), 1);

  for (let i = 0; i < 100 && !events.some((e) => Number(e.voterCount ?? 0) === 1); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  controller.abort();
  await pump;
  assert.ok(events.some((e) => Number(e.voterCount ?? 0) === 1), 'the stream reported the new vote');
});

test('a published result: the outcome frozen, its CSV and share page, and its winners tracked as projects', async () => {
  const created = await asAdmin('POST', '/v1/admin/rounds', {
    round: {
      name: 'รอบผลลัพธ์', fiscalYear: 2568, districts: [{ districtId: 12, budgetBaht: '2500000' }],
      ballotRule: { kind: 'BALLOT_KIND_APPROVAL', maxChoices: 2 }, outcomeRule: 'OUTCOME_RULE_EQUAL_SHARES', identityMode: 'IDENTITY_MODE_CITIZEN_ID',
    },
  });
  assert.equal(created.status, 200, created.text);
  const roundId = created.json.round.roundId;
  const ids = [];
  for (const [title, cost] of [['ลานกีฬา "ชุมชน", ริมคลอง', '1200000'], ['ศาลาพักคอย', '800000'], ['ทางเท้าใหม่', '1000000']]) {
    const p = await call('POST', `/v1/rounds/${roundId}/districts/12/proposals`, { title, estimatedCostBaht: cost });
    ids.push(p.json.proposal.proposalId);
    await asAdmin('POST', `/v1/admin/proposals/${p.json.proposal.proposalId}:moderate`, { approve: true });
  }
  for (const toPhase of ['PHASE_REVIEW', 'PHASE_VOTING']) await asAdmin('POST', `/v1/admin/rounds/${roundId}:advance`, { toPhase });
  for (let v = 0; v < 8; v++) {
    const voter = await call('POST', `/v1/rounds/${roundId}/voters`, { citizenId: citizenId(6000 + v) });
    const choices = v < 5 ? [{ proposalId: ids[0] }, { proposalId: ids[1] }] : [{ proposalId: ids[2] }];
    assert.equal((await call('POST', `/v1/rounds/${roundId}/districts/12/ballots`, { voterToken: voter.json.voterToken, choices })).status, 200);
  }
  for (const toPhase of ['PHASE_CLOSED', 'PHASE_PUBLISHED']) {
    assert.equal((await asAdmin('POST', `/v1/admin/rounds/${roundId}:advance`, { toPhase })).status, 200);
  }
  const outcome = await get(`/v1/rounds/${roundId}/districts/12/outcome`);
  assert.equal(outcome.status, 200, outcome.text);
  assert.equal(outcome.json.official, true);
  assert.ok(outcome.json.publishedAt);

  // The CSV is the outcome, row for row (funded first), quoting and all.
  const csv = await fetch(`${base}/v1/rounds/${roundId}/districts/12/results.csv`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  assert.match(csv.headers.get('content-disposition'), /attachment/);
  const rows = parseCsv((await csv.text()).replace(/^\uFEFF/, ''));
  assert.deepEqual(rows[0], ['proposal_id', 'title', 'cost_baht', 'support', 'funded', 'explanation']);
  assert.deepEqual(rows.slice(1).filter((r) => r.length > 1), outcome.json.projects.map((p) => [
    String(p.proposalId), p.title, String(p.costBaht), String(p.support ?? 0), String(Boolean(p.funded)), p.explanation,
  ]));
  assert.equal((await fetch(`${base}/v1/rounds/${roundId}/districts/13/results.csv`)).status, 404, 'a district not in the round');

  // The share page previews the district's winners.
  const share = await fetch(`${base}/r/${roundId}/12`);
  assert.equal(share.status, 200);
  const html = await share.text();
  const winners = outcome.json.projects.filter((p) => p.funded);
  assert.ok(winners.length >= 2);
  assert.match(html, /<meta property="og:title" content="ผลการโหวตงบประมาณเขต 12/);
  assert.ok(html.includes('&quot;ชุมชน&quot;') || !winners.some((w) => w.proposalId === ids[0]), 'titles are escaped');
  assert.match(html, new RegExp(`url=/#/results/${roundId}/12`));
  assert.equal((await fetch(`${base}/r/${roundId}/x`)).status, 404);

  // Winners became projects; the public follows them, a tracker updates them.
  const projects = await get(`/v1/projects?roundId=${roundId}`);
  assert.equal(projects.status, 200, projects.text);
  assert.deepEqual(projects.json.projects.map((p) => p.proposalId).sort(), winners.map((w) => w.proposalId).sort());
  const projectId = projects.json.projects[0].projectId;
  const asTracker = (body) => call('POST', `/v1/admin/projects/${projectId}:update`, body, { authorization: `Bearer ${tracker}` });
  const refused = await call('POST', `/v1/admin/projects/${projectId}:update`, { text: 'x' });
  assert.equal(refused.status, 401, refused.text);
  const moved = await asTracker({
    text: 'ลงนามสัญญาจ้างแล้ว', status: 'PROJECT_STATUS_IN_PROGRESS', progressPercent: 25, committedBaht: '1100000',
    agency: 'สำนักงานเขตบางรัก', budgetLineIds: ['1'], setBudgetLines: true,
  });
  assert.equal(moved.status, 200, moved.text);
  const back = await asTracker({ text: 'แก้ตัวเลข', progressPercent: 10 });
  assert.equal(back.status, 400, back.text);
  assert.match(back.json.error.message, /reason/);
  const unknownAgency = await asTracker({ text: 'ย้ายหน่วยงาน', agency: 'กรมสมมุติ' });
  assert.equal(unknownAgency.status, 400);
  assert.match(unknownAgency.json.error.message, /budget unit/);
  const timeline = await get(`/v1/projects/${projectId}`);
  assert.equal(timeline.status, 200);
  assert.equal(timeline.json.updates.length, 1);
  assert.equal(timeline.json.updates[0].operatorName, 'e2e-tracker');
  assert.equal(timeline.json.project.status, 'PROJECT_STATUS_IN_PROGRESS');
  const byLine = await get('/v1/projects?budgetLineId=1');
  assert.ok(byLine.json.projects.some((p) => p.projectId === projectId), 'the badge lookup finds it by budget line');

  // The verifier recomputes Equal Shares and checks every published figure: one changed support is named.
  const ok = spawnSync('python3', [VERIFY, base, String(roundId)], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  execFileSync('psql', [pgUrl, '-qc', 'ALTER TABLE voting.result_projects DISABLE TRIGGER result_projects_frozen; '
    + `UPDATE voting.result_projects SET support = support + 1 WHERE round_id = ${roundId} AND position = 0; `
    + 'ALTER TABLE voting.result_projects ENABLE TRIGGER result_projects_frozen']);
  const bad = spawnSync('python3', [VERIFY, base, String(roundId)], { encoding: 'utf8' });
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, new RegExp(`DIFFERS round ${roundId}, district 12: the published result gives proposal \\d+ support`));
});

test('a published round verifies with tools/verify-tally, and an altered ballot is named', async () => {
  const created = await asAdmin('POST', '/v1/admin/rounds', {
    round: {
      name: 'รอบตรวจนับ', fiscalYear: 2568, districts: [{ districtId: 8, budgetBaht: '3000000' }, { districtId: 9, budgetBaht: '2000000' }],
      ballotRule: { kind: 'BALLOT_KIND_APPROVAL', maxChoices: 2 }, outcomeRule: 'OUTCOME_RULE_GREEDY', identityMode: 'IDENTITY_MODE_CITIZEN_ID',
    },
  });
  assert.equal(created.status, 200, created.text);
  const roundId = created.json.round.roundId;
  const ids = [];
  for (const [title, cost] of [['สวนหย่อมริมทาง', '1500000'], ['ห้องสมุดเด็ก', '1200000'], ['ไฟถนนซอยลึก', '900000']]) {
    const p = await call('POST', `/v1/rounds/${roundId}/districts/8/proposals`, { title, estimatedCostBaht: cost });
    ids.push(p.json.proposal.proposalId);
    await asAdmin('POST', `/v1/admin/proposals/${p.json.proposal.proposalId}:moderate`, { approve: true });
  }
  for (const toPhase of ['PHASE_REVIEW', 'PHASE_VOTING']) await asAdmin('POST', `/v1/admin/rounds/${roundId}:advance`, { toPhase });
  for (let v = 0; v < 9; v++) {
    const voter = await call('POST', `/v1/rounds/${roundId}/voters`, { citizenId: citizenId(5000 + v) });
    const ballot = await call('POST', `/v1/rounds/${roundId}/districts/8/ballots`, {
      voterToken: voter.json.voterToken, choices: [{ proposalId: ids[v % 3] }, { proposalId: ids[(v + 1) % 3] }],
    });
    assert.equal(ballot.status, 200, ballot.text);
  }
  for (const toPhase of ['PHASE_CLOSED', 'PHASE_PUBLISHED']) {
    assert.equal((await asAdmin('POST', `/v1/admin/rounds/${roundId}:advance`, { toPhase })).status, 200);
  }
  const ok = spawnSync('python3', [VERIFY, base, String(roundId)], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^OK: round \d+: 2 district\(s\)/);
  // One stored ballot changed afterwards: the verifier names the district.
  execFileSync('psql', [pgUrl, '-qc', `UPDATE voting.ballots SET proposal_ids = ARRAY[${ids[2]}, ${ids[0]}]::bigint[] WHERE ballot_id = `
    + `(SELECT min(ballot_id) FROM voting.ballots WHERE round_id = ${roundId} AND district_id = 8)`]);
  const bad = spawnSync('python3', [VERIFY, base, String(roundId)], { encoding: 'utf8' });
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, new RegExp(`DIFFERS round ${roundId}, district 8: the commitments do not rebuild the logged Merkle root`));
  assert.match(bad.stdout, /recounts to/);
  // A logged figure changed (by someone able to switch the trigger off): the entry no longer hashes right.
  execFileSync('psql', [pgUrl, '-qc', 'ALTER TABLE voting.tally_log DISABLE TRIGGER tally_log_append_only; '
    + `UPDATE voting.tally_log SET voter_count = voter_count + 1 WHERE round_id = ${roundId} AND district_id = 9`]);
  const rewritten = spawnSync('python3', [VERIFY, base, String(roundId)], { encoding: 'utf8' });
  assert.equal(rewritten.status, 1);
  assert.match(rewritten.stdout, new RegExp(`DIFFERS log entry \\d+ \\(round ${roundId}, district 9\\): its contents do not hash`));
});

/** The value of one series in a Prometheus text exposition (0 when absent). */
function sample(text, name, labels = {}) {
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const m = line.match(/^([a-z_]+)(\{(.*)\})? (\S+)$/);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return 0;
}
const scrape = async (service) => {
  const res = await fetch(metricsUrls[service]);
  assert.equal(res.status, 200, `${service} /metrics`);
  return res.text();
};
const until = async (what, check) => {
  for (let i = 0; i < 150; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what} did not happen within 15 s`);
};

test('each process\'s /metrics (admin port) moves with a ballot, a search and a release import', async () => {
  // Not on the public listener.
  assert.equal((await get('/v1/metrics')).status, 404);

  // A ballot: voting counts it committed, its group and the RPC; the tally lag returns to 0.
  const before = await scrape('voting');
  const created = await asAdmin('POST', '/v1/admin/rounds', {
    round: {
      name: 'รอบทดสอบ metrics', fiscalYear: 2567, districts: [{ districtId: 5, budgetBaht: '1000000' }],
      ballotRule: { kind: 'BALLOT_KIND_APPROVAL', maxChoices: 1 },
      outcomeRule: 'OUTCOME_RULE_GREEDY', identityMode: 'IDENTITY_MODE_CITIZEN_ID',
    },
  });
  assert.equal(created.status, 200, created.text);
  const roundId = created.json.round.roundId;
  const p = await call('POST', `/v1/rounds/${roundId}/districts/5/proposals`,
    { title: 'ม้านั่งริมทาง', description: 'ทดสอบ metrics', estimatedCostBaht: '100000' });
  assert.equal(p.status, 200, p.text);
  assert.equal((await asAdmin('POST', `/v1/admin/proposals/${p.json.proposal.proposalId}:moderate`, { approve: true })).status, 200);
  for (const toPhase of ['PHASE_REVIEW', 'PHASE_VOTING']) {
    assert.equal((await asAdmin('POST', `/v1/admin/rounds/${roundId}:advance`, { toPhase })).status, 200);
  }
  const voter = await call('POST', `/v1/rounds/${roundId}/voters`, { citizenId: citizenId(777) });
  const ballot = await call('POST', `/v1/rounds/${roundId}/districts/5/ballots`,
    { voterToken: voter.json.voterToken, choices: [{ proposalId: p.json.proposal.proposalId }] });
  assert.equal(ballot.status, 200, ballot.text);
  const after = await scrape('voting');
  assert.equal(sample(after, 'bkk_ballots_committed_total'), sample(before, 'bkk_ballots_committed_total') + 1);
  assert.equal(sample(after, 'bkk_ballot_group_size_count'), sample(before, 'bkk_ballot_group_size_count') + 1);
  assert.ok(sample(after, 'bkk_ballot_commit_seconds_count') > sample(before, 'bkk_ballot_commit_seconds_count'));
  const cast = { method: '/bkkbudget.voting.v1.VotingService/CastBallot', code: 'OK' };
  assert.equal(sample(after, 'bkk_grpc_server_handled_total', cast), sample(before, 'bkk_grpc_server_handled_total', cast) + 1);
  await until('the tally lag back to 0', async () => sample(await scrape('voting'), 'bkk_tally_lag_ballots') === 0);
  // The gateway counted the ballot's route by status, on its own admin port.
  const route = { route: '/v1/rounds/{round_id}/districts/{district_id}/ballots', method: 'POST', code: '200' };
  assert.ok(sample(await scrape('gateway'), 'bkk_gateway_requests_total', route) >= 1, 'gateway counts the ballot route');
  assert.equal((await fetch(`${base}/metrics`)).status, 404, 'no /metrics on the public listener');

  // The pools' counters are there for both stores (nothing failed here).
  const pools = await scrape('voting');
  for (const store of ['postgresql', 'redis']) {
    assert.match(pools, new RegExp(`bkk_pool_errors_total\\{store="${store}"\\} 0\\n`));
    assert.match(pools, new RegExp(`bkk_pool_waits_total\\{store="${store}"\\} \\d+\\n`));
  }

  // A search: keyword-analytics counts the RPC by method and code.
  const search = { method: '/bkkbudget.keywords.v1.KeywordService/SearchLines', code: 'OK' };
  const k0 = sample(await scrape('keywords'), 'bkk_grpc_server_handled_total', search);
  assert.equal((await get(`/v1/keywords/search?query=${encodeURIComponent('ถนน')}`)).status, 200);
  assert.equal(sample(await scrape('keywords'), 'bkk_grpc_server_handled_total', search), k0 + 1);
  assert.ok(sample(await scrape('keywords'), 'bkk_keyword_index_build_seconds') > 0);

  // A release import (same data, one byte more in a plan file): both
  // services name the new release in bkk_dataset_release_info.
  const release = (await get('/v1/budget/overview')).json.releaseVersion;
  assert.equal(sample(await scrape('budget'), 'bkk_dataset_release_info', { version: release }), 1);
  const dir = mkdtempSync(join(tmpdir(), 'bkk-release-'));
  try {
    cpSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data'), dir, { recursive: true });
    appendFileSync(join(dir, 'plan', 'policies-9-dee-2568.json'), '\n');
    const bin = join(process.env.BKK_BUILD_DIR ?? 'build', 'services', 'budget_data', 'budget-data');
    // An intended change: recorded in the copy's release.json first.
    assert.equal(spawnSync(bin, ['manifest', dir], { encoding: 'utf8' }).status, 0);
    const out = spawnSync(bin, ['import', dir], { encoding: 'utf8', env: { ...process.env, BKK_PG_URL: pgUrl } });
    assert.equal(out.status, 0, out.stderr);
    const newer = out.stdout.match(/release (\S+) is now current/)?.[1];
    assert.ok(newer && newer !== release, out.stdout);
    for (const service of ['budget', 'keywords']) {
      await until(`${service} serving ${newer}`, async () => {
        const text = await scrape(service);
        return sample(text, 'bkk_dataset_release_info', { version: newer }) === 1 &&
          sample(text, 'bkk_dataset_release_info', { version: release }) === 0;
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
