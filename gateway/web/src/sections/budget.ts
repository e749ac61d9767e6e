// Yearly budget: total BMA budget behind the strategic budget stacked by
// strategy, with a headline computed from the data and a table of the figures.
import { num, type Overview, type Strategy, type YearOverview } from '../api';
import { clear, h } from '../dom';
import { fmtMillion, fmtMillionNumber, fmtPct, fmtYear } from '../format';
import { lang, onLangChange, t } from '../i18n';
import { empty, errorBox, loading, overview, sectionHead, strategies7, strategyName, STRATEGY_COLORS } from '../ui';

interface Headline {
  years: number[];
  strategyId: string;
  name: string;
  share: number;
  strategicShareOfTotal: number;
}

/** The strategy with the largest share of the strategic budget over the classified years. */
export function computeHeadline(years: YearOverview[], strategies: Strategy[]): Headline | null {
  const classified = years.filter((y) => num(y.strategicBudgetBaht) > 0);
  if (!classified.length) return null;
  const sums = new Map<string, number>();
  let strategic = 0;
  let total = 0;
  for (const y of classified) {
    strategic += num(y.strategicBudgetBaht);
    total += num(y.totalBudgetBaht);
    for (const s of y.byStrategy ?? []) {
      if (!s.strategyId) continue;
      sums.set(s.strategyId, (sums.get(s.strategyId) ?? 0) + num(s.amountBaht));
    }
  }
  let best = '';
  let bestSum = -1;
  for (const [id, v] of sums) if (v > bestSum) [best, bestSum] = [id, v];
  if (!best || strategic <= 0) return null;
  const bestStrategy = strategies.find((s) => s.id === best);
  const name =
    (bestStrategy ? strategyName(bestStrategy) : undefined) ??
    classified.flatMap((y) => y.byStrategy ?? []).find((s) => s.strategyId === best)?.strategyName ??
    best;
  return {
    years: classified.map((y) => y.fiscalYear),
    strategyId: best,
    name,
    share: bestSum / strategic,
    strategicShareOfTotal: total ? strategic / total : 0,
  };
}

function yearsText(years: number[]): string {
  const sorted = [...years].sort((a, b) => a - b);
  const contiguous = sorted.every((y, i) => i === 0 || y === sorted[i - 1] + 1);
  if (contiguous && sorted.length > 1) return `${fmtYear(sorted[0])}–${fmtYear(sorted[sorted.length - 1])}`;
  return sorted.map(fmtYear).join(', ');
}

