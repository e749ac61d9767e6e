// Top-5 agencies of the latest year with line data, "out of N agencies".
import { get, num, type TopAgencies } from '../api';
import { clear, h } from '../dom';
import { fmtInt, fmtMillion, fmtPct, fmtYear, fmtBaht } from '../format';
import { lang, onLangChange, t, type Key } from '../i18n';
import { empty, errorBox, loading, overview, sectionHead } from '../ui';

const KIND_KEYS: Record<string, Key> = {
  agency: 'unit.agency',
  district_office: 'unit.district_office',
  central_fund: 'unit.central_fund',
  university: 'unit.university',
  commercial_enterprise: 'unit.commercial_enterprise',
};

export function mountAgencies(el: HTMLElement): void {
  let data: Partial<TopAgencies> | null = null;
  let year = 0;
  let error: unknown = null;

  async function load(): Promise<void> {
    error = null;
    data = null;
    render();
    try {
      const ov = await overview();
      const withLines = (ov.years ?? []).filter((y) => y.hasLines).map((y) => y.fiscalYear);
      year = withLines.length ? Math.max(...withLines) : 0;
      if (year) data = await get<TopAgencies>(`/v1/budget/years/${year}/top-agencies`, { limit: 5 }, { cache: true });
      else data = {};
    } catch (e) {
      error = e;
    }
    render();
  }

  function render(): void {
    const body: (HTMLElement | null)[] = [];
    if (error) body.push(errorBox(error, load));
    else if (!data) body.push(loading());
    else if (!data.agencies?.length) body.push(empty());
    else {
      const total = num(data.yearTotalBaht);
      const max = Math.max(...data.agencies.map((a) => num(a.amountBaht)));
      body.push(
        h('p', { class: 'headline', id: 'agencies-count' },
          t('agencies.outOf', { year: fmtYear(data.fiscalYear ?? year), n: fmtInt(data.agencyCount ?? 0) }),
          ' ',
          h('span', { class: 'muted' }, t('agencies.yearTotal', { amount: fmtMillion(total) })),
        ),
      );
      body.push(
        h('ol', { class: 'rank-list', id: 'top-agencies' },
          data.agencies.map((a, i) => {
            const amount = num(a.amountBaht);
            const kindKey = KIND_KEYS[a.unitKind ?? ''];
            return h('li', { class: 'rank-item', 'data-agency': a.agency ?? '', 'data-baht': String(amount) },
              h('span', { class: 'rank-no', 'aria-hidden': 'true' }, String(i + 1)),
              h('div', { class: 'rank-body' },
                h('h3', { class: 'rank-name' }, a.agency ?? ''),
                h('p', { class: 'rank-meta' },
                  h('strong', { class: 'amount', title: fmtBaht(amount) }, fmtMillion(amount)),
                  ' · ', t('agencies.share', { pct: fmtPct(amount, total) }),
                  ' · ', t('agencies.lines', { n: fmtInt(a.lineCount ?? 0) }),
                  a.unitKind ? [' · ', kindKey ? t(kindKey) : a.unitKind] : null,
                ),
                h('div', { class: 'bar', 'aria-hidden': 'true' }, h('span', { style: `width:${max ? (amount / max) * 100 : 0}%` })),
                h('a', { class: 'link-small', href: `#/explore?year=${data!.fiscalYear ?? year}&agency=${encodeURIComponent(a.agency ?? '')}` },
                  t('agencies.explore'), h('span', { class: 'visually-hidden' }, ` ${a.agency ?? ''}`)),
              ),
            );
          }),
        ),
      );
      const fund = data.centralFund;
      if (fund) {
        const amount = num(fund.amountBaht);
        body.push(h('p', { class: 'central-fund', id: 'central-fund', 'data-baht': String(amount) },
          t('agencies.centralFund', { amount: fmtMillion(amount), pct: fmtPct(amount, total) })));
      }
      // The service writes the note in the page's language (Accept-Language).
      if (data.note) body.push(h('p', { class: 'note', id: 'agencies-note' }, h('strong', null, t('agencies.note')), ' ', data.note));
      if (lang() === 'en') body.push(h('p', { class: 'note', id: 'agencies-thai-names' }, t('note.thaiAgencyNames')));
    }
    clear(el, h('div', { class: 'wrap' }, sectionHead('agencies', 'agencies.title', 'agencies.lead'), body));
  }

  onLangChange(render);
  void load();
}
