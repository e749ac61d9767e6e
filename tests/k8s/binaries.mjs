// Checks the built binaries against tests/k8s/settings.json (the settings the
// manifests pass): each binary's --help names every setting the manifests
// may pass it, and started with an empty environment it refuses to start,
// exits 2 and names every required setting.
//   node tests/k8s/binaries.mjs [BUILD_DIR]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const buildDir = process.argv[2] || process.env.BKK_BUILD_DIR || join(root, 'build');
const settings = JSON.parse(readFileSync(join(root, 'tests/k8s/settings.json'), 'utf8'));
let passed = 0;
let failed = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  ok ? passed++ : failed++;
};

for (const [name, spec] of Object.entries(settings.binaries)) {
  const binary = join(buildDir, spec.build.replace(/^build\//, ''));
  if (!existsSync(binary)) {
    check(false, `${name}: ${binary} is built`);
    continue;
  }
  const help = spawnSync(binary, ['--help'], { env: {}, encoding: 'utf8', timeout: 20000 });
  check(help.status === 0, `${name} --help exits 0`);
  for (const setting of Object.keys(spec.settings)) {
    check(help.stdout.includes(setting), `${name} reads ${setting} (listed in --help)`);
  }
  const serve = Object.entries(spec.subcommands).find(([, s]) => s.default)?.[0];
  const bare = spawnSync(binary, serve && serve !== 'serve' ? [serve] : [], { env: {}, encoding: 'utf8', timeout: 20000 });
  const output = `${bare.stdout}${bare.stderr}`;
  check(bare.status === 2, `${name} with an empty environment refuses to start (exit ${bare.status}, want 2)`);
  for (const [setting, s] of Object.entries(spec.settings)) {
    if ((s.required || []).includes(serve)) {
      check(output.includes(`${setting} is required`), `${name} names missing ${setting}`);
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
