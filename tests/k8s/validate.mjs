#!/usr/bin/env node
// Offline validation of the Kubernetes manifests. Run from anywhere:
//   node tests/k8s/validate.mjs            every overlay under k8s/overlays
//   node tests/k8s/validate.mjs dev        just one
// Renders each overlay with `kubectl kustomize`, validates every object
// against the Kubernetes schema (kubernetes-models 4.x; CRDs by hand), and
// checks what schema validation misses: unknown fields, probes, resources and
// security context of every container, Service selectors and ports, ConfigMap
// and Secret references (present in the overlay or listed in
// k8s/operator-provided.yaml), the settings passed to each binary
// (tests/k8s/settings.json), graceful termination longer than the drain,
// autoscalers, disruption budgets, network reachability and ingresses.
// Then it breaks a copy of the dev overlay in known ways and expects each
// check to notice (so a check that can no longer fail is itself a failure).
// Prints one line per check and ends with "N passed, M failed".
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, Report, binaryForImage, envProblems, isSourcesImage, loadTool, parseImage, readSettings, subcommandOf } from './lib.mjs';
import { checkObject } from './schema.mjs';

const YAML = loadTool('yaml');
const SETTINGS = readSettings();
const OPERATOR = YAML.parse(fs.readFileSync(path.join(ROOT, 'k8s', 'operator-provided.yaml'), 'utf8'));
const K8S_README = fs.readFileSync(path.join(ROOT, 'k8s', 'README.md'), 'utf8');

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);
const SERVING_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass',
  'CustomResourceDefinition', 'PriorityClass', 'IngressClass']);

// Who may open connections to whom, by pod label app.kubernetes.io/name.
// in: pods of this namespace that may connect; out: other namespaces (by
// kubernetes.io/metadata.name) that may; required: flows that must be open.
const REACHABILITY = {
  gateway: {
    in: [], out: ['ingress-nginx', 'monitoring'],
    required: [{ ns: 'ingress-nginx', port: 8080 }, { ns: 'monitoring', port: 9090 }],
  },
  'budget-data': {
    in: ['gateway', 'keyword-analytics'],
    out: ['ingress-nginx', 'monitoring'],
    required: [{ from: 'gateway', port: 50051 }, { from: 'keyword-analytics', port: 50051 }, { ns: 'monitoring', port: 9090 }],
  },
  'keyword-analytics': {
    in: ['gateway'], out: ['ingress-nginx', 'monitoring'],
    required: [{ from: 'gateway', port: 50052 }, { ns: 'monitoring', port: 9090 }],
  },
  voting: {
    in: ['gateway'], out: ['ingress-nginx', 'monitoring'],
    required: [{ from: 'gateway', port: 50053 }, { ns: 'monitoring', port: 9090 }],
  },
  postgres: {
    in: ['budget-data', 'voting', 'postgres'],
    out: ['cnpg-system', 'monitoring'],
    required: [{ from: 'budget-data', port: 5432 }, { from: 'voting', port: 5432 }],
  },
  redis: { in: ['voting', 'redis'], out: [], required: [{ from: 'voting', port: 6379 }] },
};

// ---- rendering ---------------------------------------------------------------

