// Offline schema checks for rendered Kubernetes objects.
//
// kubernetes-models 4.x ships one model class per apiVersion/kind whose
// .validate() runs the Kubernetes OpenAPI schema (types, enums, required
// fields) but, like the schema itself, lets unknown fields through. The field
// lists are not exported as data; they are in the package's TypeScript
// declarations (one generated .d.ts per type, one `"field"?: Type;` per line),
// so unknownFields() reads those to find keys no Kubernetes type declares
// (a misspelt `livenesProbe` is silently dropped by the API server).
// CRDs that kubernetes-models does not know (CloudNativePG's Cluster) are
// checked by hand against the fields this repository uses.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { toolRequire } from './lib.mjs';

function resolveModels() {
  try {
    return path.dirname(toolRequire.resolve('kubernetes-models'));
  } catch (error) {
    console.error(`missing npm package kubernetes-models (${error.code ?? error.message}): run \`npm ci\` in tests/tools`);
    process.exit(2);
  }
}

const MODELS_DIR = resolveModels();
const APIMACHINERY_DIR = path.dirname(
  createRequire(path.join(MODELS_DIR, 'index.js')).resolve('@kubernetes-models/apimachinery'),
);

// ---- model classes -------------------------------------------------------

function modelClass(apiVersion, kind) {
  if (!/^[a-z0-9.]+(\/v[0-9a-z]+)?$/.test(apiVersion ?? '') || !/^[A-Za-z0-9]+$/.test(kind ?? '')) return null;
  const file = path.join(MODELS_DIR, apiVersion, `${kind}.js`);
  if (!fs.existsSync(file)) return null;
  return toolRequire(`kubernetes-models/${apiVersion}/${kind}`)[kind] ?? null;
}

function validationProblems(Model, data, prefix = '') {
  try {
    new Model(data).validate();
    return [];
  } catch (error) {
    if (!Array.isArray(error.errors)) return [`${prefix}${error.message}`];
    return error.errors.map((e) => `${prefix}${e.instancePath || '/'} ${e.message}${e.params?.allowedValues ? ` (${e.params.allowedValues.join(', ')})` : ''}`);
  }
}

// ---- field lists from the .d.ts declarations --------------------------------

const dtsCache = new Map();

function parseDts(file) {
  if (dtsCache.has(file)) return dtsCache.get(file);
  const text = fs.readFileSync(file, 'utf8');
  const imports = new Map();
  for (const m of text.matchAll(/^import \{([^}]*)\} from "([^"]+)";$/gm)) {
    const target = resolveImport(file, m[2]);
    for (const part of m[1].split(',')) {
      const [orig, local] = part.trim().split(/\s+as\s+/);
      if (orig) imports.set((local ?? orig).trim(), { file: target, name: orig.trim() });
    }
  }
  const exportsAs = new Map();
  for (const m of text.matchAll(/^export \{([^}]*)\};$/gm)) {
    for (const part of m[1].split(',')) {
      const [orig, alias] = part.trim().split(/\s+as\s+/);
      if (alias) exportsAs.set(alias.trim(), orig.trim());
    }
  }
  const aliases = new Map();
  for (const m of text.matchAll(/^export declare type (\w+) = ([^;]+);$/gm)) aliases.set(m[1], m[2].trim());
  const interfaces = new Map();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const head = lines[i].match(/^export interface (\w+)(?: extends [^{]+)? \{$/);
    if (!head) continue;
    const props = new Map();
    let open = false;
    for (i += 1; i < lines.length && lines[i] !== '}'; i += 1) {
      const line = lines[i];
      if (/^ {4}\[key: string\]/.test(line)) open = true;
      const prop = line.match(/^ {4}"([^"]+)"\??: (.*)$/);
      if (!prop) continue;
      let type = prop[2];
      if (type === '{') {
        // A map: `{ [key: string]: T; };` over the next lines.
        const body = [];
        for (i += 1; i < lines.length && !/^ {4}\};$/.test(lines[i]); i += 1) body.push(lines[i].trim());
        type = `{ ${body.join(' ')} }`;
      }
      props.set(prop[1], type.replace(/;$/, '').trim());
    }
    interfaces.set(head[1], { props, open });
  }
  const parsed = { file, imports, exportsAs, aliases, interfaces };
  dtsCache.set(file, parsed);
  return parsed;
}

