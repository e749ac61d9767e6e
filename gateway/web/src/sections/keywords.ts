// Keywords: the word cloud for the current explorer filter (size = number of
// lines), keyword search with highlighted matches, and suggestions. The year
// chosen here is the filter's year, so the explorer follows it.
import { get, num, type KeywordCount, type SearchSort, type SearchHit, type SearchResult, type TextRange, type TopKeywords } from '../api';
import { clear, h, type Child } from '../dom';
import { fmtInt, fmtMillion, fmtYear } from '../format';
import { onLangChange, t, type Key } from '../i18n';
import { HEIGHT, layoutCloud, WIDTH } from '../cloudLayout';
import { openLine } from '../lineDialog';
import {
  announce, districtName, districts, empty, errorBox, filterParams, filterStore, loading, overview, sectionHead, strategies7, strategyLabel,
} from '../ui';
import type { District, Strategy } from '../api';

const SORTS: { v: SearchSort; k: Key }[] = [
  { v: 'SEARCH_SORT_RELEVANCE', k: 'keywords.sort.relevance' },
  { v: 'SEARCH_SORT_AMOUNT_DESC', k: 'explorer.sort.desc' },
  { v: 'SEARCH_SORT_AMOUNT_ASC', k: 'explorer.sort.asc' },
];

/** Splits a name into text and <mark> parts from UTF-16 [start, end) ranges. */
export function highlight(name: string, ranges: TextRange[] | undefined): Child[] {
  const rs = (ranges ?? [])
    .map((r) => ({ s: Math.max(0, r.start ?? 0), e: Math.min(name.length, r.end ?? 0) }))
    .filter((r) => r.e > r.s)
    .sort((a, b) => a.s - b.s);
  const out: Child[] = [];
  let pos = 0;
  for (const r of rs) {
    if (r.e <= pos) continue;
    const s = Math.max(r.s, pos);
    if (s > pos) out.push(name.slice(pos, s));
    out.push(h('mark', null, name.slice(s, r.e)));
    pos = r.e;
  }
  if (pos < name.length) out.push(name.slice(pos));
  return out;
}

