// Read-only views of a district in a round: its proposals, and once voting
// has closed, the outcome (funded or not, and why).
import { num, type Outcome, type Proposal, type Strategy } from '../../api';
import { h } from '../../dom';
import { fmtBaht, fmtInt } from '../../format';
import { t } from '../../i18n';
import { shareBox } from '../../share';
import { empty, errorBox, loading, strategyLabel } from '../../ui';
import { outcomeText } from './text';

/** `where` links the official result's own page once the round is published. */
export function outcomeBox(outcome: Outcome | null, error: unknown, where?: { roundId: string; districtId: number }): HTMLElement {
  if (error) return errorBox(error);
  if (!outcome) return loading();
  const projects = outcome.projects ?? [];
  return h('div', { class: 'outcome', id: 'vote-outcome' },
    h('h3', null, t('outcome.title')),
    outcome.official && where
      ? h('p', null, h('a', { class: 'btn btn-light', id: 'vote-results-link', href: `#/results/${where.roundId}/${where.districtId}` }, t('outcome.resultsPage')),
        ' ', h('a', { href: `#/projects?round=${where.roundId}&district=${where.districtId}` }, t('results.projects')))
      : null,
    h('p', null, outcomeText(outcome.rule), ' ', t('outcome.spent', { spent: fmtBaht(num(outcome.spentBaht)), budget: fmtBaht(num(outcome.budgetBaht)) })),
    outcome.summary ? h('p', { class: 'muted small', lang: outcome.language || 'en' }, outcome.summary) : null,
    projects.length === 0 ? empty() : h('ol', { class: 'outcome-list' },
      projects.map((p) => h('li', { class: p.funded ? 'funded' : 'not-funded' },
        h('strong', null, p.funded ? t('outcome.funded') : t('outcome.notFunded')), ' ',
        h('a', { href: `#/proposals/${p.proposalId}` }, p.title ?? ''),
        h('span', { class: 'muted small' }, ` · ${fmtBaht(num(p.costBaht))} · ${t('vote.support', { n: fmtInt(num(p.support)) })}`),
        p.explanation ? h('p', { class: 'muted small', lang: outcome.language || 'en' }, p.explanation) : null,
      ))),
  );
}

export function proposalList(proposals: Proposal[] | null, error: unknown, strategies: Strategy[], retry: () => void): HTMLElement {
  const box = h('div', { class: 'proposals', id: 'vote-proposals' }, h('h3', null, t('vote.proposals')));
  if (error) box.append(errorBox(error, retry));
  else if (!proposals) box.append(loading());
  else if (!proposals.length) box.append(empty(t('vote.noProposals')));
  else {
    box.append(
      h('ul', { class: 'proposal-list' },
        proposals.map((p) =>
          h('li', { class: 'card proposal-card', 'data-proposal-id': p.proposalId },
            h('h4', null, h('a', { href: `#/proposals/${p.proposalId}` }, p.title ?? '')),
            p.description ? h('p', null, p.description) : null,
            h('p', { class: 'muted small' },
              t('vote.cost', { amount: fmtBaht(num(p.estimatedCostBaht)) }),
              p.strategyTag ? ` · ${strategyLabel(p.strategyTag.split('.')[0], strategies)}` : ''),
            h('details', { class: 'share-details' }, h('summary', null, t('share.title')), shareBox(p.proposalId, p.title ?? '')),
          ),
        ),
      ),
    );
  }
  return box;
}
