#!/usr/bin/env node
// Checks the container build files without a Docker engine:
//   node tests/k8s/dockerfiles.mjs
// Parses every deploy/docker/*.Dockerfile (instructions, stages, base images,
// final user, packages, what the final stage runs) and deploy/compose.yaml
// (services, images, settings passed to each binary, ordering, hardening).
// Prints one line per check and ends with "N passed, M failed"; a COPY
// source missing from the build context is a failure. "skip" lines (the
// runtime checks of a Dockerfile whose image does not ship) are not counted.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, Report, binaryForImage, envProblems, loadTool, parseImage, readSettings, subcommandOf } from './lib.mjs';

const YAML = loadTool('yaml');
const SETTINGS = readSettings();
const DOCKER_DIR = path.join(ROOT, 'deploy', 'docker');
const COMPOSE = path.join(ROOT, 'deploy', 'compose.yaml');

const INSTRUCTIONS = new Set(['FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT',
  'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL']);
// Packages that belong in a build stage, never in the image that ships.
const BUILD_ONLY = /^(build-essential|cmake|ninja-build|g\+\+.*|gcc.*|clang.*|make|pkg-config|protobuf-compiler.*|nodejs|npm|git|.*-dev)$/;

// ---- Dockerfile parsing --------------------------------------------------------

// Returns { instructions: [{ line, keyword, args, flags }], problems }.
export function parseDockerfile(text) {
  const problems = [];
  const instructions = [];
  const lines = text.split('\n');
  let i = 0;
  let directivesDone = false;
  while (i < lines.length) {
    const start = i + 1;
    let line = lines[i];
    i += 1;
    const trimmed = line.trim();
    if (trimmed === '') {
      directivesDone = true;
      continue;
    }
    if (trimmed.startsWith('#')) {
      if (!directivesDone && /^#\s*escape\s*=/.test(trimmed)) problems.push(`line ${start}: escape directive not supported by this checker`);
      continue;
    }
    directivesDone = true;
    // Join continuation lines (comment lines inside a continuation are skipped, as Docker does).
    while (/\\\s*$/.test(line) && i < lines.length) {
      line = line.replace(/\\\s*$/, ' ');
      while (i < lines.length && lines[i].trim().startsWith('#')) i += 1;
      if (i < lines.length) {
        line += lines[i];
        i += 1;
      }
    }
    const m = line.trim().match(/^(\S+)\s*(.*)$/s);
    const keyword = m[1].toUpperCase();
    let rest = m[2].trim();
    if (!INSTRUCTIONS.has(keyword)) {
      problems.push(`line ${start}: unknown instruction ${m[1]}`);
      continue;
    }
    if (/<<-?\s*["']?\w+/.test(rest) && (keyword === 'RUN' || keyword === 'COPY')) {
      problems.push(`line ${start}: heredocs are not supported by this checker`);
    }
    const flags = {};
    while (rest.startsWith('--')) {
      const f = rest.match(/^--([\w-]+)(?:=(\S*))?\s*/);
      if (!f) break;
      flags[f[1]] = f[2] ?? true;
      rest = rest.slice(f[0].length);
    }
    instructions.push({ line: start, keyword, args: rest, flags });
  }
  if (!instructions.length) problems.push('no instructions');
  return { instructions, problems };
}

// Splits into stages: [{ image, name, index, instructions }].
function stagesOf(instructions) {
  const stages = [];
  const pre = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = ins.args.match(/^(\S+)(?:\s+AS\s+(\S+))?\s*$/i);
      stages.push({ image: m?.[1] ?? ins.args, name: m?.[2]?.toLowerCase() ?? null, index: stages.length, line: ins.line, instructions: [] });
    } else if (stages.length) {
      stages.at(-1).instructions.push(ins);
    } else {
      pre.push(ins);
    }
  }
  return { stages, pre };
}

function execForm(args) {
  try {
    const v = JSON.parse(args);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : null;
  } catch {
    return null;
  }
}

function aptPackages(stage) {
  const pkgs = [];
  for (const ins of stage.instructions.filter((x) => x.keyword === 'RUN')) {
    for (const m of ins.args.matchAll(/apt-get\s+install\s+([^&|;]*)/g)) {
      for (const word of m[1].split(/\s+/)) if (word && !word.startsWith('-')) pkgs.push(word);
    }
  }
  return pkgs;
}

