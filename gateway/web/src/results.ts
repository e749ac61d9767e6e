// A district's official result (#/results/{round}/{district}): the outcome
// frozen when the round was published, every project's support and why it
// was or was not funded, downloads (CSV, pabulib .pb), the round's other
// districts, the projects its winners became, and a link preview (/r/…).
import { get, num, type Outcome, type PabulibExport, type Round } from './api';
import { clear, h } from './dom';
import { fmtBaht, fmtDateTime, fmtInt, fmtYear } from './format';
import { lang, t } from './i18n';
import { shareBox } from './share';
import { outcomeText } from './sections/voting/text';
import { districtName, districts, empty, errorBox, loading, backLink } from './ui';

/** Saves the district's ballots as the pabulib file the service exports. */
async function downloadPb(roundId: string, districtId: number, status: HTMLElement): Promise<void> {
  status.textContent = t('state.loading');
  try {
    const file = await get<PabulibExport>(`/v1/rounds/${roundId}/districts/${districtId}/pabulib`);
    const url = URL.createObjectURL(new Blob([file.content], { type: 'text/plain;charset=utf-8' }));
    const a = h('a', { href: url, download: file.filename || `round-${roundId}-district-${districtId}.pb` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    status.textContent = t('results.pbSaved');
  } catch (e) {
    clear(status, errorBox(e));
  }
}

export async function renderResultsView(el: HTMLElement, roundId: string, districtArg: string): Promise<void> {
  const districtId = Number(districtArg);
  clear(el, backLink(), h('h1', { id: 'view-title', tabindex: '-1' }, t('results.heading')), loading());
  try {
    const [roundRes, outcome, ds] = await Promise.all([
      get<{ round?: Round }>(`/v1/rounds/${encodeURIComponent(roundId)}`),
      get<Outcome>(`/v1/rounds/${encodeURIComponent(roundId)}/districts/${districtId}/outcome?language=${lang()}`),
      districts().catch(() => []),
    ]);
    const round = roundRes.round;
    const name = (id: number) => districtName(ds.find((d) => d.id === id)) || String(id);
    const title = t('results.title', { district: name(districtId) });
    const projects = outcome.projects ?? [];
    const winners = projects.filter((p) => p.funded);
    const pbStatus = h('p', { class: 'muted small', role: 'status', id: 'results-pb-status' });
    clear(
      el,
      backLink(),
      h('article', { class: 'card results-view', 'data-official': String(outcome.official), 'data-round': roundId, 'data-district': String(districtId) },
        h('p', { class: 'eyebrow' }, t(outcome.official ? 'results.official' : 'results.preview')),
        h('h1', { id: 'view-title', tabindex: '-1' }, title),
        h('p', { class: 'lead' }, round ? `${round.name} · ${fmtYear(round.fiscalYear)}` : ''),
        h('dl', { class: 'facts' },
          h('dt', null, t('results.rule')), h('dd', null, outcomeText(outcome.rule)),
          h('dt', null, t('results.budget')), h('dd', null, fmtBaht(num(outcome.budgetBaht))),
          h('dt', null, t('results.spent')), h('dd', { id: 'results-spent' }, fmtBaht(num(outcome.spentBaht))),
          h('dt', null, t('results.voters')), h('dd', { id: 'results-voters' }, fmtInt(num(outcome.voterCount))),
          h('dt', null, t('results.winners')), h('dd', null, fmtInt(winners.length)),
          outcome.publishedAt ? [h('dt', null, t('results.publishedAt')), h('dd', null, fmtDateTime(outcome.publishedAt))] : null,
        ),
        // The reasons come in the page's language; results frozen before Thai
        // texts were kept come in English, and the service says so.
        outcome.summary ? h('p', { class: 'muted small', id: 'results-summary', lang: outcome.language || 'en' }, outcome.summary) : null,
        projects.length === 0 ? empty() : h('div', { class: 'table-wrap' },
          h('table', { class: 'data-table', id: 'results-table' },
            h('caption', null, t('results.caption', { district: name(districtId) })),
            h('thead', null, h('tr', null,
              h('th', { scope: 'col' }, t('results.col.project')), h('th', { scope: 'col' }, t('results.col.cost')),
              h('th', { scope: 'col' }, t('results.col.support')), h('th', { scope: 'col' }, t('results.col.result')),
              h('th', { scope: 'col' }, t('results.col.why')))),
            h('tbody', null, projects.map((p) => h('tr', { 'data-proposal-id': p.proposalId, 'data-funded': String(p.funded) },
              h('th', { scope: 'row' }, h('a', { href: `#/proposals/${p.proposalId}` }, p.title)),
              h('td', { class: 'num' }, fmtBaht(num(p.costBaht))),
              h('td', { class: 'num' }, fmtInt(num(p.support))),
              h('td', null, t(p.funded ? 'outcome.funded' : 'outcome.notFunded')),
              h('td', { class: 'small', lang: outcome.language || 'en', 'data-reason': p.reason }, p.explanation)))))),
        h('h2', null, t('results.downloads')),
        h('p', { class: 'actions' },
          h('a', { class: 'btn btn-light', id: 'results-csv', href: `/v1/rounds/${roundId}/districts/${districtId}/results.csv`, download: `bkk-results-round-${roundId}-district-${districtId}.csv` }, t('results.csv')),
          ' ',
          h('button', { type: 'button', class: 'btn btn-light', id: 'results-pb', onclick: () => void downloadPb(roundId, districtId, pbStatus) }, t('results.pb'))),
        pbStatus,
        h('p', null,
          h('a', { href: `#/projects?round=${roundId}&district=${districtId}`, id: 'results-projects' }, t('results.projects')), ' · ',
          h('a', { href: '#/verify' }, t('results.verify'))),
        round && round.districts.length > 1
          ? h('nav', { 'aria-label': t('results.otherDistricts') },
            h('h2', null, t('results.otherDistricts')),
            h('ul', { class: 'inline-list' }, round.districts.map((d) => h('li', null,
              d.districtId === districtId
                ? h('span', { 'aria-current': 'page' }, name(d.districtId))
                : h('a', { href: `#/results/${roundId}/${d.districtId}` }, name(d.districtId))))))
          : null,
        outcome.official
          ? [h('h2', null, t('share.title')), shareBox(`${roundId}/${districtId}`, title, { path: 'r', linkKey: 'results.shareLink' })]
          : null,
      ),
    );
  } catch (e) {
    clear(el, backLink(), h('h1', { id: 'view-title', tabindex: '-1' }, t('results.heading')),
      errorBox(e, () => void renderResultsView(el, roundId, districtArg)));
  }
}
