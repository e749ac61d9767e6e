// `./bkk run --demo`: a clearly labelled demo round ("รอบสาธิต") in the
// voting phase, so a newcomer sees the voting section alive. Its proposals
// are the 10 real citizen ideas of the 2021 site (data/votes/), filed in a
// few districts with illustrative costs and budgets (said so on each). It
// goes through the public API with an operator key, like any operator, and
// is skipped when a demo round exists. Never part of a production manifest.
//
//   node deploy/local/demo.mjs BASE_URL OPERATOR_KEY
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [base, key] = process.argv.slice(2);
if (!base || !key) {
  console.error('usage: node deploy/local/demo.mjs BASE_URL OPERATOR_KEY');
  process.exit(2);
}
const DEMO_NAME = 'รอบสาธิต (ตัวอย่าง ไม่ใช่รอบจริง)';
const DISTRICTS = ['จตุจักร', 'บางซื่อ', 'สวนหลวง'];
const BUDGET = 5_000_000;  // illustrative

async function call(method, pathname, body) {
  const res = await fetch(base + pathname, {
    method,
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${method} ${pathname}: ${res.status} ${json?.error?.message ?? ''}`);
  return json;
}

const rounds = (await call('GET', '/v1/rounds')).rounds ?? [];
if (rounds.some((r) => r.name === DEMO_NAME)) {
  console.log('demo round already there');
  process.exit(0);
}
const districts = JSON.parse(fs.readFileSync(path.join(ROOT, 'data/districts/districts.json'), 'utf8'));
const ids = DISTRICTS.map((name) => Number(districts.find((d) => d.th_name === name).id));
const votes = JSON.parse(fs.readFileSync(path.join(ROOT, 'data/votes/votes-2021-bangkokbudgeting.json'), 'utf8'));
const ideas = [...new Map(votes.map((v) => [Number(v.projectid), v])).values()].sort((a, b) => a.projectid - b.projectid);

const { round } = await call('POST', '/v1/admin/rounds', {
  round: {
    name: DEMO_NAME,
    fiscalYear: 2568,
    districts: ids.map((districtId) => ({ districtId, budgetBaht: String(BUDGET) })),
    ballotRule: { kind: 'BALLOT_KIND_APPROVAL', maxChoices: 3 },
    outcomeRule: 'OUTCOME_RULE_EQUAL_SHARES',
    identityMode: 'IDENTITY_MODE_ANONYMOUS_BROWSER',
    districtsPerVoter: 'DISTRICTS_PER_VOTER_ONE',
  },
});
for (const districtId of ids) {
  for (const [i, idea] of ideas.entries()) {
    const { proposal } = await call('POST', `/v1/rounds/${round.roundId}/districts/${districtId}/proposals`, {
      title: idea.name,
      description: `ตัวอย่างเพื่อการสาธิต: หนึ่งใน 10 ข้อเสนอจริงที่ประชาชนเลือกบนเว็บไซต์ปี 2564 (มิติ${idea.dimension}) ราคาและงบเขตเป็นตัวเลขสมมติ`,
      estimatedCostBaht: String(400_000 + 150_000 * i),
    });
    await call('POST', `/v1/admin/proposals/${proposal.proposalId}:moderate`, { approve: true });
  }
}
for (const toPhase of ['PHASE_REVIEW', 'PHASE_VOTING']) {
  await call('POST', `/v1/admin/rounds/${round.roundId}:advance`, { toPhase });
}
console.log(`demo round ${round.roundId} open for voting in ${DISTRICTS.join(', ')}`);
