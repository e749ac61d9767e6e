// Generates the API's TypeScript types from the protos (the contract), so the
// web app's types can never drift from what the gateway serves:
// @bufbuild/protoc-gen-es with json_types=true gives, for every message, a
// `…Json` type in the proto3 JSON mapping the gateway emits (lowerCamelCase
// fields, int64 as strings, enums as their names). The page imports only
// these types, so no protobuf runtime reaches the bundle.
//   node scripts/gen-api.mjs        (run by `npm run build` and `npm run typecheck`)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const protos = join(web, '..', '..', 'protos');
const googleapis = process.env.BKK_GOOGLEAPIS_DIR || '/usr/share/gocode/src/github.com/gogo/googleapis';
const out = join(web, 'src', 'gen');
if (!existsSync(join(googleapis, 'google', 'api', 'annotations.proto'))) {
  console.error(`google/api/annotations.proto not found under ${googleapis}: install golang-github-gogo-googleapis-dev`);
  process.exit(1);
}

const files = [];
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.proto')) files.push(relative(protos, p));
  }
};
walk(join(protos, 'bkkbudget'));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
execFileSync('protoc', [
  `--plugin=protoc-gen-es=${join(web, 'node_modules', '.bin', 'protoc-gen-es')}`,
  `--es_out=${out}`,
  '--es_opt=target=ts,json_types=true',
  `-I${protos}`,
  `-I${googleapis}`,
  ...files.sort(),
  'google/api/annotations.proto',
  'google/api/http.proto',
], { stdio: 'inherit' });
