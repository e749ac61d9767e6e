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

// Timed like the C++ side: CPU time of this process (so time spent
// descheduled on a shared machine does not count), one pass at a time after
// a warm-up for the JIT and ICU's dictionary, reporting the best pass.
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
for (let i = 0; i < 3; i++) pass();
const passes = Number(process.env.BKK_BENCH_NODE_PASSES || 40);
let best = Infinity;
let segments = 0;
for (let p = 0; p < passes; p++) {
  const start = cpuSeconds();
  segments = pass();
  best = Math.min(best, cpuSeconds() - start);
}
const mbps = bytes / 1e6 / best;
const usPerLine = (best * 1e6) / names.length;

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