function render(overlay) {
  const out = execFileSync('kubectl', ['kustomize', path.join(ROOT, 'k8s', 'overlays', overlay)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const objects = [];
  for (const doc of YAML.parseAllDocuments(out)) {
    if (doc.errors.length) throw new Error(doc.errors.map((e) => e.message).join('; '));
    const obj = doc.toJS();
    if (obj) objects.push(obj);
  }
  return objects;
}

// ---- helpers -------------------------------------------------------------------

const id = (o) => `${o.kind}/${o.metadata?.name}`;
const labelsMatch = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

function selectorMatches(selector, labels) {
  if (!selector) return false;
  if (!labelsMatch(selector.matchLabels, labels)) return false;
  for (const expr of selector.matchExpressions ?? []) {
    const has = labels && expr.key in labels;
    const value = labels?.[expr.key];
    if (expr.operator === 'In' && !(has && expr.values.includes(value))) return false;
    if (expr.operator === 'NotIn' && has && expr.values.includes(value)) return false;
    if (expr.operator === 'Exists' && !has) return false;
    if (expr.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

function podTemplate(obj) {
  if (obj.kind === 'CronJob') return obj.spec?.jobTemplate?.spec?.template;
  if (WORKLOAD_KINDS.has(obj.kind)) return obj.spec?.template;
  return null;
}

// Every pod the overlay will run: from workloads, and from operators' CRDs.
function pods(objects) {
  const out = [];
  for (const obj of objects) {
    const template = podTemplate(obj);
    if (template) out.push({ owner: obj, labels: template.metadata?.labels ?? {}, spec: template.spec });
    if (obj.kind === 'Cluster' && obj.apiVersion === 'postgresql.cnpg.io/v1') {
      out.push({
        owner: obj,
        labels: { 'cnpg.io/cluster': obj.metadata.name, ...(obj.spec?.inheritedMetadata?.labels ?? {}) },
        spec: { containers: [{ name: 'postgres', ports: [{ name: 'postgresql', containerPort: 5432 }] }] },
        virtual: true,
      });
    }
  }
  return out;
}

const allContainers = (spec) => [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];

function find(objects, kind, name) {
  return objects.find((o) => o.kind === kind && o.metadata?.name === name);
}

function operatorKeys(secretName, overlay) {
  const entry = (OPERATOR.secrets ?? []).find((s) => s.name === secretName);
  if (!entry) return null;
  return new Set(entry.keys.filter((k) => (k.overlays ?? []).includes(overlay)).map((k) => k.key));
}

function secretHasKey(objects, overlay, name, key) {
  const secret = find(objects, 'Secret', name);
  if (secret) return key in (secret.data ?? {}) || key in (secret.stringData ?? {});
  return operatorKeys(name, overlay)?.has(key) ?? false;
}

function configMapValue(objects, name, key) {
  const cm = find(objects, 'ConfigMap', name);
  if (!cm) return { found: false };
  if (key in (cm.data ?? {})) return { found: true, value: cm.data[key] };
  if (key in (cm.binaryData ?? {})) return { found: true, value: null };
  return { found: false };
}

// name -> { secret, value } for a container's environment (envFrom expanded
// where the source is known).
function containerEnv(objects, overlay, container) {
  const env = {};
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = find(objects, 'ConfigMap', from.configMapRef.name);
      for (const [k, v] of Object.entries(cm?.data ?? {})) env[prefix + k] = { secret: false, value: v };
    }
    if (from.secretRef) {
      const secret = find(objects, 'Secret', from.secretRef.name);
      const keys = secret ? Object.keys({ ...secret.data, ...secret.stringData }) : [...(operatorKeys(from.secretRef.name, overlay) ?? [])];
      for (const k of keys) env[prefix + k] = { secret: true, value: null };
    }
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom?.secretKeyRef) env[e.name] = { secret: true, value: null };
    else if (e.valueFrom?.configMapKeyRef) {
      const ref = e.valueFrom.configMapKeyRef;
      env[e.name] = { secret: false, value: configMapValue(objects, ref.name, ref.key).value ?? null };
    } else env[e.name] = { secret: false, value: e.value ?? null };
  }
  return env;
}

// ---- checks (each returns a list of [name, problems]) --------------------------

function checkSchemas(overlay, objects) {
  const results = [];
  for (const obj of objects) {
    const r = checkObject(obj);
    results.push([`${overlay}: schema ${obj.apiVersion} ${id(obj)} (${r.method})`, r.schema]);
    if (r.method === 'kubernetes-models') results.push([`${overlay}: no unknown fields in ${id(obj)}`, r.fields]);
  }
  return results;
}

function checkNamespaces(overlay, objects) {
  const ns = new Set(objects.filter((o) => !CLUSTER_SCOPED.has(o.kind)).map((o) => o.metadata?.namespace));
  const problems = [];
  if (ns.size !== 1 || ns.has(undefined)) problems.push(`objects spread over namespaces ${[...ns].join(', ')}`);
  const [name] = [...ns];
  const namespace = find(objects, 'Namespace', name);
  if (!namespace) problems.push(`no Namespace object for ${name}`);
  else if (namespace.metadata.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted') {
    problems.push(`Namespace ${name} does not enforce the restricted Pod Security Standard`);
  }
  return [[`${overlay}: one namespace for every object, restricted Pod Security`, problems]];
}

function containerSecurity(podSpec, c) {
  const pod = podSpec.securityContext ?? {};
  const sc = c.securityContext ?? {};
  const problems = [];
  const runAsNonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
  const runAsUser = sc.runAsUser ?? pod.runAsUser;
  if (runAsNonRoot !== true) problems.push(`${c.name}: runAsNonRoot is not true`);
  if (runAsUser === 0) problems.push(`${c.name}: runAsUser 0`);
  if (sc.readOnlyRootFilesystem !== true) problems.push(`${c.name}: readOnlyRootFilesystem is not true`);
  if (sc.allowPrivilegeEscalation !== false) problems.push(`${c.name}: allowPrivilegeEscalation is not false`);
  if (sc.privileged) problems.push(`${c.name}: privileged`);
  if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${c.name}: capabilities do not drop ALL`);
  if ((sc.capabilities?.add ?? []).length) problems.push(`${c.name}: adds capabilities`);
  const seccomp = (sc.seccompProfile ?? pod.seccompProfile)?.type;
  if (!['RuntimeDefault', 'Localhost'].includes(seccomp)) problems.push(`${c.name}: no RuntimeDefault seccomp profile`);
  return problems;
}

function checkWorkloads(overlay, objects) {
  const results = [];
  for (const obj of objects) {
    const template = podTemplate(obj);
    if (!template) continue;
    const spec = template.spec ?? {};
    const problems = [];
    if (!labelsMatch(obj.spec?.selector?.matchLabels, template.metadata?.labels) && obj.kind !== 'Job' && obj.kind !== 'CronJob') {
      problems.push('selector does not match the pod template labels');
    }
    const saName = spec.serviceAccountName ?? 'default';
    const sa = find(objects, 'ServiceAccount', saName);
    if (!sa) problems.push(`ServiceAccount ${saName} is not in the overlay`);
    if (spec.automountServiceAccountToken !== false && sa?.automountServiceAccountToken !== false) {
      problems.push('the service account token is mounted');
    }
    if (spec.hostNetwork || spec.hostPID || spec.hostIPC) problems.push('uses host namespaces');
    for (const c of allContainers(spec)) {
      const { tag, digest } = parseImage(c.image);
      if (!digest && (!tag || tag === 'latest')) problems.push(`${c.name}: image ${c.image} has no pinned tag`);
      for (const r of ['requests', 'limits']) {
        for (const res of ['cpu', 'memory']) {
          if (c.resources?.[r]?.[res] === undefined) problems.push(`${c.name}: no ${res} ${r}`);
        }
      }
      problems.push(...containerSecurity(spec, c));
    }
    if (SERVING_KINDS.has(obj.kind)) {
      for (const c of spec.containers ?? []) {
        if (!c.readinessProbe) problems.push(`${c.name}: no readinessProbe`);
        if (!c.livenessProbe) problems.push(`${c.name}: no livenessProbe`);
      }
    }
    results.push([`${overlay}: ${id(obj)} pods have probes, resources, non-root read-only security context`, problems]);
  }
  return results;
}

// Our binaries: the settings they are passed, probes on the right port, drain.
function checkBinaries(overlay, objects) {
  const results = [];
  const seen = new Set();
  for (const obj of objects) {
    const template = podTemplate(obj);
    if (!template) continue;
    const spec = template.spec ?? {};
    for (const c of allContainers(spec)) {
      const binaryName = binaryForImage(c.image, SETTINGS);
      if (!binaryName) continue;
      const binary = SETTINGS[binaryName];
      const problems = [];
      if (c.command) problems.push('overrides the image entrypoint (the binary); pass args only');
      const sub = subcommandOf(c.args, binary);
      if (sub.error) problems.push(sub.error);
      const env = containerEnv(objects, overlay, c);
      if (sub.name) problems.push(...envProblems(binaryName, binary, sub.name, env));
      for (const [name, { value }] of Object.entries(env)) {
        if (value === null || !(name in binary.settings)) continue;
        if (/_(SECONDS|SIZE)$/.test(name) && !/^[0-9]+$/.test(value)) problems.push(`${name}=${value} is not a whole number`);
      }
      const serves = sub.name && binary.subcommands[sub.name]?.serves;
      if (serves && SERVING_KINDS.has(obj.kind)) {
        seen.add(binaryName);
        const port = (c.ports ?? []).find((p) => p.name === binary.port.name);
        if (!port) problems.push(`no container port named ${binary.port.name}`);
        else if (port.containerPort !== binary.port.number) problems.push(`port ${binary.port.name} is ${port.containerPort}, the binary listens on ${binary.port.number}`);
        const listen = env[binary.listen]?.value ?? binary.settings[binary.listen].default;
        if (listen !== `0.0.0.0:${binary.port.number}`) problems.push(`${binary.listen}=${listen}: must listen on 0.0.0.0:${binary.port.number} in a pod`);
        for (const probeName of ['readinessProbe', 'livenessProbe']) {
          const probe = c[probeName];
          if (!probe) continue;
          if (binary.health === 'grpc') {
            if (probe.grpc?.port !== binary.port.number) problems.push(`${probeName} is not a grpc probe on port ${binary.port.number}`);
          } else {
            const want = probeName === 'readinessProbe' ? '/readyz' : '/healthz';
            const p = probe.httpGet;
            if (!p || p.path !== want || (p.port !== binary.port.name && p.port !== binary.port.number)) {
              problems.push(`${probeName} is not httpGet ${want} on port ${binary.port.name}`);
            }
          }
        }
        const drain = Number(env.BKK_DRAIN_SECONDS?.value ?? binary.settings.BKK_DRAIN_SECONDS?.default ?? 0);
        const grace = spec.terminationGracePeriodSeconds ?? 30;
        if (!(grace > drain)) problems.push(`terminationGracePeriodSeconds ${grace} is not longer than BKK_DRAIN_SECONDS ${drain}`);
        const mounts = (c.volumeMounts ?? []).filter((m) => m.mountPath === '/tmp');
        const tmpVolume = mounts.length && (spec.volumes ?? []).find((v) => v.name === mounts[0].name);
        if (!tmpVolume?.emptyDir) problems.push('no emptyDir mounted at /tmp');
      }
      results.push([`${overlay}: ${id(obj)} container ${c.name} runs ${binaryName} ${sub.name ?? '?'} with settings it reads`, problems]);
    }
  }
  const missing = Object.keys(SETTINGS).filter((b) => !seen.has(b));
  results.push([`${overlay}: a serving Deployment for every binary`, missing.map((b) => `no Deployment serves ${b}`)]);
  return results;
}

function checkReferences(overlay, objects) {
  const problems = [];
  const refs = [];
  for (const obj of objects) {
    const template = podTemplate(obj);
    if (template) {
      const spec = template.spec ?? {};
      for (const c of allContainers(spec)) {
        for (const e of c.env ?? []) {
          const cmRef = e.valueFrom?.configMapKeyRef;
          const sRef = e.valueFrom?.secretKeyRef;
          if (cmRef && !cmRef.optional) refs.push({ where: `${id(obj)} ${c.name} ${e.name}`, kind: 'ConfigMap', name: cmRef.name, key: cmRef.key });
          if (sRef && !sRef.optional) refs.push({ where: `${id(obj)} ${c.name} ${e.name}`, kind: 'Secret', name: sRef.name, key: sRef.key });
        }
        for (const from of c.envFrom ?? []) {
          if (from.configMapRef && !from.configMapRef.optional) refs.push({ where: `${id(obj)} ${c.name} envFrom`, kind: 'ConfigMap', name: from.configMapRef.name });
          if (from.secretRef && !from.secretRef.optional) refs.push({ where: `${id(obj)} ${c.name} envFrom`, kind: 'Secret', name: from.secretRef.name });
        }
      }
      for (const v of spec.volumes ?? []) {
        if (v.configMap && !v.configMap.optional) {
          for (const item of v.configMap.items ?? [{}]) refs.push({ where: `${id(obj)} volume ${v.name}`, kind: 'ConfigMap', name: v.configMap.name, key: item.key });
        }
        if (v.secret && !v.secret.optional) {
          for (const item of v.secret.items ?? [{}]) refs.push({ where: `${id(obj)} volume ${v.name}`, kind: 'Secret', name: v.secret.secretName, key: item.key });
        }
      }
    }
    if (obj.kind === 'Ingress') {
      for (const tls of obj.spec?.tls ?? []) {
        for (const key of ['tls.crt', 'tls.key']) refs.push({ where: id(obj), kind: 'Secret', name: tls.secretName, key });
      }
    }
  }
  for (const ref of refs) {
    if (ref.kind === 'ConfigMap') {
      const cm = find(objects, 'ConfigMap', ref.name);
      if (!cm) problems.push(`${ref.where}: ConfigMap ${ref.name} is not in the overlay`);
      else if (ref.key && !configMapValue(objects, ref.name, ref.key).found) problems.push(`${ref.where}: ConfigMap ${ref.name} has no key ${ref.key}`);
    } else {
      const inOverlay = find(objects, 'Secret', ref.name);
      const operator = operatorKeys(ref.name, overlay);
      if (!inOverlay && !operator?.size) problems.push(`${ref.where}: Secret ${ref.name} is neither in the overlay nor operator-provided for ${overlay}`);
      else if (ref.key && !secretHasKey(objects, overlay, ref.name, ref.key)) {
        problems.push(`${ref.where}: Secret ${ref.name} key ${ref.key} is neither in the overlay nor operator-provided for ${overlay}`);
      }
    }
  }
  const results = [[`${overlay}: every ConfigMap/Secret reference resolves (${refs.length} references)`, problems]];
  // Every key the operator is asked for in this overlay is used by it.
  const used = new Set(refs.filter((r) => r.kind === 'Secret').map((r) => `${r.name}/${r.key}`));
  const unused = [];
  for (const s of OPERATOR.secrets ?? []) {
    for (const k of s.keys) {
      if ((k.overlays ?? []).includes(overlay) && !used.has(`${s.name}/${k.key}`)) unused.push(`${s.name}/${k.key}`);
    }
  }
  results.push([`${overlay}: every operator-provided key listed for this overlay is used`, unused.map((u) => `${u} is never referenced`)]);
  return results;
}

function checkServices(overlay, objects) {
  const results = [];
  const all = pods(objects).filter((p) => !p.virtual && SERVING_KINDS.has(p.owner.kind));
  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const problems = [];
    const selector = svc.spec?.selector;
    if (!selector || !Object.keys(selector).length) {
      problems.push('no selector');
    } else {
      const matched = all.filter((p) => labelsMatch(selector, p.labels));
      if (!matched.length) problems.push(`selector ${JSON.stringify(selector)} matches no Deployment/StatefulSet pods`);
      const owners = new Set(matched.map((p) => id(p.owner)));
      if (owners.size > 1) problems.push(`selector matches pods of ${[...owners].join(', ')}`);
      for (const port of svc.spec.ports ?? []) {
        const target = port.targetPort ?? port.port;
        for (const p of matched) {
          const ok = (p.spec.containers ?? []).some((c) => (c.ports ?? []).some((cp) => cp.name === target || cp.containerPort === target));
          if (!ok) problems.push(`port ${port.name ?? port.port}: targetPort ${target} is not a container port of ${id(p.owner)}`);
        }
      }
    }
    results.push([`${overlay}: Service ${svc.metadata.name} selects pods and their ports`, problems]);
  }
  const named = [];
  for (const [name, binary] of Object.entries(SETTINGS)) {
    const svc = find(objects, 'Service', name);
    if (!svc) named.push(`no Service ${name}`);
    else if (!(svc.spec.ports ?? []).some((p) => p.name === binary.port.name)) named.push(`Service ${name} has no port named ${binary.port.name}`);
  }
  results.push([`${overlay}: each binary has a Service with a port named grpc (gateway: http)`, named]);
  return results;
}

function checkAutoscaling(overlay, objects) {
  const results = [];
  const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
  for (const hpa of hpas) {
    const problems = [];
    const ref = hpa.spec?.scaleTargetRef ?? {};
    const target = find(objects, ref.kind, ref.name);
    if (!target) problems.push(`scaleTargetRef ${ref.kind}/${ref.name} is not in the overlay`);
    else {
      if (target.spec?.replicas !== undefined) problems.push(`${id(target)} sets spec.replicas, which fights the autoscaler`);
      for (const m of hpa.spec?.metrics ?? []) {
        const res = m.resource?.name;
        if (m.type === 'Resource' && m.resource?.target?.type === 'Utilization') {
          for (const c of target.spec?.template?.spec?.containers ?? []) {
            if (c.resources?.requests?.[res] === undefined) problems.push(`${c.name} has no ${res} request to measure utilization against`);
          }
        }
      }
    }
    const min = hpa.spec?.minReplicas ?? 1;
    if (!(hpa.spec?.maxReplicas >= min)) problems.push('maxReplicas < minReplicas');
    results.push([`${overlay}: HorizontalPodAutoscaler ${hpa.metadata.name} targets a Deployment it can measure`, problems]);
  }
  const need = ['gateway', 'voting'].filter((n) => !hpas.some((h) => h.spec?.scaleTargetRef?.name === n));
  results.push([`${overlay}: gateway and voting are autoscaled`, need.map((n) => `no autoscaler for ${n}`)]);
  return results;
}

function replicasOf(objects, workload) {
  const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec?.scaleTargetRef?.name === workload.metadata.name);
  if (hpa) return hpa.spec.minReplicas ?? 1;
  return workload.spec?.replicas ?? 1;
}

function checkDisruptionBudgets(overlay, objects) {
  const results = [];
  const workloads = objects.filter((o) => SERVING_KINDS.has(o.kind));
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    const problems = [];
    const matched = workloads.filter((w) => selectorMatches(pdb.spec?.selector, w.spec?.template?.metadata?.labels));
    if (matched.length !== 1) problems.push(`selector matches ${matched.length} workloads`);
    for (const w of matched) {
      const replicas = replicasOf(objects, w);
      const min = pdb.spec?.minAvailable;
      if (typeof min === 'number' && min >= replicas) problems.push(`minAvailable ${min} >= ${replicas} replicas of ${id(w)}: node drains would block`);
      if (overlay === 'prod' && min === undefined) problems.push('prod budgets use minAvailable');
    }
    results.push([`${overlay}: PodDisruptionBudget ${pdb.metadata.name} covers one workload and lets drains through`, problems]);
  }
  const covered = workloads.filter((w) => !objects.some((o) => o.kind === 'PodDisruptionBudget' && selectorMatches(o.spec?.selector, w.spec?.template?.metadata?.labels)));
  const ours = covered.filter((w) => Object.keys(SETTINGS).includes(w.metadata.name));
  results.push([`${overlay}: every service Deployment has a PodDisruptionBudget`, ours.map((w) => `${id(w)} has none`)]);
  return results;
}

// Which sources may reach a pod: { pods: Map(name -> Set(ports)), namespaces: Map(ns -> Set(ports)), open: [reasons] }.
function ingressSources(objects, allPods, target) {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy'
    && (o.spec?.policyTypes ?? ['Ingress']).includes('Ingress')
    && selectorMatches(o.spec?.podSelector ?? {}, target.labels));
  const result = { pods: new Map(), namespaces: new Map(), open: [], isolated: policies.length > 0 };
  const portsOf = (rule) => {
    if (!rule.ports?.length) return ['*'];
    return rule.ports.map((p) => {
      if (typeof p.port === 'number' || p.port === undefined) return p.port ?? '*';
      const cp = (target.spec.containers ?? []).flatMap((c) => c.ports ?? []).find((x) => x.name === p.port);
      return cp ? cp.containerPort : p.port;
    });
  };
  const add = (map, key, ports) => {
    if (!map.has(key)) map.set(key, new Set());
    for (const p of ports) map.get(key).add(p);
  };
  for (const policy of policies) {
    for (const rule of policy.spec?.ingress ?? []) {
      const ports = portsOf(rule);
      if (!rule.from?.length) {
        result.open.push(`${policy.metadata.name} allows every source`);
        continue;
      }
      for (const peer of rule.from) {
        if (peer.ipBlock) {
          result.open.push(`${policy.metadata.name} allows ipBlock ${peer.ipBlock.cidr}`);
        } else if (peer.namespaceSelector) {
          const ns = peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'];
          if (!ns) result.open.push(`${policy.metadata.name} allows namespaces ${JSON.stringify(peer.namespaceSelector)}`);
          else add(result.namespaces, ns, ports);
        } else if (peer.podSelector) {
          for (const p of allPods.filter((x) => selectorMatches(peer.podSelector, x.labels))) {
            add(result.pods, p.labels['app.kubernetes.io/name'] ?? id(p.owner), ports);
          }
        }
      }
    }
  }
  return result;
}

function checkNetworkPolicies(overlay, objects) {
  const results = [];
  const allPods = pods(objects);
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const denyAll = policies.some((p) => Object.keys(p.spec?.podSelector ?? {}).length === 0
    && (p.spec?.policyTypes ?? []).includes('Ingress') && !(p.spec?.ingress ?? []).length);
  results.push([`${overlay}: ingress is denied by default`, denyAll ? [] : ['no NetworkPolicy with podSelector {} and no ingress rules']]);
  const unused = policies.filter((p) => Object.keys(p.spec?.podSelector ?? {}).length && !allPods.some((x) => selectorMatches(p.spec.podSelector, x.labels)));
  results.push([`${overlay}: every NetworkPolicy selects some pod`, unused.map((p) => `${p.metadata.name} selects nothing`)]);
  for (const [app, rule] of Object.entries(REACHABILITY)) {
    const targets = allPods.filter((p) => p.labels['app.kubernetes.io/name'] === app);
    const problems = [];
    if (!targets.length) problems.push(`no pods labelled app.kubernetes.io/name=${app}`);
    for (const target of targets) {
      const src = ingressSources(objects, allPods, target);
      const who = `${id(target.owner)}`;
      if (!src.isolated) problems.push(`${who}: no policy isolates it`);
      problems.push(...src.open.map((o) => `${who}: ${o}`));
      for (const name of src.pods.keys()) if (!rule.in.includes(name)) problems.push(`${who}: reachable from ${name}`);
      for (const ns of src.namespaces.keys()) if (!rule.out.includes(ns)) problems.push(`${who}: reachable from namespace ${ns}`);
    }
    // Required flows must reach the serving pods (Jobs never serve).
    const serving = targets.filter((t) => t.virtual || SERVING_KINDS.has(t.owner.kind));
    for (const need of rule.required) {
      const ok = serving.some((t) => {
        const src = ingressSources(objects, allPods, t);
        const ports = need.from ? src.pods.get(need.from) : src.namespaces.get(need.ns);
        return ports && (ports.has(need.port) || ports.has('*'));
      });
      if (!ok) problems.push(`${need.from ?? `namespace ${need.ns}`} cannot reach ${app}:${need.port}`);
    }
    results.push([`${overlay}: only the intended peers reach ${app}`, problems]);
  }
  return results;
}

function checkIngresses(overlay, objects) {
  const results = [];
  const ingresses = objects.filter((o) => o.kind === 'Ingress');
  for (const ing of ingresses) {
    const problems = [];
    for (const r of ing.spec?.rules ?? []) {
      for (const p of r.http?.paths ?? []) {
        const b = p.backend?.service;
        const svc = b && find(objects, 'Service', b.name);
        if (!svc) problems.push(`backend Service ${b?.name} is not in the overlay`);
        else if (!(svc.spec.ports ?? []).some((sp) => sp.name === b.port?.name || sp.port === b.port?.number)) {
          problems.push(`Service ${b.name} has no port ${b.port?.name ?? b.port?.number}`);
        }
      }
      const tlsHosts = (ing.spec?.tls ?? []).flatMap((t) => t.hosts ?? []);
      const grpc = ing.metadata.annotations?.['nginx.ingress.kubernetes.io/backend-protocol'] === 'GRPC';
      if ((grpc || overlay === 'prod') && !tlsHosts.includes(r.host)) problems.push(`host ${r.host} is not served over TLS`);
    }
    results.push([`${overlay}: Ingress ${ing.metadata.name} routes to existing Service ports${overlay === 'prod' ? ' over TLS' : ''}`, problems]);
  }
  const grpcIngress = ingresses.filter((i) => i.metadata.annotations?.['nginx.ingress.kubernetes.io/backend-protocol'] === 'GRPC');
  const grpcTargets = new Set(grpcIngress.flatMap((i) => (i.spec?.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => p.backend?.service?.name))));
  const httpTargets = new Set(ingresses.filter((i) => !grpcIngress.includes(i)).flatMap((i) => (i.spec?.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => p.backend?.service?.name))));
  const problems = [];
  if (!httpTargets.has('gateway')) problems.push('no HTTP Ingress for the gateway');
  for (const s of ['budget-data', 'keyword-analytics', 'voting']) if (!grpcTargets.has(s)) problems.push(`no gRPC (TLS) Ingress route to ${s}`);
  results.push([`${overlay}: HTTP Ingress for the gateway and TLS gRPC Ingress for every service`, problems]);
  return results;
}

function checkJobs(overlay, objects) {
  const jobs = objects.filter((o) => o.kind === 'Job');
  const runs = jobs.flatMap((j) => (j.spec?.template?.spec?.containers ?? []).map((c) => `${binaryForImage(c.image, SETTINGS)} ${(c.args ?? []).join(' ')}`));
  const want = ['budget-data migrate', 'voting migrate', 'budget-data import /data'];
  const problems = want.filter((w) => !runs.includes(w)).map((w) => `no Job runs \`${w}\``);
  for (const j of jobs) {
    if (j.spec?.template?.spec?.restartPolicy === 'Always') problems.push(`${j.metadata.name} restartPolicy Always`);
    if (j.spec?.backoffLimit === undefined) problems.push(`${j.metadata.name} has no backoffLimit`);
  }
  return [[`${overlay}: Jobs run the migrations and the budget import`, problems]];
}

function checkOverlayShape(overlay, objects) {
  const problems = [];
  if (overlay === 'dev') {
    for (const w of objects.filter((o) => SERVING_KINDS.has(o.kind))) {
      if (replicasOf(objects, w) !== 1) problems.push(`${id(w)} starts ${replicasOf(objects, w)} replicas`);
    }
    if (!objects.some((o) => o.kind === 'StatefulSet' && pods([o])[0].labels['app.kubernetes.io/name'] === 'postgres')) problems.push('no in-cluster PostgreSQL StatefulSet');
    if (!find(objects, 'Service', 'postgres')) problems.push('no postgres Service');
    if (!find(objects, 'Service', 'redis')) problems.push('no redis Service');
  }
  if (overlay === 'prod') {
    const cluster = objects.find((o) => o.apiVersion === 'postgresql.cnpg.io/v1' && o.kind === 'Cluster');
    if (!cluster) problems.push('no CloudNativePG Cluster');
    else {
      if (cluster.spec.instances < 3) problems.push('CloudNativePG Cluster has fewer than 3 instances');
      if (!(cluster.spec.postgresql?.synchronous?.number >= 1)) problems.push('CloudNativePG Cluster has no synchronous replication');
      if (cluster.spec.inheritedMetadata?.labels?.['app.kubernetes.io/name'] !== 'postgres') problems.push('CloudNativePG pods do not carry app.kubernetes.io/name=postgres (NetworkPolicies select it)');
    }
    const sentinels = pods(objects).filter((p) => (p.spec.containers ?? []).some((c) => (c.command ?? []).concat(c.args ?? []).includes('--sentinel')));
    const sentinelCount = sentinels.reduce((n, p) => n + (p.owner.spec?.replicas ?? 1), 0);
    if (sentinelCount < 3) problems.push(`${sentinelCount} Redis Sentinels; a quorum needs 3`);
    for (const name of ['gateway', 'voting']) {
      const hpa = find(objects, 'HorizontalPodAutoscaler', name);
      if (!hpa || hpa.spec.minReplicas < 3) problems.push(`${name} autoscaler floor below 3`);
    }
    for (const name of ['budget-data', 'keyword-analytics']) {
      const d = find(objects, 'Deployment', name);
      if (!d || (d.spec.replicas ?? 1) < 3) problems.push(`${name} has fewer than 3 replicas`);
    }
  }
  return [[`${overlay}: overlay shape (${overlay === 'dev' ? 'single replicas, in-cluster PostgreSQL and Redis' : 'CloudNativePG, Redis Sentinel, surge-sized replicas'})`, problems]];
}


// The budget PDFs: the gateway serves /sources/ from BKK_SOURCES_ROOT, a volume
// it mounts read-only and an init container of bkkbudget/sources fills
// (deploy/docker/sources.Dockerfile copies to /app/sources).
function checkSourceDocuments(overlay, objects) {
  const gateway = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'gateway');
  if (!gateway) return [];
  const spec = gateway.spec.template.spec;
  const problems = [];
  const c = (spec.containers ?? []).find((x) => x.name === 'gateway');
  const root = c?.env?.find((e) => e.name === 'BKK_SOURCES_ROOT')?.value ?? SETTINGS.gateway.settings.BKK_SOURCES_ROOT.default;
  const mount = (c?.volumeMounts ?? []).find((m) => m.mountPath === root);
  if (!mount) problems.push(`the gateway mounts no volume at BKK_SOURCES_ROOT ${root}`);
  else {
    if (mount.readOnly !== true) problems.push(`the gateway may write to ${root}`);
    const fill = (spec.initContainers ?? []).find((i) => isSourcesImage(i.image));
    if (!fill) problems.push('no init container of bkkbudget/sources fills it');
    else if (!(fill.volumeMounts ?? []).some((m) => m.name === mount.name && m.mountPath === '/app/sources' && !m.readOnly)) {
      problems.push(`the ${fill.name} init container does not mount volume ${mount.name} writable at /app/sources, where it copies`);
    }
  }
  return [[`${overlay}: the gateway serves the budget PDFs (/sources/) from a volume its init container fills`, problems]];
}

