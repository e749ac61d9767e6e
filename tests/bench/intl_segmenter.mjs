// The outside reference for ./bkk bench keywords: Node's
// Intl.Segmenter('th', {granularity: 'word'}) over the same line names the
// C++ benchmark uses (a JSON array written by `keyword_bench names`).
//   node intl_segmenter.mjs NAMES.json [RESULT.txt]
// Prints one line; RESULT.txt gets key=value lines for keyword_bench.
import { readFileSync, writeFileSync } from 'node:fs';

const [namesPath, resultPath] = process.argv.slice(2);
if (!namesPath) {
  console.error('usage: node intl_segmenter.mjs NAMES.json [RESULT.txt]');
  process.exit(2);
}
const names = JSON.parse(readFileSync(namesPath, 'utf8'));
const bytes = names.reduce((sum, name) => sum + Buffer.byteLength(name, 'utf8'), 0);
const segmenter = new Intl.Segmenter('th', { granularity: 'word' });

// One pass: segment every name and count the segments, as the C++ side
// counts boundaries (consuming the iterator is what does the work).
function pass() {
  let segments = 0;
  for (const name of names) {
    for (const _ of segmenter.segment(name)) segments++;
  }
  return segments;
}

// A warm-up lets the JIT and ICU's dictionary settle; then rounds of about
// 0.25 s each, reporting the median round, as the C++ side does.
const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;
for (let i = 0; i < 3; i++) pass();
const rounds = Number(process.env.BKK_BENCH_ROUNDS || 7);
const perPass = [];
let segments = 0;
for (let r = 0; r < rounds; r++) {
  const start = process.hrtime.bigint();
  let reps = 0;
  do {
    segments = pass();
    reps++;
  } while (seconds(start) < 0.25);
  perPass.push(seconds(start) / reps);
}
perPass.sort((a, b) => a - b);
const median = perPass[Math.floor(perPass.length / 2)];
const mbps = bytes / 1e6 / median;
const usPerLine = (median * 1e6) / names.length;

console.log(
  `node ${process.version} Intl.Segmenter('th', word), ICU ${process.versions.icu}: ` +
    `${mbps.toFixed(2)} MB/s, ${usPerLine.toFixed(2)} us/line over ${names.length} names ` +
    `(${(bytes / 1e6).toFixed(3)} MB, ${segments} segments)`,
);
if (resultPath) {
  writeFileSync(
    resultPath,
    [
      `node=${process.version}`,
      `icu=${process.versions.icu}`,
      `mbps=${mbps.toFixed(3)}`,
      `us_per_line=${usPerLine.toFixed(3)}`,
      `segments=${segments}`,
      `lines=${names.length}`,
      '',
    ].join('\n'),
  );
}
