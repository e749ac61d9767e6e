// About the data: sources, the dataset release and its checksums, what the
// figures are, downloads, and the public API for other agencies.
import { DATASET_FILES, SOURCE_DOCUMENTS } from '../gen/sources';
import { get, num, type Release } from '../api';
import { clear, h } from '../dom';
import { fmtBaht, fmtDateTime, fmtInt, fmtYear } from '../format';
import { lang, onLangChange, t } from '../i18n';
import { empty, errorBox, loading, overview, sectionHead } from '../ui';

const API_EXAMPLES = [
  'GET /v1/budget/overview',
  'GET /v1/budget/years/2566/top-agencies?limit=5',
  'GET /v1/budget/years/2566/breakdown?dimension=BREAKDOWN_DIMENSION_AGENCY',
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
  let linesYear = 0;

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
      const withLines = (ov.years ?? []).filter((y) => y.hasLines).map((y) => y.fiscalYear);
      linesYear = withLines.length ? Math.max(...withLines) : 0;
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
        h('dt', null, t('data.total')), h('dd', null, fmtBaht(num(release.totalBaht))),
        release.source ? [h('dt', null, t('data.source')), h('dd', null, release.source)] : null,
      ),
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

  function render(): void {
    clear(
      el,
      h('div', { class: 'wrap' },
        sectionHead('data', 'data.title', 'data.lead'),
        h('p', { class: 'callout' }, h('strong', null, t('data.allocationTitle')), ' ', t('data.allocation')),
        h('h3', null, t('data.sourcesTitle')),
        h('ul', { class: 'plain' },
          h('li', null, t('data.src.ordinance')),
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
              SOURCE_DOCUMENTS.map((d) => h('tr', { 'data-url': d.url },
                h('th', { scope: 'row' }, h('a', { href: d.url }, lang() === 'en' ? d.titleEn : d.titleTh), ' (PDF)'),
                h('td', { class: 'num' }, fmtInt(d.bytes)),
                h('td', null, h('code', { class: 'hash' }, d.sha256)))),
              DATASET_FILES.map((f) => h('tr', { 'data-url': f.url },
                h('th', { scope: 'row' }, h('a', { href: f.url, download: f.path.split('/').pop() }, f.path)),
                h('td', { class: 'num' }, fmtInt(f.bytes)),
                h('td', null, h('code', { class: 'hash' }, f.sha256))))))),
        h('h3', null, t('data.downloads')),
        h('ul', { class: 'plain' },
          linesYear
            ? h('li', null, h('a', { href: `/v1/export/lines.csv?filter.fiscalYear=${linesYear}`, download: `bkk-budget-lines-${linesYear}.csv` }, t('data.dl.csv', { year: fmtYear(linesYear) })))
            : null,
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