function resolveImport(fromFile, spec) {
  if (spec.startsWith('.')) return `${path.resolve(path.dirname(fromFile), spec)}.d.ts`;
  if (spec.startsWith('@kubernetes-models/apimachinery/')) {
    return path.join(APIMACHINERY_DIR, `${spec.slice('@kubernetes-models/apimachinery/'.length)}.d.ts`);
  }
  return null; // @kubernetes-models/base: ModelData, TypeMeta, Model
}

// A type expression in `dts` -> { kind: 'leaf' | 'array' | 'map' | 'object' | 'union', ... }.
function resolveType(dts, expr) {
  const t = expr.trim();
  let m = t.match(/^Array<(.*)>$/s);
  if (m) return { kind: 'array', of: () => resolveType(dts, m[1]) };
  m = t.match(/^\{ \[key: string\]: (.*?);? \}$/s);
  if (m) return { kind: 'map', of: () => resolveType(dts, m[1]) };
  if (t.includes('|') && !t.startsWith('"')) {
    const parts = t.split('|').map((p) => resolveType(dts, p));
    const structured = parts.filter((p) => p.kind !== 'leaf');
    return structured.length ? { kind: 'union', parts: structured } : { kind: 'leaf' };
  }
  if (!/^\w+$/.test(t)) return { kind: 'leaf' };
  return resolveName(dts, t, 0);
}

function resolveName(dts, name, depth) {
  if (depth > 8) return { kind: 'leaf' };
  const local = dts.exportsAs.get(name) ?? name;
  if (dts.interfaces.has(local)) return { kind: 'object', dts, name: local };
  if (dts.aliases.has(local)) return resolveType(dts, dts.aliases.get(local));
  const imported = dts.imports.get(name);
  if (imported?.file && fs.existsSync(imported.file)) {
    return resolveName(parseDts(imported.file), imported.name, depth + 1);
  }
  return { kind: 'leaf' };
}

function walk(value, type, where, problems) {
  if (value === null || value === undefined) return;
  switch (type.kind) {
    case 'array':
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, type.of(), `${where}[${i}]`, problems));
      return;
    case 'map':
      if (typeof value === 'object' && !Array.isArray(value)) {
        for (const [k, v] of Object.entries(value)) walk(v, type.of(), `${where}.${k}`, problems);
      }
      return;
    case 'union': {
      const isObject = typeof value === 'object' && !Array.isArray(value);
      const part = type.parts.find((p) => (Array.isArray(value) ? p.kind === 'array' : isObject && p.kind !== 'array'));
      if (part) walk(value, part, where, problems);
      return;
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return; // the schema check reports the type
      const iface = type.dts.interfaces.get(type.name);
      for (const [key, v] of Object.entries(value)) {
        const propType = iface.props.get(key);
        if (propType === undefined) {
          if (!iface.open) problems.push(`${where ? `${where}.` : ''}${key}: unknown field`);
          continue;
        }
        walk(v, resolveType(type.dts, propType), where ? `${where}.${key}` : key, problems);
      }
      return;
    }
    default:
  }
}

// Keys of `data` that no Kubernetes type declares, as "spec.template....field".
export function unknownFields(apiVersion, kind, data) {
  const file = path.join(MODELS_DIR, apiVersion, `${kind}.d.ts`);
  if (!fs.existsSync(file)) return null;
  const dts = parseDts(file);
  const problems = [];
  walk(data, { kind: 'object', dts, name: `I${kind}` }, '', problems);
  return problems;
}

// Unknown fields of a nested Kubernetes type (for CRDs that embed them).
function unknownFieldsOf(apiVersion, typeName, data, where) {
  const file = path.join(MODELS_DIR, apiVersion, `${typeName}.d.ts`);
  const problems = [];
  walk(data, { kind: 'object', dts: parseDts(file), name: `I${typeName}` }, where, problems);
  return problems;
}

