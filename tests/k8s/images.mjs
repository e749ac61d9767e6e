#!/usr/bin/env node
// The Kubernetes manifests against the images `./bkk images` built, read from
// the engine (docker image inspect): every container of ours names an image
// that exists (dev: tag local; prod: deploy/docker/VERSION), runs as the user the pod's security
// context says, and every port it declares or probes is one the image exposes;
// the image runs the binary the manifest's settings are checked against.
//   node tests/k8s/images.mjs      (needs the images; tests/containers/compose.sh runs it)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, Report, binaryForImage, loadTool, readSettings } from './lib.mjs';

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

for (const overlay of ['dev', 'prod']) {
  const text = execFileSync('kubectl', ['kustomize', path.join(ROOT, 'k8s', 'overlays', overlay)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  for (const doc of YAML.parseAllDocuments(text).map((d) => d.toJSON()).filter(Boolean)) {
    const spec = doc.spec?.template?.spec ?? doc.spec?.jobTemplate?.spec?.template?.spec;
    if (!spec) continue;
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
