// The 50 district offices' budgets in the two latest years with lines, side
// by side (GET /v1/budget/district-offices:compare). Each amount is the total
// its year's document states for the office and links to that PDF page; the
// API's note says what each year's figure holds. Sortable by any column.
import { get, num, type DistrictComparison, type DistrictComparisonRow, type DistrictYearAmount } from '../api';
import { clear, h } from '../dom';
import { fmtMillionNumber, fmtYear } from '../format';
import { lang, onLangChange, t } from '../i18n';
import { empty, errorBox, loading, overview } from '../ui';

type SortKey = 'name' | 'from' | 'to' | 'change' | 'pct';

function signed(n: number, digits: number): string {
  const locale = lang() === 'en' ? 'en-US' : 'th-TH';
  return new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits, signDisplay: 'exceptZero' }).format(n);
}

/** A note written in English (the stated-totals file's notes are): marked so on the Thai page. */
const isEnglish = (s: string) => /[A-Za-z]{2,}(?:[ ,:;()]+[A-Za-z]{2,}){3,}/.test(s);

export function mountDistrictCompare(el: HTMLElement): void {
  let data: DistrictComparison | null = null;
  let error: unknown = null;
  let years: [number, number] | null = null;
  let sortKey: SortKey = 'name';
  let desc = false;

  async function load(): Promise<void> {
    error = null;
    data = null;
    render();
    try {
      if (!years) {
        const withLines = ((await overview()).years ?? []).filter((y) => y.hasLines).map((y) => y.fiscalYear).sort((a, b) => a - b);
        if (withLines.length < 2) {
          clear(el);
          return;
        }
        years = [withLines[withLines.length - 2], withLines[withLines.length - 1]];
      }
      data = await get<DistrictComparison>('/v1/budget/district-offices:compare', { from_year: years[0], to_year: years[1] }, { cache: true });
    } catch (e) {
      error = e;
    }
    render();
  }

  const name = (r: DistrictComparisonRow) => (lang() === 'en' && r.nameEn ? r.nameEn.replace(/\b\w/g, (c) => c.toUpperCase()) : r.nameTh ?? '');
  const amount = (a: DistrictYearAmount | undefined) => (a?.hasAmount ? num(a.amountBaht) : null);
  const change = (r: DistrictComparisonRow) => {
    const from = amount(r.from);
    const to = amount(r.to);
    return from === null || to === null ? null : { baht: to - from, pct: from > 0 ? ((to - from) / from) * 100 : null };
  };

  /** The note most rows of a side share (the document's usual basis): only the others get a footnote. */
  function usualNote(rows: DistrictComparisonRow[], side: 'from' | 'to'): string {
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r[side]?.note ?? '', (counts.get(r[side]?.note ?? '') ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  }

  function sorted(rows: DistrictComparisonRow[]): DistrictComparisonRow[] {
    const value = (r: DistrictComparisonRow): number | string | null =>
      sortKey === 'name' ? name(r) : sortKey === 'from' ? amount(r.from) : sortKey === 'to' ? amount(r.to)
        : sortKey === 'change' ? change(r)?.baht ?? null : change(r)?.pct ?? null;
    return [...rows].sort((a, b) => {
      const x = value(a), y = value(b);
      // Rows without a figure go last in either direction.
      if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
      const c = typeof x === 'string' ? x.localeCompare(y as string, lang()) : x - (y as number);
      return desc ? -c : c;
    });
  }

  function render(): void {
    if (error) {
      clear(el, errorBox(error, () => void load()));
      return;
    }
    if (!data) {
      clear(el, loading());
      return;
    }
    const rows = data.rows ?? [];
    if (!rows.length || !years) {
      clear(el, empty());
      return;
    }
    const [fromYear, toYear] = [data.fromYear || years[0], data.toYear || years[1]];
    // Footnotes numbered in district order, whatever the sort.
    const notes: { n: number; side: 'from' | 'to'; row: DistrictComparisonRow; text: string }[] = [];
    const usual = { from: usualNote(rows, 'from'), to: usualNote(rows, 'to') };
    for (const r of [...rows].sort((a, b) => (a.districtId ?? 0) - (b.districtId ?? 0))) {
      for (const side of ['from', 'to'] as const) {
        const text = r[side]?.note ?? '';
        if (text && text !== usual[side]) notes.push({ n: notes.length + 1, side, row: r, text });
      }
    }
    const year = (side: 'from' | 'to') => (side === 'from' ? fromYear : toYear);

    const cell = (r: DistrictComparisonRow, side: 'from' | 'to') => {
      const a = r[side];
      const v = amount(a);
      const note = notes.find((x) => x.row === r && x.side === side);
      return h('td', { class: 'num', 'data-year': String(year(side)), 'data-baht': v === null ? '' : String(v) },
        v === null
          ? t('state.empty')
          : a?.sourceDocument
            ? h('a', {
                href: `/sources/${a.sourceDocument}#page=${a.sourcePage}`, target: '_blank', rel: 'noopener',
                title: t('compare.pdf', { year: fmtYear(year(side)), page: a.sourcePage ?? 0 }),
                'aria-label': `${fmtMillionNumber(v)} · ${t('compare.pdf', { year: fmtYear(year(side)), page: a.sourcePage ?? 0 })}`,
              }, fmtMillionNumber(v))
            : fmtMillionNumber(v),
        note
          ? h('sup', null, h('a', { href: `#district-compare-note-${note.n}`, id: `district-compare-ref-${note.n}`, class: 'footnote-ref', 'aria-label': t('compare.noteRef', { n: note.n }) }, String(note.n)))
          : null);
    };

    const head = (key: SortKey, label: string, numeric: boolean) =>
      h('th', { scope: 'col', class: numeric ? 'num' : null, 'aria-sort': sortKey === key ? (desc ? 'descending' : 'ascending') : 'none' },
        h('button', {
          type: 'button', class: 'link-button', 'data-sort': key,
          onclick: () => {
            desc = sortKey === key ? !desc : key !== 'name';
            sortKey = key;
            render();
            (el.querySelector(`#district-compare button[data-sort="${key}"]`) as HTMLElement | null)?.focus();
          },
        }, label, sortKey === key ? (desc ? ' ▼' : ' ▲') : ''));

    const fromTotal = num(data.fromTotalBaht);
    const toTotal = num(data.toTotalBaht);
    const caption = t('compare.caption', { from: fmtYear(fromYear), to: fmtYear(toYear) });
    clear(
      el,
      h('h3', { id: 'district-compare-title' }, t('compare.title', { from: fmtYear(fromYear), to: fmtYear(toYear) })),
      data.note ? h('p', { class: 'note', id: 'district-compare-note' }, data.note) : null,
      h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': 'district-compare-title' },
        h('table', { class: 'data-table', id: 'district-compare', 'data-from-year': String(fromYear), 'data-to-year': String(toYear) },
          h('caption', null, caption),
          h('thead', null, h('tr', null,
            head('name', t('compare.col.district'), false),
            head('from', t('compare.col.year', { year: fmtYear(fromYear) }), true),
            head('to', t('compare.col.year', { year: fmtYear(toYear) }), true),
            head('change', t('compare.col.change'), true),
            head('pct', t('compare.col.pct'), true))),
          h('tbody', null, sorted(rows).map((r) => {
            const c = change(r);
            return h('tr', { 'data-district': String(r.districtId ?? 0) },
              h('th', { scope: 'row' }, name(r)),
              cell(r, 'from'),
              cell(r, 'to'),
              h('td', { class: 'num', 'data-change-baht': c ? String(c.baht) : '' }, c ? signed(c.baht, 0) : '–'),
              h('td', { class: 'num' }, c?.pct != null ? `${signed(c.pct, 1)}%` : '–'));
          })),
          h('tfoot', null, h('tr', null,
            h('th', { scope: 'row' }, t('compare.total', { n: rows.length })),
            h('td', { class: 'num', 'data-baht': String(fromTotal) }, fmtMillionNumber(fromTotal)),
            h('td', { class: 'num', 'data-baht': String(toTotal) }, fmtMillionNumber(toTotal)),
            h('td', { class: 'num' }, signed(toTotal - fromTotal, 0)),
            h('td', { class: 'num' }, fromTotal > 0 ? `${signed(((toTotal - fromTotal) / fromTotal) * 100, 1)}%` : '–'))),
        ),
      ),
      notes.length
        ? h('ol', { class: 'footnotes small', id: 'district-compare-notes', 'aria-label': t('compare.notes') },
            notes.map((x) => h('li', { id: `district-compare-note-${x.n}`, value: String(x.n), 'data-district': String(x.row.districtId ?? 0), 'data-year': String(year(x.side)) },
              `${name(x.row)} ${fmtYear(year(x.side))}: `,
              // Notes come from the stated-totals file as written (in English): say so on the Thai page.
              isEnglish(x.text) && lang() === 'th' ? [t('compare.sourceNote'), ' ', h('q', { lang: 'en' }, x.text)] : x.text,
              ' ', h('a', { href: `#district-compare-ref-${x.n}`, 'aria-label': t('compare.backToRef', { n: x.n }) }, '↩'))))
        : null,
    );
  }

  onLangChange(() => void load());
  void load();
}
