// Prepares the vote-route benchmark through the gateway's public API: an open
// round over all 50 districts with approved proposals, and N registered
// voters. Writes "district proposal token" lines to OUT.
//   node gateway_voters.mjs BASE_URL ADMIN_TOKEN N OUT
import { writeFileSync } from 'node:fs';
import { citizenId } from '../support/stack.mjs';

const [base, admin, count, out] = process.argv.slice(2);
const n = Number(count);
const json = async (method, path, body, auth) => {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${admin}` } : {}) },
    body: body && JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
};

const districts = Array.from({ length: 50 }, (_, i) => ({ districtId: i + 1, budgetBaht: '100000000' }));
const { round } = await json('POST', '/v1/admin/rounds', {
  round: { name: 'gateway benchmark', fiscalYear: 2567, districts, ballotRule: { kind: 'BALLOT_KIND_APPROVAL', maxChoices: 3 },
           outcomeRule: 'OUTCOME_RULE_GREEDY', identityMode: 'IDENTITY_MODE_CITIZEN_ID' },
}, true);
const proposal = {};
for (let d = 1; d <= 50; d++) {
  const { proposal: p } = await json('POST', `/v1/rounds/${round.roundId}/districts/${d}/proposals`,
    { title: `โครงการทดสอบเขต ${d}`, estimatedCostBaht: '1000000' });
  await json('POST', `/v1/admin/proposals/${p.proposalId}:moderate`, { approve: true }, true);
  proposal[d] = p.proposalId;
}
for (const toPhase of ['PHASE_REVIEW', 'PHASE_VOTING']) {
  await json('POST', `/v1/admin/rounds/${round.roundId}:advance`, { toPhase }, true);
}
const lines = new Array(n);
let next = 0;
await Promise.all(Array.from({ length: 32 }, async () => {
  for (let k = next++; k < n; k = next++) {
    const { voterToken } = await json('POST', `/v1/rounds/${round.roundId}/voters`, { citizenId: citizenId(k, 200000000000) });
    const d = (k % 50) + 1;
    lines[k] = `${d} ${proposal[d]} ${voterToken}`;
  }
}));
writeFileSync(out, lines.join('\n') + '\n');
console.log(round.roundId);
