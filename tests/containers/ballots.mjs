// Ballots through a running stack's public API, for the containers test:
//   node ballots.mjs cast URL ADMIN_TOKEN N RECEIPTS_FILE   a round, N voters, N ballots
//   node ballots.mjs verify URL RECEIPTS_FILE               every receipt still counted
// `cast` writes one receipt per acknowledged ballot (HTTP 200) and nothing else,
// so `verify` after a crash checks exactly what was acknowledged.
import { readFileSync, writeFileSync } from 'node:fs';
import { citizenId } from '../support/stack.mjs';

const [command, base, ...rest] = process.argv.slice(2);

async function call(method, path, body, headers = {}) {
  const res = await fetch(base + path, {
    method, headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, text };
}
const must = (r, what) => {
  if (r.status !== 200) throw new Error(`${what}: HTTP ${r.status} ${r.text}`);
  return r.json;
};

if (command === 'cast') {
  const [admin, n, file] = rest;
  const auth = { authorization: `Bearer ${admin}` };
  const created = must(await call('POST', '/v1/admin/rounds', {
    round: {
      name: 'รอบทดสอบคอนเทนเนอร์', fiscalYear: 2567, districts: [{ districtId: 7, budgetBaht: '1000000' }],
      ballotRule: { kind: 'BALLOT_KIND_APPROVAL', maxChoices: 1 },
      outcomeRule: 'OUTCOME_RULE_GREEDY', identityMode: 'IDENTITY_MODE_CITIZEN_ID',
    },
  }, auth), 'create round');
  const roundId = created.round.roundId;
  const p = must(await call('POST', `/v1/rounds/${roundId}/districts/7/proposals`,
    { title: 'ทางเท้าหน้าตลาด', description: 'ทดสอบคอนเทนเนอร์', estimatedCostBaht: '100000' }), 'proposal');
  must(await call('POST', `/v1/admin/proposals/${p.proposal.proposalId}:moderate`, { approve: true }, auth), 'moderate');
  for (const toPhase of ['PHASE_REVIEW', 'PHASE_VOTING']) {
    must(await call('POST', `/v1/admin/rounds/${roundId}:advance`, { toPhase }, auth), toPhase);
  }
  const receipts = [];
  for (let i = 0; i < Number(n); i++) {
    const voter = must(await call('POST', `/v1/rounds/${roundId}/voters`, { citizenId: citizenId(5000 + i) }), 'voter');
    const ballot = await call('POST', `/v1/rounds/${roundId}/districts/7/ballots`,
      { voterToken: voter.voterToken, choices: [{ proposalId: p.proposal.proposalId }] });
    if (ballot.status === 200) receipts.push(ballot.json.receiptCode);
  }
  writeFileSync(file, `${receipts.join('\n')}\n`);
  console.log(`cast: ${receipts.length} of ${n} ballots acknowledged in round ${roundId}`);
  if (receipts.length !== Number(n)) process.exit(1);
} else if (command === 'verify') {
  const receipts = readFileSync(rest[0], 'utf8').split('\n').filter(Boolean);
  let counted = 0;
  for (const code of receipts) {
    const r = await call('GET', `/v1/receipts/${code}`);
    if (r.status === 200 && r.json.counted) counted++;
    else console.log(`lost: receipt ${code} (HTTP ${r.status} ${r.text})`);
  }
  console.log(`verify: ${counted} of ${receipts.length} acknowledged ballots are stored`);
  if (counted !== receipts.length) process.exit(1);
} else {
  console.error('usage: ballots.mjs cast URL ADMIN_TOKEN N FILE | verify URL FILE');
  process.exit(2);
}