// ---- CRDs checked by hand -----------------------------------------------------

const CNPG_CLUSTER_SPEC_FIELDS = new Set([
  'affinity', 'backup', 'bootstrap', 'certificates', 'description', 'enablePDB', 'enableSuperuserAccess', 'env',
  'envFrom', 'ephemeralVolumeSource', 'ephemeralVolumesSizeLimit', 'externalClusters', 'failoverDelay',
  'imageCatalogRef', 'imageName', 'imagePullPolicy', 'imagePullSecrets', 'inheritedMetadata', 'instances',
  'livenessProbeTimeout', 'logLevel', 'managed', 'maxSyncReplicas', 'minSyncReplicas', 'monitoring',
  'nodeMaintenanceWindow', 'plugins', 'postgresGID', 'postgresUID', 'postgresql', 'primaryUpdateMethod',
  'primaryUpdateStrategy', 'priorityClassName', 'probes', 'projectedVolumeTemplate', 'replica', 'replicationSlots',
  'resources', 'schedulerName', 'seccompProfile', 'serviceAccountTemplate', 'smartShutdownTimeout', 'startDelay',
  'stopDelay', 'storage', 'superuserSecret', 'switchoverDelay', 'tablespaces', 'topologySpreadConstraints',
  'walStorage', 'podSecurityContext', 'securityContext',
]);
const CNPG_POSTGRESQL_FIELDS = new Set([
  'parameters', 'pg_hba', 'pg_ident', 'shared_preload_libraries', 'synchronous', 'enableAlterSystem',
  'promotionTimeout', 'ldap', 'syncReplicaElectionConstraint', 'extensions',
]);
const CNPG_SYNCHRONOUS_FIELDS = new Set([
  'method', 'number', 'maxStandbyNamesFromCluster', 'standbyNamesPre', 'standbyNamesPost', 'dataDurability',
  'failoverQuorum',
]);
const CNPG_STORAGE_FIELDS = new Set(['size', 'storageClass', 'resizeInUseVolumes', 'pvcTemplate']);
const CNPG_AFFINITY_FIELDS = new Set([
  'enablePodAntiAffinity', 'topologyKey', 'podAntiAffinityType', 'nodeSelector', 'nodeAffinity', 'tolerations',
  'additionalPodAntiAffinity', 'additionalPodAffinity',
]);
const CNPG_INITDB_FIELDS = new Set([
  'database', 'owner', 'secret', 'options', 'dataChecksums', 'encoding', 'localeCollate', 'localeCType', 'locale',
  'localeProvider', 'icuLocale', 'icuRules', 'builtinLocale', 'walSegmentSize', 'postInitSQL',
  'postInitApplicationSQL', 'postInitTemplateSQL', 'import', 'postInitApplicationSQLRefs', 'postInitSQLRefs',
  'postInitTemplateSQLRefs',
]);
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m)?$/;

function extraKeys(obj, allowed, where) {
  if (!obj || typeof obj !== 'object') return [];
  return Object.keys(obj).filter((k) => !allowed.has(k)).map((k) => `${where}.${k}: unknown field`);
}

