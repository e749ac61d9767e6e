// The proposal form of a round in its PROPOSALS phase: a title, a
// description, a strategy tag and an estimated cost; checked here first,
// then by the voting service.
import { post, type Proposal } from '../../api';
import { clear, h } from '../../dom';
import { fmtBaht } from '../../format';
import { t } from '../../i18n';
import { announce, districtName, errorHint, errorMessage, strategyName } from '../../ui';
import type { RoundContext } from './context';
import { budgetOf } from './text';

/** The author's private link: the only way to see a proposal before it is
 * approved (and a rejection's reason). Shown once; the server keeps a hash. */
function privateLink(proposalId: string, token: string): HTMLElement {
  const href = `${location.origin}${location.pathname}#/proposals/${proposalId}?key=${encodeURIComponent(token)}`;
  return h('div', { class: 'private-link' },
    h('p', null, t('propose.privateLink')),
    h('p', null, h('a', { href, id: 'propose-private-link', 'data-author-token': token }, t('propose.privateLinkOpen'))),
    h('input', { class: 'copy-field', readonly: true, value: href, 'aria-label': t('propose.privateLink') }),
  );
}

export interface ProposeForm {
  readonly el: HTMLElement;
  /** Renders for `ctx`, keeping what was typed. */
  show(ctx: RoundContext): HTMLElement;
  /** Forgets the draft and the last result (another district was chosen). */
  reset(): void;
}

export function createProposeForm(): ProposeForm {
  let ctx: RoundContext | null = null;
  const draft = { title: '', description: '', strategyTag: '', cost: '' };
  let proposing = false;
  let error: { msg: string; hint: string } | null = null;
  let proposed: Proposal | null = null;
  let authorToken = '';
  const el = h('div', { class: 'propose' });

  function reset(): void {
    Object.assign(draft, { title: '', description: '', strategyTag: '', cost: '' });
    proposing = false;
    error = null;
    proposed = null;
  }

  function show(c: RoundContext): HTMLElement {
    ctx = c;
    render();
    return el;
  }

  async function submit(): Promise<void> {
    if (!ctx) return;
    const { round, districtId } = ctx;
    const title = draft.title.trim();
    const cost = draft.cost.trim() === '' ? 0 : Number(draft.cost);
    if (title.length < 3 || title.length > 200) {
      error = { msg: t('propose.err.title'), hint: '' };
      render();
      document.getElementById('propose-title')?.focus();
      return;
    }
    if (!Number.isInteger(cost) || cost < 0) {
      error = { msg: t('propose.err.cost'), hint: '' };
      render();
      document.getElementById('propose-cost')?.focus();
      return;
    }
    proposing = true;
    error = null;
    proposed = null;
    render();
    try {
      const res = await post<{ proposal?: Proposal; authorToken?: string }>(`/v1/rounds/${round.roundId}/districts/${districtId}/proposals`, {
        title,
        description: draft.description.trim(),
        strategyTag: draft.strategyTag,
        estimatedCostBaht: String(cost),
      });
      proposed = res.proposal ?? null;
      authorToken = res.authorToken ?? '';
      Object.assign(draft, { title: '', description: '', strategyTag: '', cost: '' });
      announce(t('propose.done', { id: proposed?.proposalId ?? '' }));
    } catch (e) {
      error = { msg: errorMessage(e), hint: errorHint(e) };
    }
    proposing = false;
    render();
    document.getElementById(error ? 'propose-error' : 'propose-result')?.scrollIntoView({ block: 'nearest' });
  }

  function render(): void {
    if (!ctx) return;
    const { round, districtId, districts, strategies } = ctx;
    const result = h('div', { id: 'propose-result', role: 'status' });
    if (proposed) {
      result.append(
        h('div', { class: 'state success', 'data-proposal-id': proposed.proposalId },
          h('p', null, h('strong', null, t('propose.done', { id: proposed.proposalId }))),
          h('p', null, t('propose.pending')),
          privateLink(proposed.proposalId, authorToken),
        ),
      );
    }
    const err = error
      ? h('div', { class: 'state error', role: 'alert', id: 'propose-error' },
          h('p', null, h('strong', null, t('propose.failed')), ' ', error.msg), h('p', null, error.hint))
      : null;
    clear(el, h('form', {
      class: 'stack-form', id: 'propose-form', 'aria-labelledby': 'propose-title-h', novalidate: true,
      onsubmit: (e: Event) => { e.preventDefault(); void submit(); },
    },
      h('h3', { id: 'propose-title-h' }, t('propose.title')),
      h('p', { class: 'muted' }, t('propose.lead', { district: districtName(districts.find((d) => d.id === districtId)), budget: fmtBaht(budgetOf(round, districtId)) })),
      h('div', { class: 'field' },
        h('label', { for: 'propose-title' }, t('propose.name')),
        h('input', { id: 'propose-title', name: 'title', required: true, minlength: '3', maxlength: '200', value: draft.title, oninput: (e: Event) => { draft.title = (e.target as HTMLInputElement).value; } }),
      ),
      h('div', { class: 'field' },
        h('label', { for: 'propose-description' }, t('propose.description')),
        h('textarea', { id: 'propose-description', name: 'description', rows: '4', maxlength: '4000', oninput: (e: Event) => { draft.description = (e.target as HTMLTextAreaElement).value; } }, draft.description),
      ),
      h('div', { class: 'field' },
        h('label', { for: 'propose-strategy' }, t('propose.strategy')),
        h('select', { id: 'propose-strategy', name: 'strategyTag', onchange: (e: Event) => { draft.strategyTag = (e.target as HTMLSelectElement).value; } },
          h('option', { value: '' }, t('propose.strategy.none')),
          strategies.map((s, i) =>
            h('optgroup', { label: `${i + 1}. ${strategyName(s)}` },
              h('option', { value: s.id, selected: draft.strategyTag === s.id }, `${strategyName(s)} (${t('propose.strategy.whole')})`),
              (s.subDimensions ?? []).map((d) => h('option', { value: d.id, selected: draft.strategyTag === d.id }, d.name ?? d.id)),
            ),
          ),
        ),
      ),
      h('div', { class: 'field' },
        h('label', { for: 'propose-cost' }, t('propose.cost')),
        h('input', { id: 'propose-cost', name: 'estimatedCostBaht', type: 'number', inputmode: 'numeric', min: '0', step: '1', value: draft.cost, oninput: (e: Event) => { draft.cost = (e.target as HTMLInputElement).value; } }),
      ),
      err,
      h('button', { type: 'submit', class: 'btn btn-primary', id: 'propose-submit', disabled: proposing }, proposing ? t('state.sending') : t('propose.submit')),
      result,
    ));
  }

  return { el, show, reset };
}
