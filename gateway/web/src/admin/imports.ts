// Imports by a data admin: a budget dataset release (a dry run first, with
// the validation report, then the import) and a pabulib .pb election. Both
// show their progress; the service checks every row before writing.
import { num, type DatasetImport, type PabulibImport } from '../api';
import { clear, h } from '../dom';
import { DATASET_FILES } from '../gen/sources';
import { fmtInt } from '../format';
import { t } from '../i18n';
import { announce } from '../ui';
import { change, hasRole } from './session';
import { fieldError, refusal } from './widgets';

interface DatasetFile {
  path: string;
  content: string;
}

/** Bytes as base64: DatasetFile.content is a proto `bytes` field. */
async function base64Of(f: File): Promise<string> {
  const bytes = new Uint8Array(await f.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

// The files of a release: data/release.json and the files it lists, as
// budget-data's importer reads them (it refuses any other file, and the
// console e2e test imports data/ through this list, so a change on one side
// fails there). One list with the site's downloads (scripts/sources.mjs).
const DATASET_PATHS = new Set(DATASET_FILES.map((f) => f.path));

/** Path relative to the folder chosen ("data/budget/x.csv" -> "budget/x.csv"). */
function relativePath(f: File): string {
  return f.webkitRelativePath ? f.webkitRelativePath.split('/').slice(1).join('/') : f.name;
}

/** The release's files from the folder chosen. */
async function readFolder(files: FileList, progress: HTMLProgressElement, note: HTMLElement): Promise<DatasetFile[]> {
  const wanted = [...files].filter((f) => DATASET_PATHS.has(relativePath(f)));
  progress.max = wanted.length;
  const out: DatasetFile[] = [];
  for (const [i, f] of wanted.entries()) {
    out.push({ path: relativePath(f), content: await base64Of(f) });
    progress.value = i + 1;
    note.textContent = t('admin.imp.reading', { n: i + 1, total: wanted.length });
  }
  return out;
}

function datasetForm(): HTMLElement {
  const folder = h('input', { type: 'file', id: 'dataset-folder', multiple: true, webkitdirectory: true });
  const progress = h('progress', { id: 'dataset-progress', max: '1', value: '0', hidden: true });
  const note = h('p', { id: 'dataset-note', role: 'status' });
  const report = h('div', { id: 'dataset-report' });
  const importButton = h('button', { type: 'button', class: 'btn btn-primary', id: 'dataset-import', disabled: true }, t('admin.imp.import'));
  let files: DatasetFile[] = [];
  const run = async (dryRun: boolean) => {
    if (!folder.files || folder.files.length === 0) {
      fieldError(folder, t('admin.imp.noFiles'));
      folder.focus();
      return;
    }
    fieldError(folder, null);
    progress.hidden = false;
    clear(report);
    if (dryRun || files.length === 0) files = await readFolder(folder.files, progress, note);
    note.textContent = t('admin.imp.sending');
    progress.removeAttribute('value');  // indeterminate while the service checks
    try {
      const res = await change<DatasetImport>('/v1/admin/budget:import', { files, dryRun });
      progress.hidden = true;
      note.textContent = '';
      if (dryRun) {
        clear(report,
          h('p', { class: res.problems.length ? 'state error' : 'state success', id: 'dataset-checked' },
            t('admin.imp.report', { n: fmtInt(res.checksPassed), problems: fmtInt(res.problems.length) })),
          res.problems.length ? h('ul', { id: 'dataset-problems' }, res.problems.slice(0, 50).map((p) =>
            h('li', null, t('admin.imp.problem', { file: p.file, line: p.line, reason: p.reason })))) : null);
        importButton.disabled = res.problems.length > 0;
      } else {
        const version = res.release?.version ?? '';
        clear(report, h('p', { class: 'state success', id: 'dataset-done' },
          t('admin.imp.done', { version, changed: t(res.changed ? 'admin.imp.changed' : 'admin.imp.unchanged') })));
        announce(t('admin.saved'));
        importButton.disabled = true;
      }
    } catch (e) {
      progress.hidden = true;
      note.textContent = '';
      clear(report, refusal(e, 'dataset-error'));
    }
  };
  importButton.addEventListener('click', () => void run(false));
  folder.addEventListener('change', () => { files = []; importButton.disabled = true; clear(report); });
  return h('section', { class: 'card', 'aria-labelledby': 'dataset-title' },
    h('h2', { id: 'dataset-title' }, t('admin.imp.dataset')),
    h('p', { class: 'muted' }, t('admin.imp.datasetHint')),
    h('div', { class: 'field' }, h('label', { for: 'dataset-folder' }, t('admin.imp.folder')), folder),
    h('p', { class: 'actions' },
      h('button', { type: 'button', class: 'btn btn-light', id: 'dataset-check', onclick: () => void run(true) }, t('admin.imp.check')),
      importButton),
    progress, note, report);
}

async function pabulibForm(): Promise<HTMLElement> {
  const file = h('input', { type: 'file', id: 'pb-file', accept: '.pb,text/plain' });
  const result = h('div', { id: 'pb-result', role: 'status' });
  const progress = h('progress', { id: 'pb-progress', hidden: true });
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = file.files?.[0];
    fieldError(file, f ? null : t('admin.imp.needFile'));
    if (!f) { file.focus(); return; }
    progress.hidden = false;
    clear(result, t('admin.imp.sending'));
    try {
      const res = await change<PabulibImport>('/v1/admin/rounds:importPabulib', { filename: f.name, content: await f.text() });
      const notes = res.notes ?? [];
      clear(result, h('p', { class: 'state success', id: 'pb-done' },
        t('admin.imp.pbDone', { id: res.round?.roundId ?? '', name: res.round?.name ?? '', projects: fmtInt(res.proposalCount), ballots: fmtInt(num(res.ballotCount)) }),
        ' ', h('a', { href: `#/rounds/${res.round?.roundId ?? ''}` }, t('admin.rounds.open'))),
        // Every fix the importer made to the file, with its line; the service words them (in English).
        notes.length === 0 ? null : h('div', { id: 'pb-notes' },
          h('h3', null, t('admin.imp.pbNotes', { n: fmtInt(notes.length) })),
          h('ul', { lang: 'en' }, notes.map((n) => h('li', null, n.line ? `${f.name}:${n.line}: ${n.text}` : `${f.name}: ${n.text}`)))));
    } catch (err) {
      clear(result, refusal(err, 'pb-error'));
    }
    progress.hidden = true;
  };
  return h('form', { class: 'card stack-form', id: 'pb-form', novalidate: true, onsubmit: submit, 'aria-labelledby': 'pb-title' },
    h('h2', { id: 'pb-title' }, t('admin.imp.pb')),
    h('p', { class: 'muted' }, t('admin.imp.pbHint')),
    h('div', { class: 'field' }, h('label', { for: 'pb-file' }, t('admin.imp.pbFile')), file),
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'pb-import' }, t('admin.imp.pbImport'))),
    progress, result);
}

export async function renderImports(el: HTMLElement): Promise<void> {
  const head = [h('h1', { id: 'view-title', tabindex: '-1' }, t('admin.imp.title')), h('p', { class: 'lead' }, t('admin.imp.lead'))];
  if (!hasRole('OPERATOR_ROLE_DATA_ADMIN')) {
    clear(el, head, h('p', { class: 'muted', id: 'imports-not-allowed' }, t('admin.imp.onlyData')));
    return;
  }
  clear(el, head, datasetForm(), await pabulibForm());
}