function copySources(ins) {
  const form = execForm(ins.args);
  const parts = form ?? ins.args.split(/\s+/).filter(Boolean);
  return parts.slice(0, -1);
}

// What each Dockerfile is: a binary's runtime image (tests/k8s/settings.json),
// the builder that compiles them all, the image of a host build, a
// datastore image Compose runs, or the documents the gateway serves.
const ROLES = { builder: 'builder', 'host-binaries': 'host', postgres: 'datastore', redis: 'datastore', sources: 'documents' };
// Base images made by deploy/docker/images.sh (no registry is reachable).
const LOCAL_BASES = /^bkkbudget\/(debian:bookworm|builder:local)$/;

function checkDockerfile(report, file, text = fs.readFileSync(file, 'utf8')) {
  const rel = path.relative(ROOT, file);
  const name = path.basename(file, '.Dockerfile');
  const binary = SETTINGS[name];
  const role = binary ? 'service' : ROLES[name] ?? 'unknown';
  report.check(`${rel}: is a known image (a binary's, the builder, host binaries, a datastore or the documents)`, role === 'unknown' ? [`${name} is none of them`] : []);
  // Datastore images take their context from deploy/docker, the others from the root.
  const context = role === 'datastore' ? DOCKER_DIR : ROOT;
  const { instructions, problems: parseProblems } = parseDockerfile(text);
  report.check(`${rel}: parses; only known instructions (${instructions.length})`, parseProblems);
  // No registry is reachable here: a `# syntax=` line makes BuildKit pull its
  // frontend, and heredocs need that newer frontend.
  const offline = text.split('\n').flatMap((line, i) =>
    /^#\s*syntax\s*=/i.test(line) ? [`line ${i + 1}: ${line}`] : /<<-?\s*["']?[A-Za-z_]+["']?\s*$/.test(line) ? [`line ${i + 1}: a heredoc`] : []);
  report.check(`${rel}: builds offline with the built-in frontend (no # syntax= line, no heredoc)`, offline);
  const { stages, pre } = stagesOf(instructions);
  const final = stages.at(-1);
  // FROM ${ARG} is read with the ARG's default (the builder image by default).
  const argDefaults = Object.fromEntries(pre.filter((x) => x.keyword === 'ARG' && x.args.includes('='))
    .map((x) => [x.args.slice(0, x.args.indexOf('=')).trim(), x.args.slice(x.args.indexOf('=') + 1).trim()]));
  for (const st of stages) st.image = st.image.replace(/\$\{?([A-Z_]+)\}?/g, (m, n) => argDefaults[n] ?? m);

  report.check(`${rel}: only ARG before the first FROM`, pre.filter((x) => x.keyword !== 'ARG').map((x) => `line ${x.line}: ${x.keyword}`));

  const names = new Set();
  const pinned = [];
  const bookworm = [];
  for (const s of stages) {
    if (s.name) {
      if (names.has(s.name)) pinned.push(`stage name ${s.name} used twice`);
    }
    if (names.has(s.image.toLowerCase())) { // FROM an earlier stage
      if (s.name) names.add(s.name);
      continue;
    }
    if (s.name) names.add(s.name);
    const { tag, digest } = parseImage(s.image);
    if (role === 'host' && s.image === 'scratch') continue;
    if (s.image.includes('$')) pinned.push(`line ${s.line}: ${s.image} is set by a build argument without a default`);
    else if (!digest && (!tag || tag === 'latest')) pinned.push(`line ${s.line}: ${s.image} has no pinned tag`);
    if (!LOCAL_BASES.test(s.image)) bookworm.push(`line ${s.line}: ${s.image} is not an image ./bkk images makes (bkkbudget/debian:bookworm, the builder)`);
  }
  report.check(`${rel}: every FROM pins a tag; stage names unique`, pinned);
  report.check(`${rel}: every base image is made here on Debian 12 (bookworm)`, bookworm);

  const fromProblems = [];
  stages.forEach((s, idx) => {
    const earlier = new Set(stages.slice(0, idx).flatMap((x) => (x.name ? [x.name, String(x.index)] : [String(x.index)])));
    for (const ins of s.instructions) {
      if (ins.keyword === 'COPY' && typeof ins.flags.from === 'string' && !earlier.has(ins.flags.from.toLowerCase())) {
        fromProblems.push(`line ${ins.line}: COPY --from=${ins.flags.from} is not an earlier stage`);
      }
    }
  });
  report.check(`${rel}: COPY --from names an earlier stage`, fromProblems);

  const addProblems = instructions.filter((x) => x.keyword === 'ADD').map((x) => (
    /(https?:|git@|ftp:)/.test(x.args) ? `line ${x.line}: ADD of a remote URL` : `line ${x.line}: ADD (use COPY)`));
  report.check(`${rel}: no ADD (no remote downloads)`, addProblems);

  const copies = (ins) => copySources(ins);
  if (role === 'builder') {
    const runs = instructions.filter((x) => x.keyword === 'RUN').map((x) => x.args).join('\n');
    const problems = [];
    for (const target of [...Object.values(SETTINGS).map((b) => path.basename(b.build))]) {
      if (!new RegExp(`--target[^\n]*\\b${target.replace('-', '\\-')}\\b`).test(runs)) problems.push(`does not build ${target}`);
    }
    if (!/npm ci/.test(runs) || !/npm run build/.test(runs)) problems.push('does not build the web app (npm ci, npm run build)');
    if (!/--mount=type=cache,target=\/root\/\.ccache/.test(text)) problems.push('no ccache cache mount');
    report.check(`${rel}: compiles every binary and the web app once into /out`, problems);
  }
  if (role === 'host' || role === 'builder') {
    report.skip(`${rel}: runtime checks`, 'not an image that ships');
    checkIgnore(report, rel, file);
    return;
  }
  const users = (final?.instructions ?? []).filter((x) => x.keyword === 'USER');
  const lastUser = users.at(-1)?.args;
  const userProblems = [];
  if (!lastUser) userProblems.push('final stage has no USER');
  else if (role === 'datastore' && /^(root|0)(:.*)?$/.test(lastUser)) userProblems.push(`final USER ${lastUser} is root`);
  else if (role !== 'datastore' && !/^[1-9][0-9]*(:[0-9]+)?$/.test(lastUser)) userProblems.push(`final USER ${lastUser} is not a numeric non-root uid`);
  else {
    const lastUserIndex = final.instructions.lastIndexOf(users.at(-1));
    const after = final.instructions.slice(lastUserIndex + 1).filter((x) => x.keyword === 'RUN');
    if (after.length) userProblems.push(`RUN after the final USER (line ${after[0].line})`);
  }
  report.check(`${rel}: final stage runs as a ${role === 'datastore' ? '' : 'numeric '}non-root user`, userProblems);
  if (role === 'datastore') {
    report.check(`${rel}: has a HEALTHCHECK (Compose waits for it)`,
      final.instructions.some((x) => x.keyword === 'HEALTHCHECK') ? [] : ['no HEALTHCHECK']);
    checkSources(report, rel, instructions, context);
    checkIgnore(report, rel, file);
    return;
  }

  if (role === 'documents') {
    // The gateway pod's init container: copies data/sources to the volume
    // the gateway serves from (k8s/base/gateway.yaml).
    const root = SETTINGS.gateway.settings.BKK_SOURCES_ROOT.default;
    const problems = [];
    if (!final.instructions.some((x) => x.keyword === 'COPY' && !x.flags.from && /^data\/sources\/?\s+\/sources\/?$/.test(x.args))) problems.push('no COPY data/sources/ /sources/');
    const entry = final.instructions.filter((x) => x.keyword === 'ENTRYPOINT').at(-1);
    const form = entry && execForm(entry.args);
    if (!form || form[0] !== 'cp' || form.at(-1).replace(/\/$/, '') !== root) problems.push(`ENTRYPOINT does not copy (exec form cp) into ${root}, the gateway's BKK_SOURCES_ROOT`);
    if (final.instructions.some((x) => x.keyword === 'RUN')) problems.push('RUN in an image that only carries files');
    report.check(`${rel}: carries data/sources and copies it to ${root}`, problems);
    checkSources(report, rel, instructions, context);
    checkIgnore(report, rel, file);
    return;
  }

  const pkgs = final ? aptPackages(final) : [];
  report.check(`${rel}: final stage installs runtime packages only (${pkgs.length})`, pkgs.filter((p) => BUILD_ONLY.test(p)).map((p) => `${p} is a build package`));
  report.check(`${rel}: final stage checks the binary's shared libraries resolve (ldd)`,
    (final?.instructions ?? []).some((x) => x.keyword === 'RUN' && /ldd .*not found/.test(x.args)) ? [] : ['no RUN ldd ... not found guard']);

  // What the image runs.
  const runs = [];
  if (!binary) runs.push(`no binary ${name} in tests/k8s/settings.json`);
  else {
    const built = `/out/${path.basename(binary.build)}`;
    const copy = final.instructions.find((x) => x.keyword === 'COPY' && x.flags.from && copies(x).some((src) => src === built));
    if (!copy) runs.push(`no COPY --from the builder of ${built}`);
    const entry = final.instructions.filter((x) => x.keyword === 'ENTRYPOINT').at(-1);
    const form = entry && execForm(entry.args);
    const dest = copy?.args.split(/\s+/).at(-1);
    if (!form) runs.push('ENTRYPOINT is not in exec (JSON) form');
    else if (dest && form[0] !== dest) runs.push(`ENTRYPOINT runs ${form[0]}, the binary is copied to ${dest}`);
    const cmd = final.instructions.filter((x) => x.keyword === 'CMD').at(-1);
    if (cmd) {
      const cmdForm = execForm(cmd.args);
      if (!cmdForm) runs.push('CMD is not in exec (JSON) form');
      else if (subcommandOf(cmdForm, binary).error) runs.push(`CMD: ${subcommandOf(cmdForm, binary).error}`);
    }
    const exposed = final.instructions.filter((x) => x.keyword === 'EXPOSE').flatMap((x) => x.args.split(/\s+/));
    if (!exposed.includes(String(binary.port.number))) runs.push(`does not EXPOSE ${binary.port.number}`);
    const envText = final.instructions.filter((x) => x.keyword === 'ENV').map((x) => x.args).join(' ');
    const envNames = [...envText.matchAll(/(?:^|\s)([A-Z_][A-Z0-9_]*)=/g)].map((m) => m[1]);
    for (const n of envNames) if (!(n in binary.settings)) runs.push(`ENV ${n} is not a setting of ${name}`);
    if (!envText.includes(`${binary.listen}=0.0.0.0:${binary.port.number}`)) runs.push(`ENV ${binary.listen}=0.0.0.0:${binary.port.number} missing`);
    for (const n of envNames) if (binary.settings[n]?.secret) runs.push(`ENV ${n} bakes a secret into the image`);
  }
  report.check(`${rel}: final stage copies ${binary ? path.basename(binary.build) : name} from the builder and runs it`, runs);

  if (name === 'budget-data') {
    const hasData = final.instructions.some((x) => x.keyword === 'COPY' && !x.flags.from && /^data\/?\s+\/data\/?$/.test(x.args));
    report.check(`${rel}: the dataset is baked in at /data (the import Job runs \`import /data\`)`, hasData ? [] : ['no COPY data/ /data/']);
  }
  if (name === 'gateway') {
    const root = SETTINGS.gateway.settings.BKK_WEB_ROOT.default;
    const baked = final.instructions.some((x) => x.keyword === 'COPY' && x.flags.from && copies(x).includes('/out/web/') && x.args.trim().endsWith(`${root}/`));
    report.check(`${rel}: the web app the builder built is baked in at ${root}`, baked ? [] : [`no COPY --from the builder of /out/web/ to ${root}/`]);
  }

  checkSources(report, rel, instructions, context);
  checkIgnore(report, rel, file);
}

// Sources copied from the build context exist: a missing one fails the build.
function checkSources(report, rel, instructions, context) {
  const missing = [];
  for (const ins of instructions.filter((x) => (x.keyword === 'COPY' || x.keyword === 'ADD') && !x.flags.from)) {
    for (const src of copySources(ins)) if (!fs.existsSync(path.join(context, src))) missing.push(src);
  }
  report.check(`${rel}: COPY sources exist in its context (${path.relative(ROOT, context) || '.'})`,
    missing.map((m) => `${m} is missing`));
}

// The context sent to the engine: nothing (`*` first) or the tree without
// build outputs, local state and node_modules.
function checkIgnore(report, rel, file) {
  const ignore = `${file}.dockerignore`;
  const problems = [];
  if (path.basename(file) === 'host-binaries.Dockerfile') return; // its context is a staging folder
  if (!fs.existsSync(ignore)) problems.push(`no ${path.basename(ignore)}`);
  else {
    const lines = fs.readFileSync(ignore, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    if (lines[0] !== '*') {
      for (const must of ['build', '.local', '**/node_modules']) if (!lines.includes(must)) problems.push(`does not ignore ${must}`);
    }
  }
  report.check(`${rel}: its .dockerignore keeps build outputs and node_modules out of the context`, problems);
}

// ---- compose.yaml ----------------------------------------------------------------

function environmentOf(service) {
  const env = {};
  const raw = service.environment ?? {};
  const entries = Array.isArray(raw) ? raw.map((e) => { const i = String(e).indexOf('='); return i < 0 ? [e, null] : [e.slice(0, i), e.slice(i + 1)]; }) : Object.entries(raw);
  for (const [k, v] of entries) env[k] = { value: v === null ? null : String(v), secret: v === null || String(v).includes('${') };
  return env;
}

function seconds(duration) {
  const m = String(duration ?? '').match(/^(?:(\d+)m)?(?:(\d+)s)?$/);
  if (!m || (!m[1] && !m[2])) return null;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

function checkCompose(report, text = fs.readFileSync(COMPOSE, 'utf8')) {
  const rel = path.relative(ROOT, COMPOSE);
  let doc;
  try {
    doc = YAML.parse(text, { merge: true });
    report.check(`${rel}: parses`, doc?.services ? [] : ['no services']);
  } catch (error) {
    report.check(`${rel}: parses`, [error.message]);
    return;
  }
  const services = doc.services;
  const byBinary = {};
  for (const [svcName, svc] of Object.entries(services)) {
    const problems = [];
    const image = svc.image ?? '';
    const { tag, digest } = parseImage(image);
    if (!image) problems.push('no image name');
    else if (!digest && (!tag || tag === 'latest')) problems.push(`image ${image} has no pinned tag`);
    for (const p of svc.ports ?? []) {
      const spec = typeof p === 'object' ? `${p.host_ip ?? ''}:${p.published}:${p.target}` : String(p);
      if (!spec.startsWith('127.0.0.1:')) problems.push(`port ${spec} is not bound to 127.0.0.1`);
    }
    for (const dep of Object.keys(Array.isArray(svc.depends_on) ? Object.fromEntries(svc.depends_on.map((d) => [d, {}])) : svc.depends_on ?? {})) {
      if (!(dep in services)) problems.push(`depends on unknown service ${dep}`);
    }
    const binaryName = binaryForImage(image, SETTINGS);
    if (binaryName) {
      const binary = SETTINGS[binaryName];
      (byBinary[binaryName] ??= []).push(svcName);
      if (svc.entrypoint) problems.push('overrides the image entrypoint');
      const command = Array.isArray(svc.command) ? svc.command : (svc.command ? String(svc.command).split(/\s+/) : []);
      const sub = subcommandOf(command, binary);
      if (sub.error) problems.push(sub.error);
      const env = environmentOf(svc);
      if (sub.name) problems.push(...envProblems(binaryName, binary, sub.name, env));
      if (svc.build) {
        const dockerfile = path.resolve(path.dirname(COMPOSE), svc.build.context ?? '.', svc.build.dockerfile ?? 'Dockerfile');
        if (path.relative(ROOT, dockerfile) !== binary.dockerfile) problems.push(`builds ${path.relative(ROOT, dockerfile)}, expected ${binary.dockerfile}`);
        if (path.resolve(path.dirname(COMPOSE), svc.build.context ?? '.') !== ROOT) problems.push('build context is not the repository root');
      }
      if (!svc.read_only) problems.push('root filesystem is writable (read_only: true)');
      if (!(svc.cap_drop ?? []).includes('ALL')) problems.push('capabilities not dropped (cap_drop: [ALL])');
      if (svc.user !== undefined && !/^[1-9][0-9]*(:[0-9]+)?$/.test(String(svc.user))) problems.push(`user ${svc.user} is not a numeric non-root uid`);
      if (sub.name && binary.subcommands[sub.name]?.serves) {
        const listen = env[binary.listen]?.value ?? binary.settings[binary.listen].default;
        if (listen !== `0.0.0.0:${binary.port.number}`) problems.push(`${binary.listen}=${listen}: other containers cannot reach it`);
        const drain = Number(env.BKK_DRAIN_SECONDS?.value ?? binary.settings.BKK_DRAIN_SECONDS.default);
        const grace = seconds(svc.stop_grace_period ?? '10s');
        if (!(grace > drain)) problems.push(`stop_grace_period ${svc.stop_grace_period ?? '10s (default)'} is not longer than BKK_DRAIN_SECONDS ${drain}`);
      } else if (sub.name && svc.restart && svc.restart !== 'no') {
        problems.push(`one-shot ${sub.name} must not restart (restart: "no")`);
      }
      report.check(`${rel}: service ${svcName} runs ${binaryName} ${sub.name ?? '?'} with the settings it reads`, problems);
    } else {
      report.check(`${rel}: service ${svcName} (${image}) is pinned, local-only and its dependencies exist`, problems);
    }
  }
  const shape = [];
  for (const b of Object.keys(SETTINGS)) if (!byBinary[b]) shape.push(`no service runs ${b}`);
  for (const need of ['postgres', 'redis']) {
    if (!Object.values(services).some((s) => String(s.image ?? '').startsWith(`bkkbudget/${need}:`))) shape.push(`no ${need} service (bkkbudget/${need}, made by ./bkk images)`);
  }
  const oneShots = Object.entries(services).filter(([, s]) => {
    const b = binaryForImage(s.image ?? '', SETTINGS);
    const cmd = Array.isArray(s.command) ? s.command : [];
    return b && ['migrate', 'import'].includes(cmd[0]);
  }).map(([n]) => n);
  if (!oneShots.length) shape.push('no one-shot migrate/import service');
  for (const [name, svc] of Object.entries(services)) {
    for (const [dep, cond] of Object.entries(Array.isArray(svc.depends_on) ? {} : svc.depends_on ?? {})) {
      if (oneShots.includes(dep) && cond?.condition !== 'service_completed_successfully') shape.push(`${name} starts before one-shot ${dep} completes`);
    }
  }
  for (const s of oneShots) {
    if (!Object.values(services).some((svc) => svc.depends_on?.[s]?.condition === 'service_completed_successfully')) shape.push(`nothing waits for ${s}`);
  }
  report.check(`${rel}: PostgreSQL, Redis, one-shot ${oneShots.join(' + ')}, the three services and the gateway`, shape);
}

// ---- main ---------------------------------------------------------------------------

const report = new Report();
const dockerfiles = fs.readdirSync(DOCKER_DIR).filter((f) => f.endsWith('.Dockerfile')).sort();
const expected = Object.keys(SETTINGS).map((b) => path.basename(SETTINGS[b].dockerfile));
report.check('deploy/docker: one Dockerfile per binary', expected.filter((f) => !dockerfiles.includes(f)).map((f) => `missing ${f}`));
for (const f of dockerfiles) checkDockerfile(report, path.join(DOCKER_DIR, f));
checkCompose(report);

// The checker's own test: each known defect must make some check fail.
class Collector {
  constructor() {
    this.failures = [];
  }

  check(name, problems) {
    if (problems.length) this.failures.push(`${name}: ${problems[0]}`);
  }

  skip() {}
}

const composeText = fs.readFileSync(COMPOSE, 'utf8');
// [what, how to make it, the Dockerfile (budget-data unless named)]
const DOCKER_DEFECTS = [
  ['an unknown instruction', (t) => t.replace('LABEL ', 'LABELL ')],
  ['a # syntax= line', (t) => `# syntax=docker/dockerfile:1\n${t}`],
  ['an unpinned base image', (t) => t.replace('FROM bkkbudget/debian:bookworm', 'FROM debian')],
  ['a base image from a registry', (t) => t.replace('FROM bkkbudget/debian:bookworm', 'FROM ubuntu:24.04')],
  ['a builder argument without a default', (t) => t.replace('ARG BUILDER=bkkbudget/builder:local', 'ARG BUILDER')],
  ['a root final user', (t) => t.replace('USER 10001:10001', 'USER root')],
  ['no final USER', (t) => t.replace('USER 10001:10001\n', '')],
  ['a remote ADD', (t) => t.replace('COPY data/ /data/', 'ADD https://example.org/data.tgz /data/')],
  ['COPY --from an unknown stage', (t) => t.replace('COPY --from=binaries', 'COPY --from=nowhere')],
  ['a COPY source missing from the tree', (t) => t.replace('COPY data/ /data/', 'COPY data/ /data/\nCOPY no-such-dir/ /x/')],
  ['a compiler in the final stage', (t) => t.replace('libgrpc++1.51 libgrpc29', 'libgrpc++1.51 build-essential libgrpc29')],
  ['a shell-form ENTRYPOINT', (t) => t.replace('ENTRYPOINT ["/usr/local/bin/budget-data"]', 'ENTRYPOINT /usr/local/bin/budget-data')],
  ['a setting the binary does not read', (t) => t.replace('ENV BKK_LISTEN=0.0.0.0:50051', 'ENV BKK_LISTEN=0.0.0.0:50051 BKK_LISTEN_PORT=50051')],
  ['documents copied where the gateway does not read', (t) => t.replace('"/app/sources/"]', '"/tmp/sources/"]'), 'sources'],
];
const COMPOSE_DEFECTS = [
  ['a missing required setting', (t) => t.replace(/( {2}voting:\n[\s\S]*?)\n {6}BKK_VOTER_KEY: [^\n]*/, '$1')],
  ['a setting the binary does not read', (t) => t.replace('      BKK_BUDGET_ADDR: budget-data:50051\n      BKK_DRAIN', '      BKK_BUDGET_ADDR: budget-data:50051\n      BKK_BUDGET_URL: x\n      BKK_DRAIN')],
  ['a secret written into the file', (t) => t.replace('BKK_ADMIN_TOKEN: ${BKK_ADMIN_TOKEN:?export BKK_ADMIN_TOKEN}', 'BKK_ADMIN_TOKEN: hunter2')],
  ['a port open to the network', (t) => t.replace('"127.0.0.1:${BKK_COMPOSE_HTTP_PORT:-8080}:8080"', '"8080:8080"')],
  ['a service started before its one-shot import', (t) => t.replace('budget-import:\n        condition: service_completed_successfully', 'budget-import:\n        condition: service_started')],
];
const dockerBaselines = new Map();  // Dockerfile name -> { file, original, baseline }, checked once
for (const [what, mutate, name = 'budget-data'] of DOCKER_DEFECTS) {
  if (!dockerBaselines.has(name)) {
    const file = path.join(DOCKER_DIR, `${name}.Dockerfile`);
    const original = fs.readFileSync(file, 'utf8');
    const baseline = new Collector();
    checkDockerfile(baseline, file, original);
    dockerBaselines.set(name, { file, original, baseline });
  }
  const { file, original, baseline } = dockerBaselines.get(name);
  const c = new Collector();
  const text = mutate(original);
  if (text === original) {
    report.check(`self-test: Dockerfile with ${what} is caught`, ['the defect could not be made']);
    continue;
  }
  checkDockerfile(c, file, text);
  const caught = c.failures.filter((f) => !baseline.failures.includes(f));
  report.check(`self-test: Dockerfile with ${what} is caught${caught.length ? ` (${caught[0]})` : ''}`, caught.length ? [] : ['no check failed']);
}
const composeBaseline = new Collector();
checkCompose(composeBaseline, composeText);
for (const [what, mutate] of COMPOSE_DEFECTS) {
  const c = new Collector();
  const text = mutate(composeText);
  if (text === composeText) {
    report.check(`self-test: compose with ${what} is caught`, ['the defect could not be made']);
    continue;
  }
  checkCompose(c, text);
  const caught = c.failures.filter((f) => !composeBaseline.failures.includes(f));
  report.check(`self-test: compose with ${what} is caught${caught.length ? ` (${caught[0]})` : ''}`, caught.length ? [] : ['no check failed']);
}
const SELF = [
  ['a continuation line with a comment inside', 'FROM debian:12.11-slim\nRUN a \\\n  # note\n  b\nUSER 10001\n', (r) => r.instructions.length === 3 && /a\s+b/.test(r.instructions[1].args)],
];
for (const [what, text, ok] of SELF) report.check(`self-test: parser joins ${what}`, ok(parseDockerfile(text)) ? [] : ['not handled']);
report.finish();
