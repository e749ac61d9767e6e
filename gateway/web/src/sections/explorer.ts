// Explorer: filters (year / agency / district / strategy / mission type /
// words in the name), a breakdown, the line list with sort and pagination,
// million baht vs percent, and a CSV download of exactly the current filter.
// Years differ in what their lines cover (YearOverview.linesScope): the
// ordinance (every budget unit) or the district budget books (the 50 district
// offices only, which also state each line's expense category).
import {
  get, num, query, type Breakdown, type BreakdownDimension, type BudgetLine, type District, type LineSort, type LinesPage, type Strategy, type YearOverview,
} from '../api';
import { clear, h, nextId } from '../dom';
import { fmtInt, fmtMillion, fmtMillionNumber, fmtPct, fmtYear } from '../format';
import { hasKey, onLangChange, t, type Key } from '../i18n';
import { openLine } from '../lineDialog';
import { badgeFundedLines } from '../projects';
import {
  announce, districtName, districts, empty, errorBox, filterParams, filterStore, loading, overview, sectionHead, strategyName,
  strategies7, strategyLabel, type Filter,
} from '../ui';

type Sort = LineSort;
/** The dimension's name without its enum prefix, as the URL carries it. */
type Dim = BreakdownDimension extends `BREAKDOWN_DIMENSION_${infer D}` ? D : never;
const SORTS: { v: Sort; k: Key; short: string }[] = [
  { v: 'LINE_SORT_AMOUNT_DESC', k: 'explorer.sort.desc', short: 'amount_desc' },
  { v: 'LINE_SORT_AMOUNT_ASC', k: 'explorer.sort.asc', short: 'amount_asc' },
  { v: 'LINE_SORT_NAME', k: 'explorer.sort.name', short: 'name' },
];
const DIMS: { v: Dim; k: Key }[] = [
  { v: 'AGENCY', k: 'explorer.dim.agency' },
  { v: 'MISSION_TYPE', k: 'explorer.dim.mission' },
  { v: 'DISTRICT', k: 'explorer.dim.district' },
  { v: 'STRATEGY', k: 'explorer.dim.strategy' },
  { v: 'EXPENSE_CATEGORY', k: 'explorer.dim.category' },
];
const PAGE_SIZE = 20;
// The budget books' expense categories in their printed order, each with its colour.
const CATEGORY_COLORS: [string, string][] = [
  ['งบบุคลากร', '#1f5fa8'],
  ['งบดำเนินงาน', '#2e7d32'],
  ['งบลงทุน', '#b26a00'],
  ['งบเงินอุดหนุน', '#7b4fa0'],
  ['งบรายจ่ายอื่น', '#00796b'],
];
const OTHER_CATEGORY_COLOR = '#8a5a44';

/** An expense category in the reader's language (the books name them in Thai). */
export function categoryName(category: string): string {
  const key = `category.${category}`;
  return hasKey(key) ? t(key) : category;
}

export interface ExplorerApi {
  applyParams(p: URLSearchParams): void;
}

