// The ballot of a round in its VOTING phase, under the round's rule
// (approval up to N, knapsack within the budget, cumulative points): checked
// as the voter chooses, then registered and cast. A retry after a lost
// answer reuses the idempotency key, so it cannot count twice.
import { ApiError, num, post, type BallotRule, type Proposal } from '../../api';
import { clear, h } from '../../dom';
import { fmtBaht } from '../../format';
import { browserId, citizenIdProblem, normaliseCitizenId, uuid } from '../../ids';
import { t } from '../../i18n';
import { canonicalChoices, rememberBallot } from '../../tallyProof';
import { announce, empty, errorHint, errorMessage } from '../../ui';
import type { RoundContext } from './context';
import { budgetOf, ruleText } from './text';

export interface BallotForm {
  readonly el: HTMLElement;
  /** Renders for `ctx`, keeping the choices made. */
  show(ctx: RoundContext): HTMLElement;
  /** Forgets choices, errors and the receipt (another district was chosen). */
  reset(): void;
}

function saveReceipt(code: string, roundId: string, districtId: number): void {
  try {
    const list = JSON.parse(localStorage.getItem('bkk.receipts') ?? '[]') as unknown[];
    list.unshift({ code, roundId, districtId, at: new Date().toISOString() });
    localStorage.setItem('bkk.receipts', JSON.stringify(list.slice(0, 20)));
  } catch {
    /* storage blocked */
  }
}