function checkCnpgCluster(obj) {
  const problems = [];
  const spec = obj.spec;
  if (!obj.metadata?.name) problems.push('metadata.name is required');
  if (!spec || typeof spec !== 'object') return [...problems, 'spec is required'];
  problems.push(...extraKeys(spec, CNPG_CLUSTER_SPEC_FIELDS, 'spec'));
  if (!Number.isInteger(spec.instances) || spec.instances < 1) problems.push('spec.instances must be an integer >= 1');
  if (typeof spec.storage?.size !== 'string' || !QUANTITY.test(spec.storage.size)) {
    problems.push('spec.storage.size must be a quantity string');
  }
  problems.push(...extraKeys(spec.storage, CNPG_STORAGE_FIELDS, 'spec.storage'));
  if (spec.walStorage) {
    problems.push(...extraKeys(spec.walStorage, CNPG_STORAGE_FIELDS, 'spec.walStorage'));
    if (!QUANTITY.test(spec.walStorage.size ?? '')) problems.push('spec.walStorage.size must be a quantity string');
  }
  if (spec.imageName !== undefined && !/^[^\s:@]+(:[\w.-]+)?(@sha256:[0-9a-f]{64})?$/.test(spec.imageName)) {
    problems.push('spec.imageName is not an image reference');
  }
  if (spec.primaryUpdateStrategy && !['unsupervised', 'supervised'].includes(spec.primaryUpdateStrategy)) {
    problems.push('spec.primaryUpdateStrategy must be unsupervised or supervised');
  }
  const pg = spec.postgresql;
  if (pg) {
    problems.push(...extraKeys(pg, CNPG_POSTGRESQL_FIELDS, 'spec.postgresql'));
    for (const [k, v] of Object.entries(pg.parameters ?? {})) {
      if (typeof v !== 'string') problems.push(`spec.postgresql.parameters.${k} must be a string`);
    }
    const sync = pg.synchronous;
    if (sync) {
      problems.push(...extraKeys(sync, CNPG_SYNCHRONOUS_FIELDS, 'spec.postgresql.synchronous'));
      if (!['any', 'first'].includes(sync.method)) problems.push('spec.postgresql.synchronous.method must be any or first');
      if (!Number.isInteger(sync.number) || sync.number < 1) {
        problems.push('spec.postgresql.synchronous.number must be an integer > 0');
      } else if (Number.isInteger(spec.instances) && sync.number >= spec.instances) {
        problems.push('spec.postgresql.synchronous.number must be below spec.instances');
      }
      if (sync.dataDurability !== undefined && !['required', 'preferred'].includes(sync.dataDurability)) {
        problems.push('spec.postgresql.synchronous.dataDurability must be required or preferred');
      }
    }
  }
  if (spec.bootstrap?.initdb) {
    problems.push(...extraKeys(spec.bootstrap.initdb, CNPG_INITDB_FIELDS, 'spec.bootstrap.initdb'));
  }
  if (spec.affinity) {
    problems.push(...extraKeys(spec.affinity, CNPG_AFFINITY_FIELDS, 'spec.affinity'));
    if (spec.affinity.podAntiAffinityType && !['required', 'preferred'].includes(spec.affinity.podAntiAffinityType)) {
      problems.push('spec.affinity.podAntiAffinityType must be required or preferred');
    }
  }
  if (spec.inheritedMetadata) {
    problems.push(...extraKeys(spec.inheritedMetadata, new Set(['labels', 'annotations']), 'spec.inheritedMetadata'));
  }
  if (spec.resources) {
    const ResourceRequirements = modelClass('v1', 'ResourceRequirements');
    problems.push(...validationProblems(ResourceRequirements, spec.resources, 'spec.resources'));
    problems.push(...unknownFieldsOf('v1', 'ResourceRequirements', spec.resources, 'spec.resources'));
  }
  const ObjectMeta = toolRequire('@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta').ObjectMeta;
  problems.push(...validationProblems(ObjectMeta, obj.metadata ?? {}, 'metadata'));
  return problems;
}

const HAND_CHECKED = {
  'postgresql.cnpg.io/v1/Cluster': checkCnpgCluster,
};

// Validates one object. Returns { method, schema: [problems], fields: [problems] }.
export function checkObject(obj) {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const Model = modelClass(obj.apiVersion, obj.kind);
  if (Model) {
    return {
      method: 'kubernetes-models',
      schema: validationProblems(Model, obj),
      fields: unknownFields(obj.apiVersion, obj.kind, obj) ?? [],
    };
  }
  if (HAND_CHECKED[key]) {
    return { method: 'CRD, required fields and known fields checked by hand', schema: HAND_CHECKED[key](obj), fields: [] };
  }
  return { method: 'unknown', schema: [`no schema for ${key}: not in kubernetes-models and not a known CRD`], fields: [] };
}