export function mountExplorer(el: HTMLElement): ExplorerApi {
  let years: number[] = [];
  let yearInfo: YearOverview[] = [];
  let ds: District[] = [];
  let ss: Strategy[] = [];
  let agencyOptions: string[] = [];
  let missionOptions: string[] = [];
  let optionsYear = 0;  // the year agencyOptions and missionOptions are of
  let initError: unknown = null;
  let ready = false;

  let sort: Sort = 'LINE_SORT_AMOUNT_DESC';
  let unit: 'million' | 'percent' = 'million';
  let dim: Dim = 'AGENCY';
  let showAllBreakdown = false;
  let tokens: string[] = [''];
  let page = 0;
  let result: LinesPage | null = null;
  let resultError: unknown = null;
  let busy = false;
  let breakdown: Breakdown | null = null;
  let breakdownError: unknown = null;
  let categories: Breakdown | null = null;
  let categoriesError: unknown = null;
  let seq = 0;
  let pendingParams: URLSearchParams | null = null;

  const resultsBox = h('div', { class: 'results', id: 'explorer-results', 'aria-busy': 'false' });
  const breakdownBox = h('div', { class: 'breakdown', id: 'explorer-breakdown' });
  const categoriesBox = h('div', { class: 'categories', id: 'explorer-categories-box' });
  const controlsBox = h('div', { class: 'controls' });

  const f = () => filterStore.value;
  const scopeOf = (year: number) => yearInfo.find((y) => y.fiscalYear === year)?.linesScope ?? '';
  /** Whether the year's lines state their expense category (the budget books do, the ordinance does not). */
  const statesCategories = () => scopeOf(f().year) === 'district_books';
  /** The breakdowns the year can answer: no mission types where it names none, categories where it states them. */
  const dims = () => DIMS.filter((d) => (d.v !== 'MISSION_TYPE' || missionOptions.length > 0) && (d.v !== 'EXPENSE_CATEGORY' || statesCategories()));

  async function init(): Promise<void> {
    initError = null;
    render();
    try {
      const [ov, d, s] = await Promise.all([overview(), districts(), strategies7()]);
      yearInfo = (ov.years ?? []).filter((y) => y.hasLines);
      years = yearInfo.map((y) => y.fiscalYear).sort((a, b) => b - a);
      ds = d;
      ss = s;
      if (!f().year && years.length) filterStore.set({ year: years[0] }, 'init');
      await loadOptions();
      ready = true;
      if (pendingParams) {
        const p = pendingParams;
        pendingParams = null;
        applyParams(p);
        return;
      }
    } catch (e) {
      initError = e;
    }
    render();
    if (ready) void reload();
  }

  async function loadOptions(): Promise<void> {
    const year = f().year;
    if (!year) return;
    const [ag, mt] = await Promise.all([
      get<Breakdown>(`/v1/budget/years/${year}/breakdown`, { dimension: 'BREAKDOWN_DIMENSION_AGENCY' }, { cache: true }),
      get<Breakdown>(`/v1/budget/years/${year}/breakdown`, { dimension: 'BREAKDOWN_DIMENSION_MISSION_TYPE' }, { cache: true }),
    ]);
    // Group keys that are not line agencies (e.g. the "(71)" loan-repayment group) cannot filter lines.
    agencyOptions = (ag.items ?? []).map((i) => i.key ?? '').filter((k) => k && !/^\(\d+\)$/.test(k)).sort((a, b) => a.localeCompare(b, 'th'));
    missionOptions = (mt.items ?? []).map((i) => i.key ?? '').filter(Boolean);
    optionsYear = year;
    if (!dims().some((d) => d.v === dim)) dim = 'AGENCY';
  }

  function linesParams(): Record<string, string | number> {
    return { ...filterParams(f()), sort };
  }

  function csvHref(): string {
    return `/v1/export/lines.csv${query(linesParams())}`;
  }

  function syncUrl(): void {
    const cur = f();
    const p = new URLSearchParams();
    if (cur.year) p.set('year', String(cur.year));
    if (cur.agency) p.set('agency', cur.agency);
    if (cur.districtId) p.set('district', String(cur.districtId));
    if (cur.strategyId) p.set('strategy', cur.strategyId);
    if (cur.missionType) p.set('mission', cur.missionType);
    if (cur.nameContains) p.set('q', cur.nameContains);
    if (sort !== 'LINE_SORT_AMOUNT_DESC') p.set('sort', SORTS.find((s) => s.v === sort)!.short);
    if (unit === 'percent') p.set('unit', 'percent');
    const hash = `#/explore${p.toString() ? `?${p}` : ''}`;
    if (location.hash.startsWith('#/explore') || location.hash === '' || location.hash === '#/' || location.hash.startsWith('#/s/')) {
      history.replaceState(null, '', hash);
    }
  }

  async function reload(resetPage = true): Promise<void> {
    if (resetPage) {
      tokens = [''];
      page = 0;
    }
    const my = ++seq;
    busy = true;
    resultError = null;
    renderResults();
    try {
      const res = await get<LinesPage>('/v1/budget/lines', { ...linesParams(), pageSize: PAGE_SIZE, pageToken: tokens[page] });
      if (my !== seq) return;
      result = res;
      if (res.nextPageToken) tokens[page + 1] = res.nextPageToken;
      else tokens.length = page + 1;
    } catch (e) {
      if (my !== seq) return;
      resultError = e;
    }
    busy = false;
    renderResults();
    if (!resultError && result) {
      announce(t('explorer.found', { n: fmtInt(result.totalCount ?? 0), amount: fmtMillion(num(result.totalAmountBaht)) }));
    }
    if (resetPage) void loadBreakdown();
  }

  async function loadBreakdown(): Promise<void> {
    const year = f().year;
    breakdownError = null;
    if (!year) {
      breakdown = null;
      renderBreakdown();
      return;
    }
    const my = seq;
    if (statesCategories()) void loadCategories(my);
    else {
      categories = null;
      renderCategories();
    }
    try {
      const res = await get<Breakdown>(`/v1/budget/years/${year}/breakdown`, { dimension: `BREAKDOWN_DIMENSION_${dim}`, ...filterParams(f()) }, { cache: true });
      if (my !== seq) return;
      breakdown = res;
    } catch (e) {
      breakdownError = e;
    }
    renderBreakdown();
  }

  // The expense-category split of the current filter (years that state categories only).
  async function loadCategories(my: number): Promise<void> {
    categoriesError = null;
    categories = null;
    renderCategories();
    try {
      const res = await get<Breakdown>(`/v1/budget/years/${f().year}/breakdown`,
        { dimension: 'BREAKDOWN_DIMENSION_EXPENSE_CATEGORY', ...filterParams(f()) }, { cache: true });
      if (my !== seq) return;
      categories = res;
    } catch (e) {
      if (my !== seq) return;
      categoriesError = e;
    }
    renderCategories();
  }

  function setFilter(patch: Partial<Filter>): void {
    filterStore.set(patch, 'explorer');
    syncUrl();
  }

  filterStore.subscribe((_v, origin) => {
    if (origin === 'init') return;
    // Another section (the keywords' year) changed the year: that year's options first.
    if (ready && origin !== 'explorer' && origin !== 'route' && f().year !== optionsYear) {
      void loadOptions().catch(() => undefined).then(() => { render(); void reload(); });
      return;
    }
    if (origin !== 'explorer') renderControls();
    if (ready) void reload();
  });

  function select(id: string, labelKey: Key, value: string, options: { v: string; label: string }[], onChange: (v: string) => void, anyKey: Key = 'explorer.any'): HTMLElement {
    return h('div', { class: 'field' },
      h('label', { for: id }, t(labelKey)),
      h('select', { id, onchange: (e: Event) => onChange((e.target as HTMLSelectElement).value) },
        anyKey ? h('option', { value: '' }, t(anyKey)) : null,
        options.map((o) => h('option', { value: o.v, selected: o.v === value }, o.label)),
      ),
    );
  }

  let nameTimer = 0;
  function renderControls(): void {
    const cur = f();
    const nameId = 'explorer-name';
    clear(
      controlsBox,
      h('form', { class: 'filters', id: 'explorer-filters', 'aria-label': t('explorer.filters'), onsubmit: (e: Event) => e.preventDefault() },
        h('div', { class: 'field' },
          h('label', { for: 'explorer-year' }, t('explorer.year')),
          h('select', {
            id: 'explorer-year',
            onchange: async (e: Event) => {
              const y = Number((e.target as HTMLSelectElement).value);
              filterStore.value = { ...filterStore.value, year: y, agency: '', missionType: '' };
              try { await loadOptions(); } catch { /* options stay */ }
              renderControls();
              setFilter({});
            },
          }, years.map((y) => h('option', { value: String(y), selected: y === cur.year }, fmtYear(y)))),
        ),
        select('explorer-agency', 'explorer.agency', cur.agency, agencyOptions.map((a) => ({ v: a, label: a })), (v) => setFilter({ agency: v })),
        select('explorer-district', 'explorer.district', cur.districtId ? String(cur.districtId) : '',
          ds.map((d) => ({ v: String(d.id), label: districtName(d) })), (v) => setFilter({ districtId: Number(v) || 0 })),
        select('explorer-strategy', 'explorer.strategy', cur.strategyId,
          [...ss.map((s, i) => ({ v: s.id, label: `${i + 1}. ${strategyName(s)}` })), { v: 'unclassified', label: t('strategy.unclassified') }],
          (v) => setFilter({ strategyId: v })),
        // The district books name no mission types: no select that could only say "all".
        missionOptions.length
          ? select('explorer-mission', 'explorer.mission', cur.missionType, missionOptions.map((m) => ({ v: m, label: m })), (v) => setFilter({ missionType: v }))
          : null,
        h('div', { class: 'field' },
          h('label', { for: nameId }, t('explorer.name')),
          h('input', {
            id: nameId, type: 'search', value: cur.nameContains, autocomplete: 'off', placeholder: t('explorer.name.placeholder'),
            oninput: (e: Event) => {
              const v = (e.target as HTMLInputElement).value.trim();
              window.clearTimeout(nameTimer);
              nameTimer = window.setTimeout(() => setFilter({ nameContains: v }), 400);
            },
            onkeydown: (e: KeyboardEvent) => {
              if (e.key === 'Enter') {
                window.clearTimeout(nameTimer);
                setFilter({ nameContains: (e.target as HTMLInputElement).value.trim() });
              }
            },
          }),
        ),
        h('div', { class: 'field' },
          h('label', { for: 'explorer-sort' }, t('explorer.sort')),
          h('select', { id: 'explorer-sort', onchange: (e: Event) => { sort = (e.target as HTMLSelectElement).value as Sort; syncUrl(); void reload(); } },
            SORTS.map((s) => h('option', { value: s.v, selected: s.v === sort }, t(s.k)))),
        ),
        h('fieldset', { class: 'field toggle' },
          h('legend', null, t('explorer.unit')),
          unitRadio('million', t('explorer.unit.million')),
          unitRadio('percent', t('explorer.unit.percent')),
        ),
        h('div', { class: 'field actions' },
          h('button', { type: 'button', class: 'btn btn-ghost', id: 'explorer-reset', onclick: () => {
            filterStore.value = { ...filterStore.value, agency: '', districtId: 0, strategyId: '', missionType: '', nameContains: '' };
            sort = 'LINE_SORT_AMOUNT_DESC';
            renderControls();
            setFilter({});
          } }, t('explorer.reset')),
        ),
      ),
      scopeNote(cur.year),
    );
  }

  /** What the chosen year's lines cover, so 2565's 50 district offices are not read as the city's budget. */
  function scopeNote(year: number): HTMLElement | null {
    const scope = scopeOf(year);
    const key = `explorer.scope.${scope}`;
    if (!scope || !hasKey(key)) return null;
    return h('p', { class: 'callout scope-note', id: 'explorer-scope', 'data-scope': scope }, t(key, { year: fmtYear(year) }));
  }

  function unitRadio(v: 'million' | 'percent', label: string): HTMLElement {
    const id = `explorer-unit-${v}`;
    return h('span', { class: 'radio' },
      h('input', { type: 'radio', name: 'explorer-unit', id, value: v, checked: unit === v, onchange: () => { unit = v; syncUrl(); renderResults(); renderBreakdown(); } }),
      h('label', { for: id }, label),
    );
  }

  function amountText(amount: number, whole: number): string {
    return unit === 'percent' ? fmtPct(amount, whole) : fmtMillion(amount);
  }

  function lineItem(line: BudgetLine, whole: number): HTMLElement {
    const amount = num(line.amountBaht);
    return h('li', { class: 'line-item', 'data-line-id': line.lineId, 'data-baht': String(amount) },
      h('button', { type: 'button', class: 'line-open', onclick: () => void openLine(line.lineId) },
        h('span', { class: 'line-name' }, line.name || t('state.empty')),
        h('span', { class: 'visually-hidden' }, ` — ${t('explorer.openDetail')}`),
      ),
      h('span', { class: 'line-amount' }, amountText(amount, whole)),
      h('span', { class: 'line-meta' },
        [line.agency, line.missionType, line.category ? categoryName(line.category) : '', `${t('line.strategy')}: ${strategyLabel(line.strategyId, ss)}`].filter(Boolean).join(' · ')),
    );
  }

  function renderResults(): void {
    resultsBox.setAttribute('aria-busy', String(busy));
    if (resultError) {
      clear(resultsBox, errorBox(resultError, () => void reload(false)));
      return;
    }
    if (!result) {
      clear(resultsBox, loading());
      return;
    }
    const total = result.totalCount ?? 0;
    const whole = num(result.totalAmountBaht);
    const lines = result.lines ?? [];
    const from = page * PAGE_SIZE + 1;
    const to = page * PAGE_SIZE + lines.length;
    clear(
      resultsBox,
      h('div', { class: 'results-head' },
        h('p', { class: 'summary', id: 'explorer-summary', 'data-count': String(total), 'data-baht': String(whole) },
          t('explorer.found', { n: fmtInt(total), amount: fmtMillion(whole) })),
        h('a', { class: 'btn btn-light', id: 'explorer-csv', href: csvHref(), download: 'bkk-budget-lines.csv' }, t('explorer.csv')),
      ),
      busy ? loading() : null,
      lines.length === 0
        ? empty()
        : h('ol', { class: 'line-list', id: 'explorer-lines', start: String(from) }, lines.map((l) => lineItem(l, whole))),
      total > 0
        ? h('nav', { class: 'pager', 'aria-label': t('explorer.pager') },
            h('button', { type: 'button', class: 'btn', id: 'explorer-prev', disabled: page === 0 || busy, onclick: () => { page -= 1; void reload(false); } }, t('explorer.prev')),
            h('span', { class: 'pager-status' }, t('explorer.range', { from: fmtInt(from), to: fmtInt(to), n: fmtInt(total) })),
            h('button', { type: 'button', class: 'btn', id: 'explorer-next', disabled: !result.nextPageToken || busy, onclick: () => { page += 1; void reload(false); } }, t('explorer.next')),
          )
        : null,
    );
    void badgeFundedLines(resultsBox);
  }

  function breakdownFilter(key: string): Partial<Filter> {
    switch (dim) {
      case 'AGENCY': return { agency: key };
      case 'MISSION_TYPE': return { missionType: key };
      case 'DISTRICT': return { districtId: Number(key) || 0 };
      case 'STRATEGY': return { strategyId: key || 'unclassified' };
      // Lines cannot be filtered by category (LineFilter has no such field): never called for it.
      case 'EXPENSE_CATEGORY': return {};
    }
  }

  function renderBreakdown(): void {
    const dimId = nextId('dim');
    const head = h('div', { class: 'breakdown-head' },
      h('h3', null, t('explorer.breakdown')),
      h('div', { class: 'field inline' },
        h('label', { for: dimId }, t('explorer.breakdownBy')),
        h('select', { id: dimId, onchange: (e: Event) => { dim = (e.target as HTMLSelectElement).value as Dim; showAllBreakdown = false; void loadBreakdown(); } },
          dims().map((d) => h('option', { value: d.v, selected: d.v === dim }, t(d.k)))),
      ),
    );
    if (breakdownError) {
      clear(breakdownBox, head, errorBox(breakdownError, () => void loadBreakdown()));
      return;
    }
    if (!breakdown) {
      clear(breakdownBox, head, f().year ? loading() : empty());
      return;
    }
    const items = breakdown.items ?? [];
    const whole = num(breakdown.totalBaht);
    const max = Math.max(1, ...items.map((i) => num(i.amountBaht)));
    const shown = showAllBreakdown ? items : items.slice(0, 8);
    clear(
      breakdownBox,
      head,
      items.length === 0
        ? empty()
        : h('ul', { class: 'bars' },
            shown.map((i) => {
              const amount = num(i.amountBaht);
              const key = i.key ?? '';
              const label = dim === 'DISTRICT' ? districtName(ds.find((d) => String(d.id) === key)) || i.label || key
                : dim === 'STRATEGY' ? strategyLabel(key, ss)
                  : dim === 'MISSION_TYPE' && !key ? t('mission.none')
                    : dim === 'EXPENSE_CATEGORY' && key ? categoryName(key) : i.label || key || t('state.empty');
              const canFilter = dim === 'EXPENSE_CATEGORY' ? false : dim !== 'MISSION_TYPE' || key !== '';
              return h('li', { class: 'bar-row' },
                canFilter
                  ? h('button', { type: 'button', class: 'bar-label', onclick: () => { filterStore.value = { ...filterStore.value, ...breakdownFilter(key) }; renderControls(); setFilter({}); } },
                      label, h('span', { class: 'visually-hidden' }, ` — ${t('explorer.filterBy')}`))
                  : h('span', { class: 'bar-label' }, label),
                h('span', { class: 'bar-value' }, unit === 'percent' ? fmtPct(amount, whole) : fmtMillionNumber(amount),
                  h('span', { class: 'muted' }, ` · ${t('agencies.lines', { n: fmtInt(i.lineCount ?? 0) })}`)),
                h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span', { style: `width:${(amount / max) * 100}%` })),
              );
            }),
          ),
      items.length > 8
        ? h('button', { type: 'button', class: 'btn btn-ghost', 'aria-expanded': String(showAllBreakdown), onclick: () => { showAllBreakdown = !showAllBreakdown; renderBreakdown(); } },
            showAllBreakdown ? t('explorer.showLess') : t('explorer.showAll', { n: items.length }))
        : null,
      unit === 'million' ? h('p', { class: 'muted small' }, t('explorer.breakdownUnit')) : null,
    );
  }

  /** Filter parts as a caption says them: "สาทร · งาน" or "all 50 district offices". */
  function filterCaption(): string {
    const cur = f();
    const parts = [
      cur.districtId ? t('explorer.categories.district', { name: districtName(ds.find((d) => d.id === cur.districtId)) || String(cur.districtId) }) : '',
      cur.agency,
      cur.strategyId ? strategyLabel(cur.strategyId, ss) : '',
      cur.nameContains ? `“${cur.nameContains}”` : '',
    ].filter(Boolean);
    // The district and its office as agency read the same in Thai: once.
    return parts.length ? [...new Set(parts)].join(' · ') : t('explorer.categories.all');
  }

  // The expense-category split as a chart: one bar of 100% in parts, and the
  // same figures as a table (the chart is decoration for screen readers).
  function renderCategories(): void {
    if (!statesCategories()) {
      clear(categoriesBox);
      return;
    }
    const title = h('h3', { id: 'explorer-categories-title' }, t('explorer.categories.title'));
    if (categoriesError) {
      clear(categoriesBox, title, errorBox(categoriesError, () => void loadCategories(seq)));
      return;
    }
    if (!categories) {
      clear(categoriesBox, title, loading());
      return;
    }
    const whole = num(categories.totalBaht);
    const order = new Map(CATEGORY_COLORS.map(([c], i) => [c, i]));
    const items = [...(categories.items ?? [])].sort((a, b) => (order.get(a.key ?? '') ?? 99) - (order.get(b.key ?? '') ?? 99));
    const color = (key: string) => CATEGORY_COLORS.find(([c]) => c === key)?.[1] ?? OTHER_CATEGORY_COLOR;
    const caption = t('explorer.categories.caption', { filter: filterCaption(), year: fmtYear(f().year), amount: fmtMillion(whole) });
    clear(
      categoriesBox,
      title,
      items.length === 0
        ? empty()
        : h('figure', { class: 'category-figure', id: 'explorer-categories', 'data-baht': String(whole) },
            h('figcaption', { id: 'explorer-categories-caption' }, caption),
            h('div', { class: 'category-stack', 'aria-hidden': 'true' },
              items.map((i) => h('span', {
                style: `width:${whole ? (num(i.amountBaht) / whole) * 100 : 0}%;background:${color(i.key ?? '')}`,
                title: `${categoryName(i.key ?? '')}: ${fmtPct(num(i.amountBaht), whole, 1)}`,
              }))),
            h('table', { class: 'data-table', id: 'explorer-categories-table' },
              h('caption', { class: 'visually-hidden' }, caption),
              h('thead', null, h('tr', null,
                h('th', { scope: 'col' }, t('explorer.categories.col')),
                h('th', { scope: 'col', class: 'num' }, t('explorer.unit.million')),
                h('th', { scope: 'col', class: 'num' }, t('explorer.categories.share')))),
              h('tbody', null, items.map((i) => h('tr', { 'data-category': i.key ?? '', 'data-baht': String(num(i.amountBaht)) },
                h('th', { scope: 'row' }, h('span', { class: 'swatch', style: `background:${color(i.key ?? '')}`, 'aria-hidden': 'true' }), ' ', categoryName(i.key ?? '')),
                h('td', { class: 'num' }, fmtMillionNumber(num(i.amountBaht))),
                h('td', { class: 'num' }, fmtPct(num(i.amountBaht), whole, 1))))),
              h('tfoot', null, h('tr', null,
                h('th', { scope: 'row' }, t('explorer.categories.total')),
                h('td', { class: 'num', id: 'explorer-categories-total', 'data-baht': String(whole) }, fmtMillionNumber(whole)),
                h('td', { class: 'num' }, fmtPct(whole, whole, 1)))),
            ),
          ),
      h('p', { class: 'muted small' }, t('explorer.categories.note')),
    );
  }

  function render(): void {
    const body: (HTMLElement | null)[] = [];
    if (initError) body.push(errorBox(initError, () => void init()));
    else if (!ready) body.push(loading());
    else if (!years.length) body.push(empty());
    else {
      renderControls();
      renderResults();
      renderBreakdown();
      renderCategories();
      body.push(controlsBox, h('div', { class: 'explorer-grid' }, resultsBox, h('div', { class: 'explorer-side' }, categoriesBox, breakdownBox)));
      body.push(h('p', { class: 'note' }, t('data.allocation')));
    }
    clear(el, h('div', { class: 'wrap' }, sectionHead('explorer', 'explorer.title', 'explorer.lead'), body));
  }

  function applyParams(p: URLSearchParams): void {
    if (!ready) {
      pendingParams = p;
      return;
    }
    const year = Number(p.get('year')) || f().year;
    const s = SORTS.find((x) => x.short === p.get('sort'));
    sort = s ? s.v : 'LINE_SORT_AMOUNT_DESC';
    unit = p.get('unit') === 'percent' ? 'percent' : 'million';
    const next: Filter = {
      year,
      agency: p.get('agency') ?? '',
      districtId: Number(p.get('district')) || 0,
      strategyId: p.get('strategy') ?? '',
      missionType: p.get('mission') ?? '',
      nameContains: p.get('q') ?? '',
    };
    const yearChanged = year !== f().year;
    void (async () => {
      filterStore.value = { ...filterStore.value, year };
      if (yearChanged) {
        try { await loadOptions(); } catch { /* keep */ }
      }
      render();
      filterStore.set(next, 'route');
    })();
  }

  onLangChange(() => {
    if (ready) render();
    else render();
  });
  void init();
  return { applyParams };
}