export function mountKeywords(el: HTMLElement): void {
  let cloud: TopKeywords | null = null;
  let cloudError: unknown = null;
  let cloudKey = '';
  let cloudSeq = 0;

  let queryText = '';
  let sort: SearchSort = 'SEARCH_SORT_RELEVANCE';
  let hits: SearchHit[] = [];
  let result: SearchResult | null = null;
  let searchError: unknown = null;
  let searching = false;
  let searchSeq = 0;
  let suggestions: KeywordCount[] = [];
  let ss: Strategy[] = [];
  let ds: District[] = [];
  let years: number[] = [];
  void Promise.all([strategies7(), districts()]).then(([a, b]) => { ss = a; ds = b; if (cloud) renderCloud(); }).catch(() => undefined);
  void overview().then((ov) => {
    years = (ov.years ?? []).filter((y) => y.hasLines).map((y) => y.fiscalYear).sort((a, b) => b - a);
    renderYear();
  }).catch(() => undefined);

  const yearBox = h('div', { class: 'keyword-year' });
  const cloudBox = h('div', { class: 'cloud-box', id: 'keyword-cloud-box' });
  const searchBox = h('div', { class: 'search-box' });
  const resultsBox = h('div', { class: 'search-results', id: 'keyword-results' });

  function currentKey(): string {
    return JSON.stringify(filterParams(filterStore.value, 'filter.', false));
  }

  async function loadCloud(): Promise<void> {
    const key = currentKey();
    cloudKey = key;
    const my = ++cloudSeq;
    cloudError = null;
    cloud = null;
    renderCloud();
    try {
      const res = await get<TopKeywords>('/v1/keywords/top', { ...filterParams(filterStore.value, 'filter.', false), limit: 60 }, { cache: true });
      if (my !== cloudSeq) return;
      cloud = res;
    } catch (e) {
      if (my !== cloudSeq) return;
      cloudError = e;
    }
    renderCloud();
  }

  filterStore.subscribe(() => {
    renderYear();
    if (currentKey() !== cloudKey) {
      void loadCloud();
      if (queryText) void search(queryText);
    }
  });

  // Years with lines; a year's agencies and mission types are its own, so they reset (as the explorer's year does).
  function renderYear(): void {
    const year = filterStore.value.year;
    if (years.length < 2) {
      clear(yearBox);
      return;
    }
    clear(yearBox, h('div', { class: 'field inline' },
      h('label', { for: 'keyword-year' }, t('keywords.year')),
      h('select', {
        id: 'keyword-year',
        onchange: (e: Event) => filterStore.set({ year: Number((e.target as HTMLSelectElement).value), agency: '', missionType: '' }, 'keywords'),
      }, years.map((y) => h('option', { value: String(y), selected: y === year }, fmtYear(y)))),
    ));
  }

  function filterSummary(): string {
    const f = filterStore.value;
    const parts: string[] = [];
    if (f.year) parts.push(fmtYear(f.year));
    if (f.agency) parts.push(f.agency);
    if (f.districtId) parts.push(districtName(ds.find((d) => d.id === f.districtId)) || t('keywords.districtN', { n: f.districtId }));
    if (f.strategyId) parts.push(strategyLabel(f.strategyId, ss));
    if (f.missionType) parts.push(f.missionType);
    return parts.join(' · ') || t('explorer.any');
  }

  function renderCloud(): void {
    if (cloudError) {
      clear(cloudBox, errorBox(cloudError, () => void loadCloud()));
      return;
    }
    if (!cloud) {
      clear(cloudBox, loading());
      return;
    }
    const words = cloud.keywords ?? [];
    if (!words.length) {
      clear(cloudBox, h('p', { class: 'muted' }, t('keywords.cloudFor', { filter: filterSummary() })), empty());
      return;
    }
    // Widths as the page draws them (a hidden word in the cloud's own style,
    // at the size it will have on this screen: small text does not scale
    // exactly), so the layout holds whatever font the system picks; 4% spare.
    const probe = h('span', { class: 'cloud-word', 'aria-hidden': 'true', style: 'position:absolute;visibility:hidden;white-space:nowrap;padding:0' });
    cloudBox.appendChild(probe);
    const scale = (cloudBox.clientWidth || WIDTH) / WIDTH;
    const measure = (word: string, size: number) => {
      probe.style.fontSize = `${size * scale}px`;
      probe.textContent = word;
      return (probe.getBoundingClientRect().width / scale) * 1.04;
    };
    const placed = layoutCloud(words.map((w) => ({ word: w.keyword, count: w.lineCount ?? 0 })), measure);
    probe.remove();
    const byWord = new Map(words.map((w) => [w.keyword, w]));
    const hidden = cloud.hidden ?? [];
    const share = (cloud.boilerplateAgencyPercent ?? 0) / 100;
    clear(
      cloudBox,
      h('p', { class: 'muted' }, t('keywords.cloudFor', { filter: filterSummary() }), ' · ', t('keywords.cloudLines', { n: fmtInt(cloud.lineCount ?? 0) })),
      h('div', { class: 'cloud-layout' },
        h('ul', { class: 'cloud', id: 'keyword-cloud', 'aria-label': t('keywords.cloudLabel'), style: `aspect-ratio:${WIDTH}/${HEIGHT}` },
          // Largest first: the reading order of keyboards and screen readers.
          placed.map((p, i) => {
            const w = byWord.get(p.word)!;
            // Both offsets in units of the cloud's width (cqw), as the font sizes.
            return h('li', { style: `left:${((p.x / WIDTH) * 100).toFixed(3)}cqw;top:${((p.y / WIDTH) * 100).toFixed(3)}cqw` },
              h('button', {
                type: 'button',
                class: `cloud-word tone-${i % 4}${w.topical ? ' topical' : ''}`,
                style: `font-size:${((p.size / WIDTH) * 100).toFixed(3)}cqw`,
                'data-keyword': p.word,
                'data-count': String(p.count),
                'data-x': p.x.toFixed(1),
                'data-y': p.y.toFixed(1),
                'aria-label': t('keywords.wordLabel', { word: p.word, n: fmtInt(p.count) }),
                onclick: () => pickWord(p.word),
              }, p.word));
          }),
        ),
        wordTable(words),
      ),
      h('p', { class: 'note' }, t('keywords.topicalNote')),
      hidden.length
        ? h('details', { class: 'hidden-words', id: 'keyword-hidden' },
          h('summary', null, t('keywords.hidden.title', { n: fmtInt(hidden.length) })),
          h('p', null, t('keywords.hidden.rule', {
            pct: Math.round(share * 100),
            n: Math.floor(share * (cloud.agencyCount ?? 0)) + 1,
            total: cloud.agencyCount ?? 0,
          })),
          h('ul', { class: 'chips' }, hidden.map((w) => h('li', { class: 'chip', 'data-keyword': w.keyword, 'data-reason': w.reason ?? '' },
            w.keyword, ' ',
            h('span', { class: 'muted small' }, w.reason === 'HIDDEN_REASON_REVIEWED'
              ? t('keywords.hidden.reviewed')
              : t('keywords.hidden.agencies', { n: w.agencyCount ?? 0, total: cloud!.agencyCount ?? 0 }))))))
        : null,
    );
  }

  // The cloud's words as a table, sortable by word, lines or amount.
  type SortKey = 'word' | 'lines' | 'amount';
  let tableSort: SortKey = 'lines';
  let tableDesc = true;
  function wordTable(words: KeywordCount[]): HTMLElement {
    const value = (w: KeywordCount): number | string =>
      tableSort === 'word' ? w.keyword : tableSort === 'lines' ? w.lineCount ?? 0 : num(w.amountBaht);
    const sorted = [...words].sort((a, b) => {
      const x = value(a), y = value(b);
      const c = typeof x === 'string' ? x.localeCompare(y as string, 'th') : x - (y as number);
      return (tableDesc ? -c : c) || a.keyword.localeCompare(b.keyword, 'th');
    });
    const head = (key: SortKey, label: Key, numeric: boolean) =>
      h('th', { scope: 'col', class: numeric ? 'num' : null, 'aria-sort': tableSort === key ? (tableDesc ? 'descending' : 'ascending') : 'none' },
        h('button', {
          type: 'button', class: 'link-button', 'data-sort': key,
          onclick: () => {
            tableDesc = tableSort === key ? !tableDesc : key !== 'word';
            tableSort = key;
            // Only the table changes: the cloud keeps its measured layout.
            document.getElementById('keyword-table-box')?.replaceWith(wordTable(words));
            (document.querySelector(`#keyword-table button[data-sort="${key}"]`) as HTMLElement | null)?.focus();
          },
        }, t(label), tableSort === key ? (tableDesc ? ' ▼' : ' ▲') : ''));
    return h('div', { class: 'table-scroll cloud-table', id: 'keyword-table-box', tabindex: '0', role: 'region', 'aria-label': t('keywords.table') },
      h('table', { class: 'data-table', id: 'keyword-table' },
        h('caption', null, t('keywords.table')),
        h('thead', null, h('tr', null, head('word', 'keywords.col.word', false), head('lines', 'keywords.col.lines', true), head('amount', 'keywords.col.amount', true))),
        h('tbody', null, sorted.map((w) => h('tr', { 'data-keyword': w.keyword },
          h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link-button', onclick: () => pickWord(w.keyword) }, w.keyword, w.topical ? ' ★' : '')),
          h('td', { class: 'num' }, fmtInt(w.lineCount ?? 0)),
          h('td', { class: 'num' }, fmtMillion(num(w.amountBaht))))))));
  }

  function pickWord(word: string): void {
    queryText = word;
    renderSearch();
    void search(word);
    filterStore.set({ nameContains: word }, 'keyword');
    announce(t('keywords.filtered', { word }));
  }

  async function search(q: string, append = false): Promise<void> {
    const my = ++searchSeq;
    if (!q.trim()) {
      result = null;
      hits = [];
      renderResults();
      return;
    }
    searching = true;
    searchError = null;
    if (!append) {
      hits = [];
      result = null;
    }
    renderResults();
    try {
      const res = await get<SearchResult>('/v1/keywords/search', {
        query: q.trim(),
        sort,
        pageSize: 20,
        pageToken: append ? result?.nextPageToken : undefined,
        ...filterParams(filterStore.value, 'filter.', false),
      });
      if (my !== searchSeq) return;
      result = res;
      hits = append ? [...hits, ...(res.hits ?? [])] : res.hits ?? [];
      if (!append) announce(t('keywords.found', { q: q.trim(), n: fmtInt(res.totalCount ?? 0), amount: fmtMillion(num(res.totalAmountBaht)) }));
    } catch (e) {
      if (my !== searchSeq) return;
      searchError = e;
    }
    searching = false;
    renderResults();
  }

  let suggestTimer = 0;
  async function suggest(prefix: string): Promise<void> {
    if (!prefix.trim()) {
      suggestions = [];
      renderSuggestions();
      return;
    }
    try {
      const res = await get<{ suggestions?: KeywordCount[] }>('/v1/keywords/suggest', { prefix: prefix.trim(), limit: 8 }, { cache: true });
      suggestions = res.suggestions ?? [];
    } catch {
      suggestions = [];
    }
    renderSuggestions();
  }

  const datalist = h('datalist', { id: 'keyword-suggestions' });
  function renderSuggestions(): void {
    clear(datalist, suggestions.map((s) => h('option', { value: s.keyword }, t('keywords.suggestion', { n: fmtInt(s.lineCount ?? 0) }))));
  }

  function renderSearch(): void {
    clear(
      searchBox,
      h('form', {
        class: 'search-form', role: 'search', id: 'keyword-search-form',
        onsubmit: (e: Event) => {
          e.preventDefault();
          const input = (e.currentTarget as HTMLFormElement).querySelector('input') as HTMLInputElement;
          queryText = input.value.trim();
          void search(queryText);
        },
      },
        h('div', { class: 'field grow' },
          h('label', { for: 'keyword-query' }, t('keywords.search')),
          h('input', {
            id: 'keyword-query', type: 'search', list: 'keyword-suggestions', autocomplete: 'off', value: queryText,
            placeholder: t('keywords.placeholder'),
            oninput: (e: Event) => {
              const v = (e.target as HTMLInputElement).value;
              window.clearTimeout(suggestTimer);
              suggestTimer = window.setTimeout(() => void suggest(v), 200);
            },
          }),
          datalist,
        ),
        h('div', { class: 'field' },
          h('label', { for: 'keyword-sort' }, t('explorer.sort')),
          h('select', { id: 'keyword-sort', onchange: (e: Event) => { sort = (e.target as HTMLSelectElement).value as SearchSort; if (queryText) void search(queryText); } },
            SORTS.map((s) => h('option', { value: s.v, selected: s.v === sort }, t(s.k)))),
        ),
        h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('keywords.searchBtn'))),
      ),
    );
  }

  function renderResults(): void {
    if (searchError) {
      clear(resultsBox, errorBox(searchError, () => void search(queryText)));
      return;
    }
    if (!queryText) {
      clear(resultsBox, h('p', { class: 'muted' }, t('keywords.hint')));
      return;
    }
    if (!result) {
      clear(resultsBox, loading());
      return;
    }
    const total = result.totalCount ?? 0;
    clear(
      resultsBox,
      h('div', { class: 'results-head' },
        h('p', { class: 'summary', id: 'keyword-summary', 'data-count': String(total), 'data-baht': String(num(result.totalAmountBaht)) },
          t('keywords.found', { q: queryText, n: fmtInt(total), amount: fmtMillion(num(result.totalAmountBaht)) })),
        total > 0
          ? h('button', { type: 'button', class: 'btn btn-light', onclick: () => { filterStore.set({ nameContains: queryText }, 'keyword'); location.hash = '#/s/explorer'; } }, t('keywords.toExplorer'))
          : null,
      ),
      result.queryTerms?.length ? h('p', { class: 'muted small' }, t('keywords.terms', { terms: result.queryTerms.join(', ') })) : null,
      hits.length === 0
        ? empty()
        : h('ol', { class: 'hit-list' },
            hits.map((hit) =>
              h('li', { class: 'hit', 'data-line-id': hit.lineId },
                h('button', { type: 'button', class: 'line-open', onclick: () => void openLine(hit.lineId) }, h('span', { class: 'line-name' }, highlight(hit.name ?? '', hit.highlights))),
                h('span', { class: 'line-amount' }, fmtMillion(num(hit.amountBaht))),
                h('span', { class: 'line-meta' }, [fmtYear(hit.fiscalYear), hit.agency].filter(Boolean).join(' · ')),
              ),
            ),
          ),
      searching ? loading() : null,
      result.nextPageToken && !searching
        ? h('button', { type: 'button', class: 'btn', onclick: () => void search(queryText, true) }, t('keywords.more', { shown: fmtInt(hits.length), n: fmtInt(total) }))
        : null,
    );
  }

  function render(): void {
    renderYear();
    renderCloud();
    renderSearch();
    renderSuggestions();
    renderResults();
    clear(
      el,
      h('div', { class: 'wrap' },
        sectionHead('keywords', 'keywords.title', 'keywords.lead'),
        h('div', { class: 'keywords-grid' },
          h('div', null, h('div', { class: 'breakdown-head' }, h('h3', null, t('keywords.cloud')), yearBox), cloudBox),
          h('div', null, h('h3', null, t('keywords.searchTitle')), searchBox, resultsBox),
        ),
      ),
    );
  }

  onLangChange(render);
  render();
  if (filterStore.value.year) void loadCloud();
}