export function mountBudget(el: HTMLElement): void {
  let data: Overview | null = null;
  let strategies: Strategy[] = [];
  let error: unknown = null;
  let chart: { destroy(): void } | null = null;
  let visible = false;
  let chartError = false;

  async function load(): Promise<void> {
    error = null;
    data = null;
    render();
    try {
      [data, strategies] = await Promise.all([overview(), strategies7().catch(() => [])]);
    } catch (e) {
      error = e;
    }
    render();
  }

  function legendItems(): { id: string; label: string; color: string }[] {
    const items = strategies.map((s) => ({ id: s.id, label: strategyName(s), color: STRATEGY_COLORS[s.id] ?? '#555' }));
    items.push({ id: '', label: t('strategy.unclassified'), color: STRATEGY_COLORS[''] });
    return items;
  }

  async function drawChart(canvasBox: HTMLElement, years: YearOverview[]): Promise<void> {
    if (!visible) return;
    const canvas = canvasBox.querySelector('canvas');
    if (!canvas) return;
    try {
      const mod = await import('../chart');
      if (!canvas.isConnected) return;
      chart?.destroy();
      const amount = (y: YearOverview, id: string) => num(y.byStrategy?.find((s) => (s.strategyId ?? '') === id)?.amountBaht) / 1e6;
      chart = mod.yearlyChart(canvas, {
        labels: years.map((y) => fmtYear(y.fiscalYear)),
        total: { label: t('budget.total'), values: years.map((y) => num(y.totalBudgetBaht) / 1e6) },
        parts: legendItems().map((it) => ({ ...it, values: years.map((y) => amount(y, it.id)) })),
        axisLabel: t('budget.axis'),
        formatValue: (m) => fmtMillion(m * 1e6),
      });
      canvasBox.setAttribute('aria-busy', 'false');
    } catch {
      chartError = true;
      canvasBox.replaceChildren(h('p', { class: 'state error' }, t('budget.chartError')));
    }
  }

  function render(): void {
    chart?.destroy();
    chart = null;
    const body: (HTMLElement | null)[] = [];
    const years = data?.years ?? [];
    if (error) body.push(errorBox(error, load));
    else if (!data) body.push(loading());
    else if (!years.length) body.push(empty());
    else {
      const hl = computeHeadline(years, strategies);
      body.push(
        hl
          ? h(
              'p',
              { class: 'headline', id: 'budget-headline', 'data-strategy': hl.strategyId },
              t('budget.headline', { years: yearsText(hl.years), name: hl.name, pct: fmtPct(hl.share, 1, 1) }),
            )
          : h('p', { class: 'headline' }, t('budget.headline.none')),
      );
      const latest = years[years.length - 1];
      const summary = t('budget.chartSummary', {
        from: fmtYear(years[0].fiscalYear),
        to: fmtYear(latest.fiscalYear),
        amount: fmtMillion(num(latest.totalBudgetBaht)),
      });
      const canvasBox = h(
        'div',
        { class: 'chart-box', 'aria-busy': 'true' },
        h('canvas', { role: 'img', 'aria-label': summary }, summary),
      );
      body.push(
        h('figure', { class: 'chart-figure' },
          canvasBox,
          h('figcaption', null,
            h('ul', { class: 'legend', 'aria-label': t('budget.legend') },
              h('li', { class: 'legend-total' }, h('span', { class: 'swatch swatch-total', 'aria-hidden': 'true' }), t('budget.total')),
              legendItems().map((it) =>
                h('li', { 'data-legend': it.id || 'unclassified' }, h('span', { class: 'swatch', style: `background:${it.color}`, 'aria-hidden': 'true' }), it.label),
              ),
            ),
          ),
        ),
      );
      // Each year's headline total with the parts the ordinance states.
      for (const y of years.filter((y) => (y.totalParts ?? []).length > 0)) {
        const parts = (y.totalParts ?? []).map((p) =>
          t('budget.part', {
            label: lang() === 'th' ? p.labelTh ?? '' : p.labelEn ?? '',
            amount: fmtMillion(num(p.amountBaht)),
            clause: p.clause ?? '',
            page: p.sourcePage ?? 0,
          }),
        );
        body.push(h('p', { class: 'total-parts', id: `budget-total-${y.fiscalYear}`, 'data-baht': String(num(y.totalBudgetBaht)) },
          t('budget.parts', { year: fmtYear(y.fiscalYear), total: fmtMillion(num(y.totalBudgetBaht)), parts: parts.join(' + ') })));
      }
      body.push(
        h('p', { class: 'note' },
          t('budget.note'),
          hl ? ' ' + t('budget.note.share', { years: yearsText(hl.years), pct: fmtPct(hl.strategicShareOfTotal, 1, 1) }) : '',
        ),
      );
      body.push(
        h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('budget.table.caption') },
          h('table', { class: 'data-table', id: 'budget-table' },
            h('caption', null, t('budget.table.caption')),
            h('thead', null, h('tr', null,
              h('th', { scope: 'col' }, t('budget.table.year')),
              h('th', { scope: 'col', class: 'num' }, t('budget.table.total')),
              h('th', { scope: 'col', class: 'num' }, t('budget.table.strategic')),
              h('th', { scope: 'col', class: 'num' }, t('budget.table.share')),
              h('th', { scope: 'col' }, t('budget.table.basis')),
            )),
            h('tbody', null, years.map((y) => {
              const total = num(y.totalBudgetBaht);
              const strategic = num(y.strategicBudgetBaht);
              return h('tr', { 'data-year': y.fiscalYear },
                h('th', { scope: 'row' }, fmtYear(y.fiscalYear)),
                h('td', { class: 'num', 'data-baht': String(total), title: `${total.toLocaleString()} ${t('unit.bahtShort')}` }, fmtMillionNumber(total)),
                strategic > 0
                  ? h('td', { class: 'num', 'data-baht': String(strategic) }, fmtMillionNumber(strategic))
                  : h('td', { class: 'num muted', 'data-baht': '0' }, t('state.empty')),
                h('td', { class: 'num' }, strategic > 0 ? fmtPct(strategic, total, 1) : '–'),
                h('td', { class: 'basis', 'data-basis': y.totalBasis ?? '' },
                  y.totalBasis === 'ordinance'
                    ? t('budget.basis.ordinance', { clause: y.totalClause ?? '', page: y.totalSourcePage ?? 0 })
                    : t('budget.basis.published')),
              );
            })),
          ),
        ),
      );
      if (data.years?.[0]?.source) {
        body.push(h('details', { class: 'sources' }, h('summary', null, t('budget.sources')),
          h('ul', null, years.map((y) => h('li', null, `${fmtYear(y.fiscalYear)}: ${y.source ?? ''}`)))));
      }
      queueMicrotask(() => void drawChart(canvasBox, years));
    }
    clear(el, h('div', { class: 'wrap' }, sectionHead('budget', 'budget.title', 'budget.lead'), body));
    if (chartError) chartError = false;
  }

  // Load chart code only when the section comes near the viewport.
  const io = new IntersectionObserver(
    (entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        visible = true;
        io.disconnect();
        const box = el.querySelector<HTMLElement>('.chart-box');
        if (box && data?.years?.length) void drawChart(box, data.years);
      }
    },
    { rootMargin: '400px 0px' },
  );
  io.observe(el);
  onLangChange(render);
  void load();
}
