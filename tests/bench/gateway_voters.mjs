// Prepares a voting benchmark through the gateway's public API: an open
// round over D districts (default all 50) with P approved proposals each
// (default 1), and N registered voters. Writes "district proposal token"
// lines to OUT (voter k votes in district k mod D + 1, for proposal k mod P)
// and prints the round id.
//   node gateway_voters.mjs BASE_URL ADMIN_TOKEN N OUT [D] [P]
import { writeFileSync } from 'node:fs';
import { citizenId } from '../support/stack.mjs';

const [base, admin, count, out, districtCount = '50', perDistrict = '1'] = process.argv.slice(2);
const n = Number(count);
const D = Number(districtCount);
const P = Number(perDistrict);
const json = async (method, path, body, auth) => {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${admin}` } : {}) },
    body: body && JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
};

const districts = Array.from({ length: D }, (_, i) => ({ districtId: i + 1, budgetBaht: '100000000' }));
const { round } = await json('POST', '/v1/admin/rounds', {
  round: { name: 'gateway benchmark', fiscalYear: 2567, districts, ballotRule: { kind: 'BALLOT_KIND_APPROVAL', maxChoices: 3 },
           outcomeRule: 'OUTCOME_RULE_GREEDY', identityMode: 'IDENTITY_MODE_CITIZEN_ID' },
}, true);
const proposal = {};
for (let d = 1; d <= D; d++) {
  proposal[d] = [];
  for (let i = 0; i < P; i++) {
    const { proposal: p } = await json('POST', `/v1/rounds/${round.roundId}/districts/${d}/proposals`,
      { title: `โครงการทดสอบที่ ${i + 1} เขต ${d}`, estimatedCostBaht: String(1000000 + i) });
    await json('POST', `/v1/admin/proposals/${p.proposalId}:moderate`, { approve: true }, true);
    proposal[d].push(p.proposalId);
  }
}
for (const toPhase of ['PHASE_REVIEW', 'PHASE_VOTING']) {
  await json('POST', `/v1/admin/rounds/${round.roundId}:advance`, { toPhase }, true);
}
const lines = new Array(n);
let next = 0;
await Promise.all(Array.from({ length: 32 }, async () => {
  for (let k = next++; k < n; k = next++) {
    const { voterToken } = await json('POST', `/v1/rounds/${round.roundId}/voters`, { citizenId: citizenId(k, 200000000000) });
    const d = (k % D) + 1;
    lines[k] = `${d} ${proposal[d][k % P]} ${voterToken}`;
  }
}));
writeFileSync(out, lines.join('\n') + '\n');
console.log(round.roundId);
