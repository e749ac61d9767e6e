#!/usr/bin/env node
// Every stable error reason a service attaches (WithReason(…, "REASON", …) in
// the C++ sources) has a Thai and an English sentence in the web app's
// dictionary (strings.ts, "reason.REASON"), and the dictionary words no
// reason that no service sends. Without this, a new refusal would reach the
// Thai page as a generic sentence and nobody would notice.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2] ?? new URL('../../..', import.meta.url).pathname;
const sourceDirs = ['services', 'common', 'gateway/core'];

function* cppFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* cppFiles(path);
    else if (/\.(cc|h)$/.test(name) && !/_test\.cc$/.test(name)) yield path;
  }
}

// The first UPPER_SNAKE literal after WithReason( is the reason.
const used = new Map();
for (const dir of sourceDirs) {
  for (const file of cppFiles(join(root, dir))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/WithReason\([\s\S]*?"([A-Z][A-Z0-9_]{2,62})"/g)) {
      if (!used.has(m[1])) used.set(m[1], file.slice(root.length));
    }
  }
}

const strings = readFileSync(join(root, 'gateway/web/src/strings.ts'), 'utf8');
const enAt = strings.indexOf('export const en');
const keys = (text) => new Set([...text.matchAll(/'reason\.([A-Z0-9_]+)'/g)].map((m) => m[1]));
const th = keys(strings.slice(0, enAt));
const en = keys(strings.slice(enAt));

const problems = [];
for (const [reason, file] of used) {
  if (!th.has(reason)) problems.push(`${reason} (${file}) has no Thai sentence: add 'reason.${reason}' to th in strings.ts`);
  if (!en.has(reason)) problems.push(`${reason} (${file}) has no English sentence: add 'reason.${reason}' to en in strings.ts`);
}
for (const reason of th) if (!used.has(reason)) problems.push(`'reason.${reason}' in strings.ts: no service sends ${reason}`);
for (const p of problems) console.log(p);
console.log(`${used.size} reasons sent by the services; ${problems.length} problem(s)`);
process.exit(problems.length ? 1 : 0);
