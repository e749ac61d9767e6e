#!/usr/bin/env node
// The Kubernetes manifests against the images `./bkk images` built, read from
// the engine (docker image inspect): every container of ours names an image
// that exists (dev: tag local; prod: deploy/docker/VERSION), runs as the user the pod's security
// context says, and every port it declares or probes is one the image exposes;
// the image runs the binary the manifest's settings are checked against.
// The documents image (bkkbudget/sources) is run as its init container runs:
// it must leave exactly data/sources, byte for byte, in the pod's volume.
//   node tests/k8s/images.mjs      (needs the images; tests/containers/compose.sh runs it)
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, Report, binaryForImage, isSourcesImage, loadTool, readSettings } from './lib.mjs';

const YAML = loadTool('yaml');
const SETTINGS = readSettings();
const VERSION = fs.readFileSync(path.join(ROOT, 'deploy', 'docker', 'VERSION'), 'utf8').trim();
const report = new Report();

function inspect(image) {
  try {
    return JSON.parse(execFileSync('/usr/bin/docker', ['image', 'inspect', image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))[0];
  } catch {
    return null;
  }
}

// Relative path -> sha256 of every file under dir.
function tree(dir, rel = '', out = {}) {
  for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const name = path.join(rel, entry.name);
    if (entry.isDirectory()) tree(dir, name, out);
    else out[name] = crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, name))).digest('hex');
  }
  return out;
}

const SOURCES = tree(path.join(ROOT, 'data', 'sources'));

// Runs the documents image as the pod does (its user, read-only root, the
// volume at its mountPath) into a fresh directory; returns the problems.
function checkDocumentsImage(image, container, podSecurity) {
  const sc = { ...(podSecurity ?? {}), ...(container.securityContext ?? {}) };
  const mount = (container.volumeMounts ?? [])[0]?.mountPath;
  if (!mount) return ['the init container mounts no volume'];
  const volume = fs.mkdtempSync(path.join(os.tmpdir(), 'bkk-sources-volume-'));
  try {
    fs.chownSync(volume, sc.runAsUser, sc.runAsGroup);  // as fsGroup makes an emptyDir writable
    execFileSync('/usr/bin/docker', ['run', '--rm', '--network', 'none', '--read-only', '--cap-drop', 'ALL',
      '--user', `${sc.runAsUser}:${sc.runAsGroup}`, '-v', `${volume}:${mount}`, image], { stdio: ['ignore', 'ignore', 'pipe'] });
    const copied = tree(volume);
    const problems = [];
    for (const [name, sha] of Object.entries(SOURCES)) {
      if (!(name in copied)) problems.push(`${name} is not in the volume`);
      else if (copied[name] !== sha) problems.push(`${name} differs from data/sources`);
    }
    for (const name of Object.keys(copied)) if (!(name in SOURCES)) problems.push(`${name} is not in data/sources`);
    return problems;
  } catch (error) {
    return [`${image} did not run: ${String(error.stderr ?? error.message).trim().split('\n').at(-1)}`];
  } finally {
    fs.rmSync(volume, { recursive: true, force: true });
  }
}

for (const overlay of ['dev', 'prod']) {
  const text = execFileSync('kubectl', ['kustomize', path.join(ROOT, 'k8s', 'overlays', overlay)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  for (const doc of YAML.parseAllDocuments(text).map((d) => d.toJSON()).filter(Boolean)) {
    const spec = doc.spec?.template?.spec ?? doc.spec?.jobTemplate?.spec?.template?.spec;
    if (!spec) continue;
    for (const c of spec.initContainers ?? []) {
      if (!isSourcesImage(c.image)) continue;
      const want = `bkkbudget/sources:${overlay === 'dev' ? 'local' : VERSION}`;
      const problems = c.image === want ? [] : [`image ${c.image}, ./bkk images builds ${want}`];
      if (!inspect(c.image)) problems.push(`no image ${c.image} in the engine (run ./bkk images)`);
      else problems.push(...checkDocumentsImage(c.image, c, spec.securityContext));
      report.check(`${overlay}: ${doc.kind}/${doc.metadata.name} init container ${c.name}: ${c.image} fills its volume with data/sources (${Object.keys(SOURCES).length} files)`, problems);
    }
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      const binaryName = binaryForImage(c.image ?? '', SETTINGS);
      if (!binaryName) continue;
      const where = `${overlay}: ${doc.kind}/${doc.metadata.name} container ${c.name}`;
      const problems = [];
      // dev runs what ./bkk images tagged local; prod the release tag (VERSION).
      const want = `${SETTINGS[binaryName].image}:${overlay === 'dev' ? 'local' : VERSION}`;
      if (c.image !== want) problems.push(`image ${c.image}, ./bkk images builds ${want}`);
      const meta = inspect(c.image);
      if (!meta) {
        problems.push(`no image ${c.image} in the engine (run ./bkk images)`);
      } else {
        const cfg = meta.Config ?? {};
        const sc = { ...(spec.securityContext ?? {}), ...(c.securityContext ?? {}) };
        if (cfg.User !== `${sc.runAsUser}:${sc.runAsGroup}`) problems.push(`image user ${cfg.User}, the pod runs as ${sc.runAsUser}:${sc.runAsGroup}`);
        const exposed = Object.keys(cfg.ExposedPorts ?? {}).map((p) => Number(p.split('/')[0]));
        const named = Object.fromEntries((c.ports ?? []).map((p) => [p.name, p.containerPort]));
        for (const p of c.ports ?? []) if (!exposed.includes(p.containerPort)) problems.push(`port ${p.name} ${p.containerPort} is not exposed by the image (${exposed.join(', ')})`);
        for (const kind of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
          const probe = c[kind];
          if (!probe) continue;
          const port = probe.grpc?.port ?? probe.httpGet?.port ?? probe.tcpSocket?.port;
          const number = typeof port === 'string' ? named[port] : port;
          if (number !== undefined && !exposed.includes(number)) problems.push(`${kind} port ${port} is not exposed by the image`);
        }
        const entry = (cfg.Entrypoint ?? [])[0] ?? '';
        if (path.basename(entry) !== path.basename(SETTINGS[binaryName].build)) problems.push(`the image runs ${entry}, not ${path.basename(SETTINGS[binaryName].build)}`);
        for (const e of cfg.Env ?? []) {
          const name = e.slice(0, e.indexOf('='));
          if (name.startsWith('BKK_') && !(name in SETTINGS[binaryName].settings)) problems.push(`the image sets ${name}, which ${binaryName} does not read`);
        }
      }
      report.check(`${where}: matches the built image ${c.image}`, problems);
    }
  }
}
report.finish();
