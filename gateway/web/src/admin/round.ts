// One round: its facts, turnout per district, and the next phase. Only
// round admins see the button; the service refuses everyone else anyway.
import { get, num, type Round, type Turnout } from '../api';
import { clear, h } from '../dom';
import { fmtBaht, fmtInt, fmtYear } from '../format';
import { t } from '../i18n';
import { announce, districtName, districts, loading } from '../ui';
import { outcomeText, phaseTitle, ruleText } from '../sections/voting/text';
import { change, hasRole } from './session';
import { confirmPhase, NEXT_PHASE, refusal } from './widgets';

export async function loadRound(id: string): Promise<Round> {
  const res = await get<{ round?: Round }>(`/v1/rounds/${encodeURIComponent(id)}`);
  if (!res.round) throw new Error(t('state.empty'));
  return res.round;
}

/** Moves `round` to its next phase after confirmation; the new round, or null. */
export async function advance(round: Round, status: HTMLElement): Promise<Round | null> {
  const to = NEXT_PHASE[round.phase];
  if (!to || !(await confirmPhase(round, to))) return null;
  clear(status, t('state.sending'));
  try {
    const res = await change<{ round?: Round }>(`/v1/admin/rounds/${round.roundId}:advance`, { toPhase: to });
    announce(`${t('admin.saved')}: ${phaseTitle(res.round?.phase)}`);
    clear(status);
    return res.round ?? null;
  } catch (e) {
    clear(status, refusal(e, 'advance-error'));
    return null;
  }
}

export async function renderRound(el: HTMLElement, id: string): Promise<void> {
  clear(el, loading());
  let round: Round;
  let turnout: Turnout | null;
  try {
    round = await loadRound(id);
    turnout = await get<Turnout>(`/v1/rounds/${round.roundId}/turnout`).catch(() => null);
  } catch (e) {
    clear(el, h('h1', { id: 'view-title', tabindex: '-1' }, `#${id}`), refusal(e));
    return;
  }
  const ds = await districts().catch(() => []);
  const by = new Map((turnout?.districts ?? []).map((d) => [d.districtId, num(d.voterCount)]));
  const status = h('div', { id: 'advance-status', role: 'status' });
  const next = NEXT_PHASE[round.phase];
  const phaseBox = hasRole('OPERATOR_ROLE_ROUND_ADMIN')
    ? next
      ? h('button', {
          type: 'button', class: 'btn btn-primary', id: 'advance-phase', 'data-to': next,
          onclick: async () => { if (await advance(round, status)) void renderRound(el, id); },
        }, t('admin.round.advanceTo', { phase: phaseTitle(next) }))
      : h('p', { class: 'muted' }, t('admin.round.noAdvance'))
    : h('p', { class: 'muted', id: 'advance-not-allowed' }, t('admin.round.onlyAdmins'));
  const firstDistrict = round.districts[0]?.districtId ?? 1;
  clear(el,
    h('p', null, h('a', { href: '#/rounds', class: 'link-back' }, t('admin.round.back'))),
    h('h1', { id: 'view-title', tabindex: '-1' }, round.name || `#${round.roundId}`),
    h('p', { class: `phase-banner phase-${round.phase.replace('PHASE_', '').toLowerCase()}`, id: 'round-phase', 'data-phase': round.phase },
      h('strong', null, phaseTitle(round.phase))),
    phaseBox, status,
    h('ul', { class: 'plain link-row' },
      h('li', null, h('a', { href: `#/rounds/${round.roundId}/moderation`, id: 'go-moderation' }, t('admin.round.moderate'))),
      hasRole('OPERATOR_ROLE_ROUND_ADMIN') && (round.phase === 'PHASE_CLOSED' || round.phase === 'PHASE_PUBLISHED')
        ? h('li', null, h('a', { href: `#/rounds/${round.roundId}/outcomes`, id: 'go-outcomes' }, t('admin.round.outcomes')))
        : null,
      h('li', null, h('a', { href: `#/audit?round=${round.roundId}` }, t('admin.round.audit'))),
      h('li', null, h('a', { href: `/#/vote?district=${firstDistrict}&round=${round.roundId}` }, t('admin.round.publicPage')))),
    h('h2', null, t('admin.round.facts')),
    h('dl', { class: 'facts' },
      h('dt', null, t('vote.fiscalYear')), h('dd', null, fmtYear(round.fiscalYear)),
      h('dt', null, t('vote.rule')), h('dd', null, ruleText(round, round.districts[0] ? num(round.districts[0].budgetBaht) : 0)),
      h('dt', null, t('vote.outcomeRule')), h('dd', null, outcomeText(round.outcomeRule)),
      h('dt', null, t('vote.identity')), h('dd', null, t(round.identityMode === 'IDENTITY_MODE_ANONYMOUS_BROWSER' ? 'identity.browser' : 'identity.citizen')),
      h('dt', null, t('vote.perVoter')), h('dd', null, t(round.districtsPerVoter === 'DISTRICTS_PER_VOTER_EACH' ? 'vote.perVoter.each' : 'vote.perVoter.one'))),
    h('table', { class: 'data-table', id: 'round-districts' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('vote.district')), h('th', { scope: 'col' }, t('vote.districtBudget')), h('th', { scope: 'col' }, t('admin.round.turnout')))),
      h('tbody', null, round.districts.map((d) => h('tr', null,
        h('td', null, districtName(ds.find((x) => x.id === d.districtId)) || String(d.districtId)),
        h('td', null, fmtBaht(num(d.budgetBaht))),
        h('td', null, fmtInt(by.get(d.districtId) ?? 0)))))));
}