/** `onCast` runs after a ballot is acknowledged. */
export function createBallotForm(onCast: () => void): BallotForm {
  let ctx: RoundContext | null = null;
  const choices = new Map<string, number>();
  let citizenId = '';
  let idemKey = uuid();
  let voting = false;
  let error: { msg: string; hint: string } | null = null;
  let identityError = '';
  let receipt: string | null = null;
  const el = h('div', { class: 'ballot' });
  const statusEl = h('p', { class: 'ballot-status', id: 'ballot-status', 'aria-live': 'polite' });

  function reset(): void {
    choices.clear();
    error = null;
    identityError = '';
    receipt = null;
  }

  function show(c: RoundContext): HTMLElement {
    ctx = c;
    render();
    return el;
  }

  const ruleOf = (): Partial<BallotRule> => ctx?.round.ballotRule ?? {};

  function status(): { text: string; over: boolean } {
    const rule = ruleOf();
    const list = ctx?.proposals ?? [];
    if (rule.kind === 'BALLOT_KIND_KNAPSACK') {
      const budget = ctx ? budgetOf(ctx.round, ctx.districtId) : 0;
      let cost = 0;
      for (const id of choices.keys()) cost += num(list.find((p) => p.proposalId === id)?.estimatedCostBaht);
      return { text: t('ballot.knapsack', { used: fmtBaht(cost), budget: fmtBaht(budget) }), over: cost > budget };
    }
    if (rule.kind === 'BALLOT_KIND_CUMULATIVE') {
      let pts = 0;
      for (const v of choices.values()) pts += v;
      const total = rule.totalPoints ?? 0;
      return { text: t('ballot.points', { used: pts, total, left: total - pts }), over: pts > total };
    }
    const max = rule.maxChoices ?? 0;
    return { text: max ? t('ballot.approval', { n: choices.size, max }) : t('ballot.approval.unlimited', { n: choices.size }), over: max > 0 && choices.size > max };
  }

  function renderStatus(): void {
    const s = status();
    statusEl.textContent = s.text;
    statusEl.classList.toggle('over', s.over);
  }

  function choiceControl(p: Proposal): HTMLElement {
    const rule = ruleOf();
    const id = `choice-${p.proposalId}`;
    const cost = num(p.estimatedCostBaht);
    const label = h('label', { for: id },
      h('span', { class: 'choice-title' }, p.title ?? ''),
      h('span', { class: 'muted small' }, ` · ${t('vote.cost', { amount: fmtBaht(cost) })}`),
    );
    if (rule.kind === 'BALLOT_KIND_CUMULATIVE') {
      const max = rule.maxPointsPerProject || rule.totalPoints || 0;
      return h('li', { class: 'choice points' },
        label,
        h('input', {
          id, type: 'number', min: '0', max: String(max), step: '1', inputmode: 'numeric', value: String(choices.get(p.proposalId) ?? 0),
          'data-proposal-id': p.proposalId,
          oninput: (e: Event) => {
            const input = e.target as HTMLInputElement;
            let v = Math.floor(Number(input.value) || 0);
            if (v < 0) v = 0;
            if (v > max) {
              v = max;
              input.value = String(v);
              announce(t('ballot.maxPerProject', { max }));
            }
            if (v) choices.set(p.proposalId, v);
            else choices.delete(p.proposalId);
            renderStatus();
          },
        }),
      );
    }
    return h('li', { class: 'choice' },
      h('input', {
        id, type: 'checkbox', checked: choices.has(p.proposalId), 'data-proposal-id': p.proposalId,
        onchange: (e: Event) => {
          const input = e.target as HTMLInputElement;
          if (input.checked) {
            choices.set(p.proposalId, 1);
            if (status().over) {
              choices.delete(p.proposalId);
              input.checked = false;
              const msg = rule.kind === 'BALLOT_KIND_KNAPSACK' ? t('ballot.overBudget') : t('ballot.tooMany', { max: rule.maxChoices ?? 0 });
              announce(msg);
              statusEl.textContent = msg;
              statusEl.classList.add('over');
              return;
            }
          } else choices.delete(p.proposalId);
          renderStatus();
        },
      }),
      label,
    );
  }

  async function submit(): Promise<void> {
    if (!ctx) return;
    const { round: r, districtId } = ctx;
    const citizen = r.identityMode !== 'IDENTITY_MODE_ANONYMOUS_BROWSER';
    error = null;
    identityError = '';
    receipt = null;
    if (citizen) {
      const problem = citizenIdProblem(citizenId);
      if (problem) {
        identityError = t(problem === 'empty' ? 'id.empty' : problem === 'format' ? 'id.format' : 'id.checksum');
        render();
        document.getElementById('vote-citizen')?.focus();
        return;
      }
    }
    if (choices.size === 0) {
      error = { msg: t('ballot.none'), hint: '' };
      render();
      return;
    }
    const s = status();
    if (s.over) {
      error = { msg: s.text, hint: '' };
      render();
      return;
    }
    voting = true;
    render();
    let retryable = false;
    try {
      const reg = await post<{ voterToken?: string }>(`/v1/rounds/${r.roundId}/voters`,
        citizen ? { citizenId: normaliseCitizenId(citizenId) } : { browserId: browserId() });
      const chosen = [...choices].map(([proposalId, points]) => ({ proposalId, points }));
      const res = await post<{ receiptCode?: string; commitmentNonce?: string }>(`/v1/rounds/${r.roundId}/districts/${districtId}/ballots`, {
        voterToken: reg.voterToken ?? '',
        choices: chosen,
        idempotencyKey: idemKey,
      });
      receipt = res.receiptCode ?? '';
      saveReceipt(receipt, r.roundId, districtId);
      // Approval points are 1 when left out, as the service stores them.
      rememberBallot(receipt, res.commitmentNonce ?? '', canonicalChoices(chosen.map((c) => ({ ...c, points: c.points || 1 }))));
      choices.clear();
      citizenId = '';
      announce(t('vote.done'));
      onCast();
    } catch (e) {
      retryable = e instanceof ApiError && (e.code === 'NETWORK' || e.code === 'UNAVAILABLE' || e.code === 'DEADLINE_EXCEEDED');
      error = { msg: errorMessage(e), hint: errorHint(e) };
    }
    // A retry after a lost answer must reuse the key; anything definitive starts afresh.
    if (!retryable) idemKey = uuid();
    voting = false;
    render();
    document.getElementById(error ? 'vote-error' : 'vote-result')?.focus?.();
    document.getElementById(error ? 'vote-error' : 'vote-result')?.scrollIntoView({ block: 'nearest' });
  }

  function render(): void {
    if (!ctx) return;
    const { round: r, districtId, proposals: list } = ctx;
    const citizen = r.identityMode !== 'IDENTITY_MODE_ANONYMOUS_BROWSER';
    const err = error
      ? h('div', { class: 'state error', role: 'alert', id: 'vote-error', tabindex: '-1' },
          h('p', null, h('strong', null, t('vote.failed')), ' ', error.msg), error.hint ? h('p', null, error.hint) : null)
      : null;
    const done = receipt
      ? h('div', { class: 'state success', id: 'vote-result', role: 'status', tabindex: '-1' },
          h('p', null, h('strong', null, t('vote.done'))),
          h('p', null, t('vote.receipt'), ' ', h('code', { class: 'receipt-code', id: 'vote-receipt' }, receipt)),
          h('p', null, h('a', { href: `#/receipt/${encodeURIComponent(receipt)}`, id: 'vote-receipt-link' }, t('vote.checkReceipt'))),
          h('p', { class: 'muted small' }, t('vote.keepReceipt')),
        )
      : null;
    renderStatus();
    clear(el, h('form', {
      class: 'stack-form', id: 'vote-form', 'aria-labelledby': 'vote-form-title', novalidate: true,
      onsubmit: (e: Event) => { e.preventDefault(); void submit(); },
    },
      h('h3', { id: 'vote-form-title' }, t('vote.formTitle')),
      h('p', { class: 'muted' }, ruleText(r, budgetOf(r, districtId))),
      list.length === 0
        ? empty(t('vote.noProposals'))
        : h('fieldset', { class: 'choices' },
            h('legend', null, t('vote.choose')),
            h('ul', { class: 'choice-list' }, list.map(choiceControl)),
            statusEl,
          ),
      citizen
        ? h('div', { class: 'field' },
            h('label', { for: 'vote-citizen' }, t('vote.citizenId')),
            h('input', {
              id: 'vote-citizen', name: 'citizenId', inputmode: 'numeric', autocomplete: 'off', maxlength: '17', value: citizenId,
              'aria-describedby': identityError ? 'vote-citizen-help vote-citizen-error' : 'vote-citizen-help',
              'aria-invalid': identityError ? 'true' : null,
              oninput: (e: Event) => { citizenId = (e.target as HTMLInputElement).value; },
            }),
            h('p', { class: 'muted small', id: 'vote-citizen-help' }, t('vote.citizenHelp')),
            identityError ? h('p', { class: 'field-error', id: 'vote-citizen-error' }, identityError) : null,
          )
        : h('p', { class: 'muted small' }, t('vote.browserId')),
      err,
      h('button', { type: 'submit', class: 'btn btn-primary', id: 'vote-submit', disabled: voting || list.length === 0 }, voting ? t('state.sending') : t('vote.submit')),
      done,
    ));
  }

  return { el, show, reset };
}
