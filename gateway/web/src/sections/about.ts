// About the data: sources, the dataset release and its checksums, what the
// figures are, downloads, and the public API for other agencies. A release
// holds several years read from different documents (the FY2566 ordinance,
// the FY2565 district books): figures are per year, never one sum of them.
import { DATASET_FILES, DISTRICT_BOOK_COUNT, SOURCE_DOCUMENTS, type SourceDocument } from '../gen/sources';
import { get, num, type Release, type ReleaseYear } from '../api';
import { clear, h } from '../dom';
import { fmtBaht, fmtDateTime, fmtInt, fmtYear } from '../format';
import { hasKey, lang, onLangChange, t, type Key } from '../i18n';
import { empty, errorBox, loading, overview, sectionHead } from '../ui';

const API_EXAMPLES = [
  'GET /v1/budget/overview',
  'GET /v1/budget/years/2566/top-agencies?limit=5',
  'GET /v1/budget/years/2566/breakdown?dimension=BREAKDOWN_DIMENSION_AGENCY',
  'GET /v1/budget/years/2565/breakdown?dimension=BREAKDOWN_DIMENSION_EXPENSE_CATEGORY&filter.districtId=45',
  'GET /v1/budget/district-offices:compare?from_year=2565&to_year=2566',
  'GET /v1/budget/lines?filter.fiscalYear=2566&filter.districtId=1&sort=LINE_SORT_AMOUNT_DESC&pageSize=20',
  'GET /v1/export/lines.csv?filter.fiscalYear=2566',
  'GET /v1/keywords/top?filter.fiscalYear=2566&limit=60',
  'GET /v1/keywords/search?query=ถนน',
  'GET /v1/rounds',
  'GET /v1/rounds/{roundId}/districts/{districtId}/top?limit=10',
  'GET /v1/budget/release',
];

