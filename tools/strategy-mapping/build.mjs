#!/usr/bin/env node
// Builds the FY2566 line-to-strategy mapping (data/budget/strategy-mapping-2566.csv)
// from the WeVis strategy hints, a pre-final list of 344 strategic-mission items.
//
// Why a tool and a file: the ordinance does not say which of the 20-year plan's
// 7 strategies a line serves, so classification is data with a stated source
// and confidence, reviewed like any other data. The hints are used for the
// strategy only, never for amounts. The committed file is this tool's output;
// tests/data/strategy_mapping_test.sh rebuilds it and compares byte for byte.
//
// Matching, per hint (agency names first repaired for three known typos):
//   exact    same agency and amount, and the name agrees (or the amount is
//            unique within the agency);
//   by_name  same agency and the same name once the wording that differs
//            between the lists (โครงการ / ค่าใช้จ่ายในการ, a trailing (ผลผลิต…),
//            spaces) is removed;
//            the amounts differ (the hints predate the final ordinance);
//   none     every ordinance line no hint matched, listed so that the file
//            accounts for all 1,766 lines.
// A line claimed by two hints keeps the first (file order) and the tool
// reports the second. Usage: build.mjs DATA_DIR OUT_CSV
import { readFileSync, writeFileSync } from 'node:fs';

const [dataDir = 'data', out = `${dataDir}/budget/strategy-mapping-2566.csv`] = process.argv.slice(2);
const HINTS = 'plan/strategy-hints-2566-wevis.json';
const ITEMS = 'budget/bma-ordinance-2566-items.csv';

/** RFC 4180 rows of a CSV text. */
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field.replace(/\r$/, '')); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function csvField(s) {
  const v = String(s);
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

// Agency spellings in the hints that differ from the ordinance's.
const AGENCY_FIXES = new Map([
  ['สำนักวัฒนธรรม กีฬา และการท่องเที่ยว', 'สำนักวัฒนธรรม กีฬาและการท่องเที่ยว'],
  ['สำนักยุทธศาตร์และประเมินผล', 'สำนักยุทธศาสตร์และประเมินผล'],
  ['สำนักงานเขตป้อมปราบศัตรพ่าย', 'สำนักงานเขตป้อมปราบศัตรูพ่าย'],
]);

/** The name with the wording the two lists phrase differently removed. */
function nameKey(s) {
  return s.replace(/\s+/g, '').replace(/\(ผลผลิต[^)]*\)$/, '').replace(/^(ค่าใช้จ่ายโครงการ|ค่าใช้จ่ายในการ|ค่าใช้จ่าย|โครงการ)/, '');
}

/** "1.5 เมืองสุขภาพดี" or "1.5_…" -> ["s1", "s1.5"]. */
function strategyIds(hint) {
  const s = /^(\d)\./.exec(hint.strategy);
  const sub = /^(\d)\.(\d+)[ _]/.exec(hint.sub_strategy);
  if (!s) throw new Error(`hint without a strategy number: ${hint.strategy}`);
  if (sub && sub[1] !== s[1]) throw new Error(`sub-strategy ${hint.sub_strategy} outside ${hint.strategy}`);
  return [`s${s[1]}`, sub ? `s${sub[1]}.${sub[2]}` : ''];
}

const hints = JSON.parse(readFileSync(`${dataDir}/${HINTS}`, 'utf8'));
const [header, ...body] = parseCsv(readFileSync(`${dataDir}/${ITEMS}`, 'utf8'));
if (header.join(',') !== 'fiscal_year,agency,plan,output_or_project,category,amount_baht,source_page') {
  throw new Error(`${ITEMS}: unexpected header ${header.join(',')}`);
}
// Line ids as the importer gives them: year * 100000 + position in the file.
const lines = body.map((f, i) => ({
  id: Number(f[0]) * 100000 + i + 1, agency: f[1], name: f[3] || f[2], amount: Number(f[5]),
}));
const byAgency = new Map();
for (const l of lines) {
  if (!byAgency.has(l.agency)) byAgency.set(l.agency, []);
  byAgency.get(l.agency).push(l);
}

const claimed = new Map(); // line id -> mapping row
const unmatched = [];
const conflicts = [];
hints.forEach((hint, index) => {
  const agency = AGENCY_FIXES.get(hint.name_organization) ?? hint.name_organization;
  const candidates = byAgency.get(agency) ?? [];
  const names = new Set([hint.output_proj_name, hint.plan_proj_name, hint.output_name].filter(Boolean).map(nameKey));
  const sameAmount = candidates.filter((l) => l.amount === hint.amount);
  const sameName = candidates.filter((l) => names.has(nameKey(l.name)));
  let line = null, confidence = 'none';
  const named = sameAmount.filter((l) => names.has(nameKey(l.name)));
  if (named.length === 1) [line, confidence] = [named[0], 'exact'];
  else if (sameAmount.length === 1) [line, confidence] = [sameAmount[0], 'exact'];
  else if (sameName.length === 1) [line, confidence] = [sameName[0], 'by_name'];
  if (!line) {
    unmatched.push({ index, agency, amount: hint.amount, name: hint.output_proj_name });
    return;
  }
  if (claimed.has(line.id)) {
    conflicts.push({ index, line: line.id, kept: claimed.get(line.id).source });
    return;
  }
  const [strategy, sub] = strategyIds(hint);
  claimed.set(line.id, { strategy, sub, confidence, source: `${HINTS}#${index}` });
});

const out_rows = ['line_id,agency,line_name,strategy_id,sub_dimension_id,confidence,source'];
const counts = { exact: 0, by_name: 0, none: 0 };
for (const l of lines) {
  const m = claimed.get(l.id) ?? { strategy: '', sub: '', confidence: 'none', source: '' };
  counts[m.confidence]++;
  out_rows.push([l.id, l.agency, l.name, m.strategy, m.sub, m.confidence, m.source].map(csvField).join(','));
}
writeFileSync(out, `${out_rows.join('\n')}\n`);
console.log(`${out}: ${lines.length} lines; ${counts.exact} exact, ${counts.by_name} by name, ${counts.none} none`);
console.log(`hints: ${hints.length}; ${unmatched.length} match no line, ${conflicts.length} claim a line another hint took`);
for (const u of unmatched) console.log(`  unmatched hint #${u.index}: ${u.agency} ${u.amount} ${u.name}`);
for (const c of conflicts) console.log(`  hint #${c.index} also matches line ${c.line}, kept ${c.kept}`);
