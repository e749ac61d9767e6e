// How a round is described in words: its phase, its ballot rule and its
// outcome rule. Shared by the voting section, the PB overview and the
// proposal page.
import { num, type BallotRule, type Round } from '../../api';
import { fmtBaht } from '../../format';
import { t, type Key } from '../../i18n';

export const PHASE_KEYS: Record<string, { title: Key; text: Key }> = {
  PHASE_PROPOSALS: { title: 'phase.proposals', text: 'phase.proposals.text' },
  PHASE_REVIEW: { title: 'phase.review', text: 'phase.review.text' },
  PHASE_VOTING: { title: 'phase.voting', text: 'phase.voting.text' },
  PHASE_CLOSED: { title: 'phase.closed', text: 'phase.closed.text' },
  PHASE_PUBLISHED: { title: 'phase.published', text: 'phase.published.text' },
};

export function phaseTitle(phase: string | undefined): string {
  const k = PHASE_KEYS[phase ?? ''];
  return k ? t(k.title) : t('state.empty');
}

export function ruleText(r: Round, budget: number): string {
  const rule: Partial<BallotRule> = r.ballotRule ?? {};
  switch (rule.kind) {
    case 'BALLOT_KIND_APPROVAL':
      return rule.maxChoices ? t('rule.approval', { n: rule.maxChoices }) : t('rule.approval.unlimited');
    case 'BALLOT_KIND_KNAPSACK':
      return t('rule.knapsack', { budget: fmtBaht(budget) });
    case 'BALLOT_KIND_CUMULATIVE':
      return t('rule.cumulative', { total: rule.totalPoints ?? 0, max: rule.maxPointsPerProject || rule.totalPoints || 0 });
    default:
      return t('state.empty');
  }
}

export function outcomeText(rule: string | undefined): string {
  if (rule === 'OUTCOME_RULE_EQUAL_SHARES') return t('outcome.mes');
  if (rule === 'OUTCOME_RULE_GREEDY') return t('outcome.greedy');
  if (rule === 'OUTCOME_RULE_GREEDY_NO_SKIP') return t('outcome.noSkip');
  if (rule === 'OUTCOME_RULE_EQUAL_SHARES_ADD1_COMPARISON') return t('outcome.comparison');
  return t('state.empty');
}

/** The district's budget in a round (0 when the round does not include it). */
export function budgetOf(r: Round | null, districtId: number): number {
  return num(r?.districts?.find((d) => d.districtId === districtId)?.budgetBaht);
}
