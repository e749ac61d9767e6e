// The line detail view: a modal dialog filled from GET /v1/budget/lines/{id}.
import { get, num, type BudgetLine, type Strategy } from './api';
import { clear, h } from './dom';
import { fmtBaht, fmtMillion, fmtYear } from './format';
import { t, type Key } from './i18n';
import { districtName, districts, errorBox, loading, strategies7, strategyLabel } from './ui';

let dialog: HTMLDialogElement | null = null;

/** "1. การสร้างเมืองปลอดภัย › เมืองสุขภาพดี", or "not classified". */
function strategyText(line: BudgetLine, ss: Strategy[]): string {
  const name = strategyLabel(line.strategyId, ss);
  const sub = ss.flatMap((s) => s.subDimensions ?? []).find((d) => d.id === line.subDimensionId);
  return sub?.name ? `${name} › ${sub.name}` : name;
}

function ensureDialog(): HTMLDialogElement {
  if (dialog) return dialog;
  dialog = h('dialog', { class: 'dialog', id: 'line-dialog', 'aria-labelledby': 'line-dialog-title' });
  dialog.addEventListener('click', (e) => {
    if (e.target === dialog) dialog?.close();
  });
  document.body.appendChild(dialog);
  return dialog;
}

export async function openLine(lineId: string): Promise<void> {
  const d = ensureDialog();
  const body = h('div', { class: 'dialog-body' });
  const closeBtn = h('button', { type: 'button', class: 'btn btn-ghost dialog-close', onclick: () => d.close() }, t('action.close'));
  clear(d, h('div', { class: 'dialog-head' }, h('h2', { id: 'line-dialog-title' }, t('line.title')), closeBtn), body);
  clear(body, loading());
  if (!d.open) d.showModal();
  closeBtn.focus();
  try {
    const [res, ds, ss] = await Promise.all([
      get<{ line?: BudgetLine }>(`/v1/budget/lines/${encodeURIComponent(lineId)}`, undefined, { cache: true }),
      districts().catch(() => []),
      strategies7().catch(() => [] as Strategy[]),
    ]);
    const line = res.line;
    if (!line) throw new Error(t('state.empty'));
    // The PDF the line was read from, at /sources/<its path under data/sources>
    // (in dist/ or served by the gateway: scripts/sources.mjs).
    const pdf = line.sourceDocument ? `/sources/${line.sourceDocument}` : '';
    const amount = num(line.amountBaht);
    const row = (k: string, v: string | HTMLElement) => [h('dt', null, k), h('dd', null, v)];
    clear(
      body,
      h('p', { class: 'line-name', id: 'line-dialog-name' }, line.name || t('state.empty')),
      h(
        'dl',
        { class: 'facts' },
        row(t('line.amount'), h('span', null, h('strong', null, fmtBaht(amount)), ` (${fmtMillion(amount)})`)),
        row(t('line.year'), fmtYear(line.fiscalYear)),
        row(t('line.agency'), line.agency || t('state.empty')),
        row(t('line.mission'), line.missionType || t('state.empty')),
        // Only the budget books state it (งบบุคลากร, งบดำเนินงาน, …).
        line.category ? row(t('line.category'), line.category) : null,
        row(t('line.district'), line.districtId ? districtName(ds.find((x) => x.id === line.districtId)) : t('line.noDistrict')),
        row(t('line.strategy'), strategyText(line, ss)),
        row(t('line.strategySource'), h('span', { id: 'line-strategy-source', 'data-confidence': line.strategyConfidence ?? 'STRATEGY_CONFIDENCE_UNSPECIFIED' },
          [t(`line.conf.${line.strategyConfidence ?? 'STRATEGY_CONFIDENCE_UNSPECIFIED'}` as Key), line.strategySource].filter(Boolean).join(' · '))),
        // source_ref names the page already ("… หน้า 6"); add it only when it does not.
        row(t('line.source'), h('span', null,
          line.sourceRef || (line.sourcePage ? t('line.page', { n: line.sourcePage }) : t('state.empty')),
          pdf && line.sourcePage
            ? [' · ', h('a', { href: `${pdf}#page=${line.sourcePage}`, id: 'line-pdf-link', target: '_blank', rel: 'noopener' }, t('line.openPdf'))]
            : null)),
        row(t('line.id'), line.lineId),
      ),
      h('p', { class: 'note' }, t('data.allocation')),
    );
  } catch (e) {
    clear(body, errorBox(e, () => void openLine(lineId)));
  }
}