export function mountAbout(el: HTMLElement): void {
  let release: Partial<Release> | null = null;
  let error: unknown = null;
  let linesYears: number[] = [];
  // The district books' list (its own chunk), loaded when first opened.
  let books: SourceDocument[] | null = null;
  let booksOpen = false;
  const booksBox = h('div');

  async function load(): Promise<void> {
    error = null;
    release = null;
    render();
    try {
      const [rel, ov] = await Promise.all([
        get<{ release?: Release }>('/v1/budget/release', undefined, { cache: true }),
        overview().catch(() => ({ years: [] })),
      ]);
      release = rel.release ?? {};
      linesYears = (ov.years ?? []).filter((y) => y.hasLines).map((y) => y.fiscalYear).sort((a, b) => b - a);
    } catch (e) {
      error = e;
    }
    render();
  }

  function releaseBox(): HTMLElement {
    if (error) return errorBox(error, load);
    if (!release) return loading();
    if (!release.version) return empty();
    return h('div', { class: 'release', id: 'data-release' },
      h('dl', { class: 'facts' },
        h('dt', null, t('data.version')), h('dd', null, h('code', { id: 'data-version' }, release.version)),
        h('dt', null, t('data.imported')), h('dd', null, fmtDateTime(release.importedAt)),
        h('dt', null, t('data.lines')), h('dd', null, fmtInt(release.lineCount ?? 0)),
        release.source ? [h('dt', null, t('data.source')), h('dd', null, release.source)] : null,
      ),
      yearsTable(release.years ?? []),
      h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('data.files') },
        h('table', { class: 'data-table files' },
          h('caption', null, t('data.files')),
          h('thead', null, h('tr', null,
            h('th', { scope: 'col' }, t('data.file')),
            h('th', { scope: 'col', class: 'num' }, t('data.rows')),
            h('th', { scope: 'col', class: 'num' }, t('data.size')),
            h('th', { scope: 'col' }, 'SHA-256'),
          )),
          h('tbody', null, (release.files ?? []).map((f) => h('tr', null,
            h('th', { scope: 'row' }, f.path ?? ''),
            h('td', { class: 'num' }, fmtInt(f.rows ?? 0)),
            h('td', { class: 'num' }, fmtInt(num(f.sizeBytes))),
            h('td', null, h('code', { class: 'hash' }, f.sha256 ?? '')),
          ))),
        ),
      ),
    );
  }

  // Each year's lines: how many, their total, what they cover and the document they come from.
  function yearsTable(years: ReleaseYear[]): HTMLElement | null {
    if (!years.length) return null;
    return h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('data.years') },
      h('table', { class: 'data-table', id: 'data-years' },
        h('caption', null, t('data.years')),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, t('data.year.year')),
          h('th', { scope: 'col' }, t('data.year.scope')),
          h('th', { scope: 'col', class: 'num' }, t('data.lines')),
          h('th', { scope: 'col', class: 'num' }, t('data.year.total')))),
        h('tbody', null, [...years].sort((a, b) => b.fiscalYear - a.fiscalYear).map((y) => h('tr', { 'data-year': String(y.fiscalYear), 'data-baht': String(num(y.totalBaht)) },
          h('th', { scope: 'row' }, fmtYear(y.fiscalYear)),
          h('td', null, y.document, hasKey(`data.scope.${y.scope}`) ? ` (${t(`data.scope.${y.scope}` as Key)})` : ''),
          h('td', { class: 'num' }, fmtInt(y.lineCount)),
          h('td', { class: 'num' }, fmtBaht(num(y.totalBaht)))))),
      ),
    );
  }

  const docRow = (d: SourceDocument) => h('tr', { 'data-url': d.url },
    h('th', { scope: 'row' }, h('a', { href: d.url }, lang() === 'en' ? d.titleEn : d.titleTh), ' (PDF)'),
    h('td', { class: 'num' }, fmtInt(d.bytes)),
    h('td', null, h('code', { class: 'hash' }, d.sha256)));

  async function openBooks(e: Event): Promise<void> {
    booksOpen = (e.currentTarget as HTMLDetailsElement).open;
    if (!booksOpen || books) return;
    try {
      books = (await import('../gen/districtBooks')).DISTRICT_BOOKS;
      renderBooks();
    } catch (err) {
      clear(booksBox, errorBox(err));
    }
  }

  // Only the list redraws when it arrives: the summary keeps the focus.
  function renderBooks(): void {
    if (!books) {
      clear(booksBox, loading());
      return;
    }
    clear(booksBox, h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('data.documents.books', { n: DISTRICT_BOOK_COUNT }) },
      h('table', { class: 'data-table files', id: 'source-district-books' },
        h('caption', null, t('data.documents.booksCaption')),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, t('data.file')),
          h('th', { scope: 'col', class: 'num' }, t('data.size')),
          h('th', { scope: 'col' }, 'SHA-256'))),
        h('tbody', null, books.map(docRow)))));
  }

  function render(): void {
    renderBooks();
    clear(
      el,
      h('div', { class: 'wrap' },
        sectionHead('data', 'data.title', 'data.lead'),
        h('p', { class: 'callout' }, h('strong', null, t('data.allocationTitle')), ' ', t('data.allocation')),
        h('h3', null, t('data.sourcesTitle')),
        h('ul', { class: 'plain' },
          h('li', null, t('data.src.ordinance')),
          h('li', null, t('data.src.books')),
          h('li', null, t('data.src.totals')),
          h('li', null, t('data.src.plan')),
          h('li', null, t('data.src.districts')),
          h('li', null, t('data.src.unclassified')),
          h('li', null, t('data.src.strategyOrder')),
        ),
        h('h3', null, t('data.releaseTitle')),
        releaseBox(),
        h('h3', null, t('data.documents')),
        h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('data.documents') },
          h('table', { class: 'data-table files', id: 'source-documents' },
            h('caption', null, t('data.documents.caption')),
            h('thead', null, h('tr', null,
              h('th', { scope: 'col' }, t('data.file')),
              h('th', { scope: 'col', class: 'num' }, t('data.size')),
              h('th', { scope: 'col' }, 'SHA-256'))),
            h('tbody', null,
              SOURCE_DOCUMENTS.map(docRow),
              DATASET_FILES.map((f) => h('tr', { 'data-url': f.url },
                h('th', { scope: 'row' }, h('a', { href: f.url, download: f.path.split('/').pop() }, f.path)),
                h('td', { class: 'num' }, fmtInt(f.bytes)),
                h('td', null, h('code', { class: 'hash' }, f.sha256))))))),
        // One volume per district office: folded, the list is long.
        DISTRICT_BOOK_COUNT
          ? h('details', { class: 'source-books', id: 'source-books', open: booksOpen, ontoggle: (e: Event) => void openBooks(e) },
              h('summary', null, t('data.documents.books', { n: DISTRICT_BOOK_COUNT })),
              booksBox)
          : null,
        h('h3', null, t('data.downloads')),
        h('ul', { class: 'plain' },
          linesYears.map((y) => h('li', null, h('a', { href: `/v1/export/lines.csv?filter.fiscalYear=${y}`, download: `bkk-budget-lines-${y}.csv` }, t('data.dl.csv', { year: fmtYear(y) })))),
          h('li', null, h('a', { href: '/v1/budget/overview' }, t('data.dl.overview'))),
          h('li', null, h('a', { href: '/v1/budget/release' }, t('data.dl.release'))),
          h('li', null, t('data.dl.pb')),
        ),
        h('h3', null, t('data.apiTitle')),
        h('p', null, t('data.api')),
        h('pre', { class: 'code', tabindex: '0', 'aria-label': t('data.apiExamples') }, API_EXAMPLES.join('\n')),
        h('p', null, t('data.grpc')),
      ),
    );
  }

  onLangChange(render);
  void load();
}