function checkOperatorDocs() {
  const problems = [];
  for (const s of OPERATOR.secrets ?? []) {
    if (!K8S_README.includes(s.name)) problems.push(`k8s/README.md does not mention Secret ${s.name}`);
    for (const k of s.keys ?? []) {
      if (!k.description) problems.push(`${s.name}/${k.key} has no description`);
      if (!K8S_README.includes(k.key)) problems.push(`k8s/README.md does not mention key ${k.key}`);
    }
  }
  if (!K8S_README.includes('operator-provided.yaml')) problems.push('k8s/README.md does not point at operator-provided.yaml');
  return [['k8s/README.md documents every operator-provided Secret and key', problems]];
}

const CHECKS = [checkSchemas, checkNamespaces, checkWorkloads, checkBinaries, checkReferences, checkServices,
  checkAutoscaling, checkDisruptionBudgets, checkNetworkPolicies, checkIngresses, checkJobs, checkOverlayShape,
  checkSourceDocuments];

function runAll(overlay, objects) {
  return CHECKS.flatMap((check) => check(overlay, objects));
}

// ---- the checks' own test: each known defect must be caught -----------------

const clone = (x) => structuredClone(x);
const deployment = (objs, name) => objs.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
const container = (objs, name) => deployment(objs, name).spec.template.spec.containers[0];

