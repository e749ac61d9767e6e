// Shared by validate.mjs and dockerfiles.mjs: repository paths, the npm
// packages installed in tests/tools, settings.json, and the report (one line
// per check, then "N passed, M failed").
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TOOLS = path.join(ROOT, 'tests', 'tools');
export const toolRequire = createRequire(path.join(TOOLS, 'package.json'));

// Loads an npm package from tests/tools/node_modules, or stops with a hint.
export function loadTool(name) {
  try {
    return toolRequire(name);
  } catch (error) {
    console.error(`missing npm package ${name} (${error.code ?? error.message}): run \`npm ci\` in tests/tools`);
    process.exit(2);
  }
}

export function readSettings() {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'k8s', 'settings.json'), 'utf8')).binaries;
}

// "reg:5000/bkkbudget/voting:1.2@sha256:..." -> { repo: "reg:5000/bkkbudget/voting", tag: "1.2", digest: "sha256:..." }
export function parseImage(image) {
  let rest = String(image);
  let digest = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { repo: rest, tag, digest };
}

// The documents image (deploy/docker/sources.Dockerfile): the gateway pod's
// init container, by repository name (any registry prefix).
export function isSourcesImage(image) {
  return /(^|\/)bkkbudget\/sources$/.test(parseImage(image ?? '').repo);
}

// Which of our binaries an image runs, by repository name (any registry prefix).
export function binaryForImage(image, settings) {
  const { repo } = parseImage(image);
  for (const [name, binary] of Object.entries(settings)) {
    if (repo === binary.image || repo.endsWith(`/${binary.image}`)) return name;
  }
  return null;
}

// The subcommand an argument list selects: the first argument if it names one,
// otherwise the default. Returns { name, error }.
export function subcommandOf(args, binary) {
  const names = Object.keys(binary.subcommands);
  const first = (args ?? [])[0];
  if (first === undefined || String(first).startsWith('-')) {
    return { name: names.find((n) => binary.subcommands[n].default), error: null };
  }
  if (names.includes(first)) return { name: first, error: null };
  return { name: null, error: `unknown subcommand "${first}" (known: ${names.join(', ')})` };
}

// Checks a binary's environment: only names it reads, every required one for
// the subcommand, secrets only from somewhere secret. `env` maps name ->
// { secret: bool } (secret = value comes from a Secret or an interpolated
// variable, not a literal in the file).
export function envProblems(binaryName, binary, subcommand, env) {
  const problems = [];
  for (const name of Object.keys(env)) {
    if (!(name in binary.settings)) problems.push(`${binaryName} does not read ${name}`);
  }
  for (const [name, spec] of Object.entries(binary.settings)) {
    if ((spec.required ?? []).includes(subcommand) && !(name in env)) {
      problems.push(`${binaryName} ${subcommand} needs ${name}`);
    }
    if (spec.secret && name in env && !env[name].secret) {
      problems.push(`${name} is a secret but is given as a literal value`);
    }
  }
  return problems;
}

export class Report {
  constructor() {
    this.passed = 0;
    this.failed = 0;
  }

  // One line per check: "ok   name" or "FAIL name: problem; problem".
  check(name, problems) {
    if (problems.length === 0) {
      this.passed += 1;
      console.log(`ok   ${name}`);
    } else {
      this.failed += 1;
      console.log(`FAIL ${name}: ${problems.join('; ')}`);
    }
  }

  // A check that cannot run yet; printed, not counted.
  skip(name, reason) {
    console.log(`skip ${name}: ${reason}`);
  }

  finish() {
    console.log(`${this.passed} passed, ${this.failed} failed`);
    process.exit(this.failed > 0 ? 1 : 0);
  }
}
