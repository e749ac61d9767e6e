// What the JavaScript tests and benchmarks that drive the real stack share:
// starting and stopping tests/e2e/stack.sh, valid Thai citizen IDs, and
// reading the CSV export.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const STACK_SH = join(dirname(fileURLToPath(import.meta.url)), '..', 'e2e', 'stack.sh');

// What stack.sh prints once ready (KEY=VALUE lines), as startStack resolves it;
// null until every value is there.
function parseReady(out) {
  const get = (key) => out.match(new RegExp(`${key}=(\\S+)`))?.[1];
  const values = {
    base: get('BKK_E2E_URL'), admin: get('BKK_E2E_ADMIN_TOKEN'), moderator: get('BKK_E2E_MODERATOR_KEY'),
    tracker: get('BKK_E2E_TRACKER_KEY'), pgUrl: get('BKK_E2E_PG_URL'), logDir: get('BKK_E2E_LOG_DIR'),
    metrics: get('BKK_E2E_METRICS'),
  };
  if (Object.values(values).some((v) => !v) || !out.includes('BKK_E2E_READY')) return null;
  values.metrics = Object.fromEntries(values.metrics.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return values;
}

/** Starts the whole stack; resolves { child, base, admin, moderator, tracker,
 * pgUrl, logDir, metrics } (admin, moderator and tracker are operator keys:
 * every role, one role each; logDir holds each process's log; metrics maps
 * budget, keywords, voting and gateway to their /metrics URLs) once it is
 * ready. With BKK_E2E_STACK_FILE, a stack already running (the Compose stack
 * of tests/containers/compose.sh) is used instead: the file holds the same
 * lines stack.sh prints, and child is null. */
export function startStack({ env = process.env, timeoutMs = 240000 } = {}) {
  if (env.BKK_E2E_STACK_FILE) {
    const ready = parseReady(readFileSync(env.BKK_E2E_STACK_FILE, 'utf8'));
    return ready ? Promise.resolve({ child: null, ...ready }) : Promise.reject(new Error(`${env.BKK_E2E_STACK_FILE} lacks a value`));
  }
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [STACK_SH], { stdio: ['pipe', 'pipe', 'inherit'], env });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`stack.sh did not get ready in ${timeoutMs / 1000} s`)), timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const ready = parseReady(out);
      if (ready) {
        clearTimeout(timer);
        resolve({ child, ...ready });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`stack.sh exited with ${code} before it was ready`));
    });
  });
}

/** Stops the stack (every service, PostgreSQL, Redis) and waits, at most `timeoutMs`. */
export async function stopStack(child, timeoutMs = 45000) {
  if (!child || child.exitCode !== null) return;
  let timer;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => { timer = setTimeout(r, timeoutMs); })]);
  clearTimeout(timer);
  child.stdin.end();
}

/** A valid Thai citizen ID: 12 digits from `start + n`, then the mod-11 check digit. */
export function citizenId(n, start = 100000000000) {
  const first12 = String(start + n).slice(0, 12);
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (13 - i);
  return first12 + String((11 - (sum % 11)) % 10);
}

/** RFC 4180 records (quoted fields, "" escapes, CRLF or LF); blank lines skipped. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}