const cnpg = (objs) => objs.find((o) => o.kind === 'Cluster' && o.apiVersion === 'postgresql.cnpg.io/v1');

// [overlay, defect, how to make it]
const DEFECTS = [
  ['dev', 'a misspelt field (livenesProbe)', (o) => { const c = container(o, 'voting'); c.livenesProbe = c.livenessProbe; delete c.livenessProbe; }],
  ['dev', 'a wrongly typed field (containerPort "50051")', (o) => { container(o, 'budget-data').ports[0].containerPort = '50051'; }],
  ['dev', 'a container without a readiness probe', (o) => { delete container(o, 'gateway').readinessProbe; }],
  ['dev', 'a container without limits', (o) => { delete container(o, 'keyword-analytics').resources.limits; }],
  ['dev', 'a writable root filesystem', (o) => { container(o, 'voting').securityContext.readOnlyRootFilesystem = false; }],
  ['dev', 'a pod that may run as root', (o) => { const d = deployment(o, 'voting'); delete d.spec.template.spec.securityContext.runAsNonRoot; delete container(o, 'voting').securityContext.runAsNonRoot; }],
  ['dev', 'a Service selector that matches nothing', (o) => { o.find((x) => x.kind === 'Service' && x.metadata.name === 'voting').spec.selector['app.kubernetes.io/name'] = 'votes'; }],
  ['dev', 'a Secret key nobody provides', (o) => { container(o, 'voting').env.find((e) => e.name === 'BKK_VOTER_KEY').valueFrom.secretKeyRef.key = 'voter-hmac'; }],
  ['dev', 'a ConfigMap key that does not exist', (o) => { container(o, 'gateway').env.find((e) => e.name === 'BKK_VOTING_ADDR').valueFrom.configMapKeyRef.key = 'vote-addr'; }],
  ['dev', 'a setting the binary does not read', (o) => { container(o, 'keyword-analytics').env.push({ name: 'BKK_PG_URL', valueFrom: { secretKeyRef: { name: 'bkk-secrets', key: 'budget-pg-url' } } }); }],
  ['dev', 'a missing required setting', (o) => { const c = container(o, 'gateway'); c.env = c.env.filter((e) => e.name !== 'BKK_KEYWORDS_ADDR'); }],
  ['dev', 'a secret given as a literal', (o) => { const e = container(o, 'budget-data').env.find((x) => x.name === 'BKK_ADMIN_TOKEN'); delete e.valueFrom; e.value = 'hunter2'; }],
  ['dev', 'a grace period shorter than the drain', (o) => { deployment(o, 'voting').spec.template.spec.terminationGracePeriodSeconds = 10; }],
  ['dev', 'a gRPC probe on the wrong port', (o) => { container(o, 'budget-data').livenessProbe.grpc.port = 50052; }],
  ['dev', 'a NetworkPolicy letting the gateway reach PostgreSQL', (o) => { o.find((x) => x.kind === 'NetworkPolicy' && x.metadata.name === 'postgres-ingress').spec.ingress[0].from[0].podSelector.matchExpressions[0].values.push('gateway'); }],
  ['dev', 'no default-deny NetworkPolicy', (o) => { o.splice(o.findIndex((x) => x.kind === 'NetworkPolicy' && x.metadata.name === 'default-deny-ingress'), 1); }],
  ['dev', 'an unpinned image', (o) => { container(o, 'gateway').image = 'bkkbudget/gateway:latest'; }],
  ['dev', 'a gateway whose PDF volume nothing fills', (o) => { delete deployment(o, 'gateway').spec.template.spec.initContainers; }],
  ['prod', 'a CloudNativePG field that does not exist', (o) => { cnpg(o).spec.instance = 3; }],
  ['prod', 'more synchronous standbys than instances allow', (o) => { cnpg(o).spec.postgresql.synchronous.number = 3; }],
  ['prod', 'a PodDisruptionBudget that blocks every drain', (o) => { o.find((x) => x.kind === 'PodDisruptionBudget' && x.metadata.name === 'budget-data').spec.minAvailable = 3; }],
];

