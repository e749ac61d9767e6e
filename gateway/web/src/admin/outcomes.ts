// Outcomes under review: each district's result with every project's
// explanation, computed by the service from the stored ballots, then the
// publication step that makes them public.
import { num, type Outcome, type Round } from '../api';
import { clear, h } from '../dom';
import { fmtBaht, fmtInt } from '../format';
import { t, type Key } from '../i18n';
import { districtName, districts, loading } from '../ui';
import { advance, loadRound } from './round';
import { hasRole, read } from './session';
import { refusal } from './widgets';

const COLUMNS: Key[] = ['admin.out.project', 'admin.out.cost', 'admin.out.support', 'admin.out.funded', 'admin.out.why'];

export async function renderOutcomes(el: HTMLElement, roundId: string): Promise<void> {
  clear(el, loading());
  let round: Round;
  try {
    round = await loadRound(roundId);
  } catch (e) {
    clear(el, refusal(e));
    return;
  }
  const ds = await districts().catch(() => []);
  const head = [
    h('p', null, h('a', { href: `#/rounds/${roundId}`, class: 'link-back' }, `← ${round.name}`)),
    h('h1', { id: 'view-title', tabindex: '-1' }, t('admin.out.title')),
    h('p', { class: 'lead' }, t('admin.out.lead')),
  ];
  if (round.phase !== 'PHASE_CLOSED' && round.phase !== 'PHASE_PUBLISHED') {
    clear(el, head, h('p', { class: 'state empty' }, t('admin.out.notYet')));
    return;
  }
  const sections = await Promise.all(round.districts.map(async (d) => {
    const name = districtName(ds.find((x) => x.id === d.districtId)) || String(d.districtId);
    try {
      const o = await read<Outcome>(`/v1/admin/rounds/${roundId}/districts/${d.districtId}/outcome`);
      return h('section', { class: 'card outcome', 'data-district': String(d.districtId) },
        h('h2', null, name),
        h('p', { class: 'muted' }, t('admin.out.budget', { budget: fmtBaht(num(o.budgetBaht)), spent: fmtBaht(num(o.spentBaht)), voters: fmtInt(num(o.voterCount)) })),
        o.summary ? h('p', { class: 'muted' }, o.summary) : null,
        h('table', { class: 'data-table' },
          h('thead', null, h('tr', null, ...COLUMNS.map((k) => h('th', { scope: 'col' }, t(k))))),
          h('tbody', null, o.projects.map((p) => h('tr', { 'data-funded': String(p.funded) },
            h('td', null, p.title), h('td', null, fmtBaht(num(p.costBaht))), h('td', null, fmtInt(num(p.support))),
            h('td', null, t(p.funded ? 'admin.out.yes' : 'admin.out.no')), h('td', null, p.explanation))))));
    } catch (e) {
      return h('section', { class: 'card outcome' }, h('h2', null, name), refusal(e));
    }
  }));
  const status = h('div', { id: 'publish-status', role: 'status' });
  const publish = round.phase === 'PHASE_PUBLISHED'
    ? h('p', { class: 'state success', id: 'published' }, t('admin.out.published'))
    : hasRole('OPERATOR_ROLE_ROUND_ADMIN')
      ? h('button', { type: 'button', class: 'btn btn-primary', id: 'publish', onclick: async () => { if (await advance(round, status)) void renderOutcomes(el, roundId); } }, t('admin.out.publish'))
      : null;
  clear(el, head, publish, status, sections);
}