function selfTest(report, renderedOverlays) {
  for (const overlay of new Set(DEFECTS.map(([o]) => o))) {
    const objects = renderedOverlays[overlay];
    if (!objects) continue;
    const baseline = new Set(runAll(overlay, objects).filter(([, p]) => p.length).map(([n]) => n));
    for (const [where, what, mutate] of DEFECTS) {
      if (where !== overlay) continue;
      const name = `self-test (${overlay}): ${what} is caught`;
      const objs = clone(objects);
      try {
        mutate(objs);
      } catch (error) {
        report.check(name, [`the defect could not be made: ${error.message}`]);
        continue;
      }
      const caught = runAll(overlay, objs).filter(([n, p]) => p.length && !baseline.has(n));
      report.check(caught.length ? `${name} by "${caught[0][0]}": ${caught[0][1][0]}` : name, caught.length ? [] : ['no check failed']);
    }
  }
}

// ---- main ------------------------------------------------------------------------

const report = new Report();
const overlaysDir = path.join(ROOT, 'k8s', 'overlays');
const overlays = process.argv.slice(2).length ? process.argv.slice(2) : fs.readdirSync(overlaysDir).filter((d) => fs.statSync(path.join(overlaysDir, d)).isDirectory()).sort();
const rendered = {};
for (const overlay of overlays) {
  let objects;
  try {
    objects = render(overlay);
    report.check(`${overlay}: kubectl kustomize k8s/overlays/${overlay} renders (${objects.length} objects)`, []);
  } catch (error) {
    report.check(`${overlay}: kubectl kustomize k8s/overlays/${overlay} renders`, [String(error.stderr || error.message).trim()]);
    continue;
  }
  rendered[overlay] = objects;
  for (const [name, problems] of runAll(overlay, objects)) report.check(name, problems);
}
for (const [name, problems] of checkOperatorDocs()) report.check(name, problems);
selfTest(report, rendered);
report.finish();
