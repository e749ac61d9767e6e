// Proposals and voting per district: choose a district, the newest round that
// includes it, the live top 10 with "ทั้งหมด N คน", propose (PROPOSALS phase),
// vote under the round's ballot rule (VOTING phase), receipts, outcomes.
import {
  ApiError, get, num, post, type BallotRule, type District, type Outcome, type Proposal, type Round, type Strategy,
  type TallyEvent,
  type TopProposals,
} from '../api';
import { clear, h } from '../dom';
import { fmtBaht, fmtInt, fmtYear } from '../format';
import { browserId, citizenIdProblem, normaliseCitizenId, uuid } from '../ids';
import { onLangChange, t, type Key } from '../i18n';
import { shareBox } from '../share';
import {
  announce, districtName, districts, empty, errorBox, errorHint, errorMessage, loading, sectionHead, strategies7, strategyLabel,
} from '../ui';

export interface VotingApi {
  applyParams(p: URLSearchParams): void;
}

// When the live stream fails (a proxy that blocks server-sent events, a
// gateway at its limit), the top 10 is polled instead: every POLL_BASE_MS,
// backing off to POLL_MAX_MS while polls fail too; the stream is tried again
// every RETRY_STREAM_MS.
const POLL_BASE_MS = 5000;
const POLL_MAX_MS = 60000;
const RETRY_STREAM_MS = 60000;

const PHASE_KEYS: Record<string, { title: Key; text: Key }> = {
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
  return t('state.empty');
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

export function mountVoting(el: HTMLElement): VotingApi {
  let ds: District[] = [];
  let ss: Strategy[] = [];
  let rounds: Round[] = [];
  let initError: unknown = null;
  let ready = false;
  let districtId = 0;
  let forcedRoundId = '';

  let round: Round | null = null;
  let top: TopProposals | null = null;
  let topError: unknown = null;
  let proposals: Proposal[] | null = null;
  let proposalsError: unknown = null;
  let outcome: Outcome | null = null;
  let outcomeError: unknown = null;
  let es: EventSource | null = null;
  let live: 'off' | 'on' | 'reconnecting' | 'polling' = 'off';
  let pollTimer = 0;
  let pollMs = POLL_BASE_MS;
  let streamRetryAt = 0;
  let loadSeq = 0;

  // vote form
  const choices = new Map<string, number>();
  let citizenId = '';
  let idemKey = uuid();
  let voting = false;
  let voteError: { msg: string; hint: string } | null = null;
  let identityError = '';
  let receipt: string | null = null;
  // propose form
  const draft = { title: '', description: '', strategyTag: '', cost: '' };
  let proposing = false;
  let proposeError: { msg: string; hint: string } | null = null;
  let proposed: Proposal | null = null;

  const topBox = h('div', { class: 'top-box', id: 'vote-top-box' });
  const roundBox = h('div', { class: 'round-box', id: 'vote-round' });

  async function init(): Promise<void> {
    initError = null;
    render();
    try {
      const [d, s, r] = await Promise.all([districts(), strategies7().catch(() => [] as Strategy[]), get<{ rounds?: Round[] }>('/v1/rounds')]);
      ds = d;
      ss = s;
      rounds = sortRounds(r.rounds ?? []);
      if (!districtId) districtId = savedDistrict() || firstRoundDistrict() || ds[0]?.id || 0;
      ready = true;
    } catch (e) {
      initError = e;
    }
    render();
    if (ready) void selectDistrict(districtId);
  }

  function sortRounds(list: Round[]): Round[] {
    return [...list].sort((a, b) => num(b.roundId) - num(a.roundId));
  }

  function savedDistrict(): number {
    try {
      const v = Number(localStorage.getItem('bkk.district'));
      return ds.some((d) => d.id === v) ? v : 0;
    } catch {
      return 0;
    }
  }

  function firstRoundDistrict(): number {
    return rounds[0]?.districts?.[0]?.districtId ?? 0;
  }

  function roundFor(id: number): Round | null {
    if (forcedRoundId) {
      const r = rounds.find((x) => x.roundId === forcedRoundId && x.districts?.some((d) => d.districtId === id));
      if (r) return r;
    }
    return rounds.find((r) => r.districts?.some((d) => d.districtId === id)) ?? null;
  }

  function budgetOf(r: Round | null): number {
    return num(r?.districts?.find((d) => d.districtId === districtId)?.budgetBaht);
  }

  function closeStream(): void {
    es?.close();
    es = null;
    stopPolling();
    live = 'off';
  }

  function stopPolling(): void {
    window.clearTimeout(pollTimer);
    pollTimer = 0;
    pollMs = POLL_BASE_MS;
  }

  // Falls back to polling; quiet: the status line says how often.
  function startPolling(my: number, base: string): void {
    if (pollTimer || my !== loadSeq) return;
    live = 'polling';
    renderLive();
    streamRetryAt = Date.now() + RETRY_STREAM_MS;
    const tick = async (): Promise<void> => {
      if (my !== loadSeq) return;
      try {
        const x = await get<TopProposals>(`${base}/top`, { limit: 10 });
        if (my !== loadSeq || live !== 'polling') return;
        showTop(x.proposals ?? [], x.voterCount);
        pollMs = POLL_BASE_MS;
      } catch {
        pollMs = Math.min(pollMs * 2, POLL_MAX_MS);
      }
      if (my !== loadSeq || live !== 'polling') return;
      renderLive();
      if (!es && Date.now() >= streamRetryAt) {
        streamRetryAt = Date.now() + RETRY_STREAM_MS;
        openStream(my, base);
      }
      pollTimer = window.setTimeout(() => void tick(), pollMs);
    };
    pollTimer = window.setTimeout(() => void tick(), pollMs);
  }

  function showTop(proposals: TopProposals['proposals'], voterCount: TopProposals['voterCount']): void {
    const before = num(top?.voterCount);
    top = { proposals: proposals ?? [], voterCount: voterCount ?? '0', servedFrom: top?.servedFrom ?? '' };
    topError = null;
    renderTop();
    if (num(voterCount) !== before) announce(t('vote.voters', { n: fmtInt(num(voterCount)) }));
  }

  async function selectDistrict(id: number): Promise<void> {
    districtId = id;
    try {
      localStorage.setItem('bkk.district', String(id));
    } catch {
      /* ignore */
    }
    closeStream();
    round = roundFor(id);
    top = null;
    topError = null;
    proposals = null;
    proposalsError = null;
    outcome = null;
    outcomeError = null;
    choices.clear();
    voteError = null;
    identityError = '';
    receipt = null;
    proposeError = null;
    proposed = null;
    renderRound();
    if (!round) return;
    const my = ++loadSeq;
    const base = `/v1/rounds/${round.roundId}/districts/${id}`;
    const r = round;
    // The round may have moved on since the list was read.
    get<{ round?: Round }>(`/v1/rounds/${r.roundId}`).then((res) => {
      if (my !== loadSeq || !res.round) return;
      if (res.round.phase !== round?.phase) {
        round = res.round;
        rounds = rounds.map((x) => (x.roundId === res.round!.roundId ? res.round! : x));
        renderRound();
        void loadDetails(my, base);
      }
    }).catch(() => undefined);
    await loadDetails(my, base);
    openStream(my, base);
  }

  async function loadDetails(my: number, base: string): Promise<void> {
    const phase = round?.phase;
    await Promise.all([
      get<TopProposals>(`${base}/top`, { limit: 10 }).then((x) => { if (my === loadSeq) top = x; }).catch((e) => { if (my === loadSeq) topError = e; }),
      get<{ proposals?: Proposal[] }>(`${base}/proposals`).then((x) => { if (my === loadSeq) proposals = x.proposals ?? []; }).catch((e) => { if (my === loadSeq) proposalsError = e; }),
      phase === 'PHASE_CLOSED' || phase === 'PHASE_PUBLISHED'
        ? get<Outcome>(`${base}/outcome`).then((x) => { if (my === loadSeq) outcome = x; }).catch((e) => { if (my === loadSeq) outcomeError = e; })
        : Promise.resolve(),
    ]);
    if (my !== loadSeq) return;
    renderRound();
  }

  function openStream(my: number, base: string): void {
    if (typeof EventSource === 'undefined' || my !== loadSeq) {
      startPolling(my, base);
      return;
    }
    const stream = new EventSource(`${base}/tallies:watch?limit=10`);
    es = stream;
    const streaming = (): void => {
      if (live === 'polling') stopPolling();
      live = 'on';
    };
    stream.onopen = () => {
      if (my !== loadSeq || es !== stream) return;
      streaming();
      renderLive();
    };
    stream.onmessage = (ev: MessageEvent<string>) => {
      if (my !== loadSeq || es !== stream) return;
      let data: TallyEvent;
      try {
        data = JSON.parse(ev.data) as TallyEvent;
      } catch {
        return; // ignore a malformed event
      }
      streaming();
      showTop(data.proposals, data.voterCount);
      if (data.votingClosed) {
        // Final counts: the stream ends, and the round's new phase is shown.
        closeStream();
        renderLive();
        void refreshRound(my, base);
      }
    };
    stream.onerror = () => {
      if (my !== loadSeq || es !== stream) return;
      if (stream.readyState === EventSource.CLOSED) {
        // Refused (an HTTP error) or blocked: the browser will not retry.
        es = null;
        startPolling(my, base);
        return;
      }
      // The browser reconnects by itself; meanwhile the list is polled.
      live = 'reconnecting';
      renderLive();
      startPolling(my, base);
    };
  }

  async function refreshRound(my: number, base: string): Promise<void> {
    if (!round) return;
    try {
      const res = await get<{ round?: Round }>(`/v1/rounds/${round.roundId}`);
      if (my !== loadSeq || !res.round) return;
      round = res.round;
      rounds = rounds.map((x) => (x.roundId === res.round!.roundId ? res.round! : x));
      renderRound();
      await loadDetails(my, base);
    } catch {
      /* keep what is shown */
    }
  }

  const liveEl = h('p', { class: 'live', id: 'vote-live' });
  function renderLive(): void {
    liveEl.dataset.state = live;
    liveEl.textContent = live === 'on' ? t('vote.live.on')
      : live === 'polling' ? t('vote.live.polling', { n: Math.round(pollMs / 1000) })
        : live === 'reconnecting' ? t('vote.live.reconnecting') : t('vote.live.off');
  }

  function renderTop(): void {
    renderLive();
    const head = h('div', { class: 'top-head' },
      h('h3', { id: 'vote-top-title' }, t('vote.top')),
      liveEl,
    );
    if (topError && !top) {
      clear(topBox, head, errorBox(topError, () => void selectDistrict(districtId)));
      return;
    }
    if (!top) {
      clear(topBox, head, loading());
      return;
    }
    const list = top.proposals ?? [];
    const voters = num(top.voterCount);
    const isPoints = round?.ballotRule?.kind === 'BALLOT_KIND_CUMULATIVE';
    clear(
      topBox,
      head,
      h('p', { class: 'voters', id: 'vote-voters', 'data-count': String(voters) }, t('vote.voters', { n: fmtInt(voters) })),
      list.length === 0
        ? empty(t('vote.noProposals'))
        : h('ol', { class: 'top-list', id: 'vote-top', 'aria-labelledby': 'vote-top-title' },
            list.map((p) =>
              h('li', { class: 'top-item', 'data-proposal-id': p.proposalId, 'data-support': String(num(p.support)) },
                h('span', { class: 'rank-no', 'aria-hidden': 'true' }, String(p.rank ?? '')),
                h('div', { class: 'top-body' },
                  h('a', { href: `#/proposals/${p.proposalId}`, class: 'top-title' }, p.title ?? ''),
                  h('p', { class: 'muted small' },
                    t(isPoints ? 'vote.supportPoints' : 'vote.support', { n: fmtInt(num(p.support)) }),
                    ' · ', t('vote.cost', { amount: fmtBaht(num(p.estimatedCostBaht)) })),
                  h('span', { class: 'bar', 'aria-hidden': 'true' },
                    h('span', { style: `width:${list[0] && num(list[0].support) ? (num(p.support) / num(list[0].support)) * 100 : 0}%` })),
                ),
              ),
            ),
          ),
    );
  }

  // ---- propose ----
  function proposeForm(): HTMLElement {
    const budget = budgetOf(round);
    const result = h('div', { id: 'propose-result', role: 'status' });
    if (proposed) {
      result.append(
        h('div', { class: 'state success', 'data-proposal-id': proposed.proposalId },
          h('p', null, h('strong', null, t('propose.done', { id: proposed.proposalId }))),
          h('p', null, t('propose.pending')),
          shareBox(proposed.proposalId, proposed.title ?? ''),
        ),
      );
    }
    const err = proposeError
      ? h('div', { class: 'state error', role: 'alert', id: 'propose-error' },
          h('p', null, h('strong', null, t('propose.failed')), ' ', proposeError.msg), h('p', null, proposeError.hint))
      : null;
    return h('form', {
      class: 'stack-form', id: 'propose-form', 'aria-labelledby': 'propose-title-h', novalidate: true,
      onsubmit: (e: Event) => { e.preventDefault(); void submitProposal(); },
    },
      h('h3', { id: 'propose-title-h' }, t('propose.title')),
      h('p', { class: 'muted' }, t('propose.lead', { district: districtName(ds.find((d) => d.id === districtId)), budget: fmtBaht(budget) })),
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
          ss.map((s, i) =>
            h('optgroup', { label: `${i + 1}. ${s.name ?? s.id}` },
              h('option', { value: s.id, selected: draft.strategyTag === s.id }, `${s.name ?? s.id} (${t('propose.strategy.whole')})`),
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
    );
  }

  async function submitProposal(): Promise<void> {
    if (!round) return;
    const title = draft.title.trim();
    const cost = draft.cost.trim() === '' ? 0 : Number(draft.cost);
    if (title.length < 3 || title.length > 200) {
      proposeError = { msg: t('propose.err.title'), hint: '' };
      renderRound();
      document.getElementById('propose-title')?.focus();
      return;
    }
    if (!Number.isInteger(cost) || cost < 0) {
      proposeError = { msg: t('propose.err.cost'), hint: '' };
      renderRound();
      document.getElementById('propose-cost')?.focus();
      return;
    }
    proposing = true;
    proposeError = null;
    proposed = null;
    renderRound();
    try {
      const res = await post<{ proposal?: Proposal }>(`/v1/rounds/${round.roundId}/districts/${districtId}/proposals`, {
        title,
        description: draft.description.trim(),
        strategyTag: draft.strategyTag,
        estimatedCostBaht: String(cost),
      });
      proposed = res.proposal ?? null;
      draft.title = '';
      draft.description = '';
      draft.strategyTag = '';
      draft.cost = '';
      announce(t('propose.done', { id: proposed?.proposalId ?? '' }));
    } catch (e) {
      proposeError = { msg: errorMessage(e), hint: errorHint(e) };
    }
    proposing = false;
    renderRound();
    document.getElementById(proposeError ? 'propose-error' : 'propose-result')?.scrollIntoView({ block: 'nearest' });
  }

  // ---- vote ----
  function ballotStatus(): { text: string; over: boolean } {
    const rule: Partial<BallotRule> = round?.ballotRule ?? {};
    const list = proposals ?? [];
    if (rule.kind === 'BALLOT_KIND_KNAPSACK') {
      const budget = budgetOf(round);
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

  const ballotStatusEl = h('p', { class: 'ballot-status', id: 'ballot-status', 'aria-live': 'polite' });
  function renderBallotStatus(): void {
    const s = ballotStatus();
    ballotStatusEl.textContent = s.text;
    ballotStatusEl.classList.toggle('over', s.over);
  }

  function choiceControl(p: Proposal): HTMLElement {
    const rule: Partial<BallotRule> = round?.ballotRule ?? {};
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
            renderBallotStatus();
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
            const s = ballotStatus();
            if (s.over) {
              choices.delete(p.proposalId);
              input.checked = false;
              const msg = rule.kind === 'BALLOT_KIND_KNAPSACK' ? t('ballot.overBudget') : t('ballot.tooMany', { max: rule.maxChoices ?? 0 });
              announce(msg);
              ballotStatusEl.textContent = msg;
              ballotStatusEl.classList.add('over');
              return;
            }
          } else choices.delete(p.proposalId);
          renderBallotStatus();
        },
      }),
      label,
    );
  }

  function voteForm(): HTMLElement {
    const r = round!;
    const list = proposals ?? [];
    const citizen = r.identityMode !== 'IDENTITY_MODE_ANONYMOUS_BROWSER';
    const err = voteError
      ? h('div', { class: 'state error', role: 'alert', id: 'vote-error', tabindex: '-1' },
          h('p', null, h('strong', null, t('vote.failed')), ' ', voteError.msg), voteError.hint ? h('p', null, voteError.hint) : null)
      : null;
    const done = receipt
      ? h('div', { class: 'state success', id: 'vote-result', role: 'status', tabindex: '-1' },
          h('p', null, h('strong', null, t('vote.done'))),
          h('p', null, t('vote.receipt'), ' ', h('code', { class: 'receipt-code', id: 'vote-receipt' }, receipt)),
          h('p', null, h('a', { href: `#/receipt/${encodeURIComponent(receipt)}`, id: 'vote-receipt-link' }, t('vote.checkReceipt'))),
          h('p', { class: 'muted small' }, t('vote.keepReceipt')),
        )
      : null;
    renderBallotStatus();
    return h('form', {
      class: 'stack-form', id: 'vote-form', 'aria-labelledby': 'vote-form-title', novalidate: true,
      onsubmit: (e: Event) => { e.preventDefault(); void submitVote(); },
    },
      h('h3', { id: 'vote-form-title' }, t('vote.formTitle')),
      h('p', { class: 'muted' }, ruleText(r, budgetOf(r))),
      list.length === 0
        ? empty(t('vote.noProposals'))
        : h('fieldset', { class: 'choices' },
            h('legend', null, t('vote.choose')),
            h('ul', { class: 'choice-list' }, list.map(choiceControl)),
            ballotStatusEl,
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
    );
  }

  async function submitVote(): Promise<void> {
    const r = round;
    if (!r) return;
    const citizen = r.identityMode !== 'IDENTITY_MODE_ANONYMOUS_BROWSER';
    voteError = null;
    identityError = '';
    receipt = null;
    if (citizen) {
      const problem = citizenIdProblem(citizenId);
      if (problem) {
        identityError = t(problem === 'empty' ? 'id.empty' : problem === 'format' ? 'id.format' : 'id.checksum');
        renderRound();
        document.getElementById('vote-citizen')?.focus();
        return;
      }
    }
    if (choices.size === 0) {
      voteError = { msg: t('ballot.none'), hint: '' };
      renderRound();
      return;
    }
    const status = ballotStatus();
    if (status.over) {
      voteError = { msg: status.text, hint: '' };
      renderRound();
      return;
    }
    voting = true;
    renderRound();
    let retryable = false;
    try {
      const reg = await post<{ voterToken?: string }>(`/v1/rounds/${r.roundId}/voters`,
        citizen ? { citizenId: normaliseCitizenId(citizenId) } : { browserId: browserId() });
      const res = await post<{ receiptCode?: string }>(`/v1/rounds/${r.roundId}/districts/${districtId}/ballots`, {
        voterToken: reg.voterToken ?? '',
        choices: [...choices].map(([proposalId, points]) => ({ proposalId, points })),
        idempotencyKey: idemKey,
      });
      receipt = res.receiptCode ?? '';
      saveReceipt(receipt, r.roundId, districtId);
      choices.clear();
      citizenId = '';
      announce(t('vote.done'));
      // The stream normally brings the new counts; read them once in case it is down.
      if (live !== 'on') window.setTimeout(() => void refreshTop(), 800);
    } catch (e) {
      retryable = e instanceof ApiError && (e.code === 'NETWORK' || e.code === 'UNAVAILABLE' || e.code === 'DEADLINE_EXCEEDED');
      voteError = { msg: errorMessage(e), hint: errorHint(e) };
    }
    // A retry after a lost answer must reuse the key; anything definitive starts afresh.
    if (!retryable) idemKey = uuid();
    voting = false;
    renderRound();
    document.getElementById(voteError ? 'vote-error' : 'vote-result')?.focus?.();
    document.getElementById(voteError ? 'vote-error' : 'vote-result')?.scrollIntoView({ block: 'nearest' });
  }

  async function refreshTop(): Promise<void> {
    if (!round) return;
    try {
      top = await get<TopProposals>(`/v1/rounds/${round.roundId}/districts/${districtId}/top`, { limit: 10 });
      renderTop();
    } catch {
      /* keep what is shown */
    }
  }

  function outcomeBox(): HTMLElement {
    if (outcomeError) return errorBox(outcomeError);
    if (!outcome) return loading();
    const projects = outcome.projects ?? [];
    return h('div', { class: 'outcome', id: 'vote-outcome' },
      h('h3', null, t('outcome.title')),
      h('p', null, outcomeText(outcome.rule), ' ', t('outcome.spent', { spent: fmtBaht(num(outcome.spentBaht)), budget: fmtBaht(num(outcome.budgetBaht)) })),
      outcome.summary ? h('p', { class: 'muted small' }, outcome.summary) : null,
      projects.length === 0 ? empty() : h('ol', { class: 'outcome-list' },
        projects.map((p) => h('li', { class: p.funded ? 'funded' : 'not-funded' },
          h('strong', null, p.funded ? t('outcome.funded') : t('outcome.notFunded')), ' ',
          h('a', { href: `#/proposals/${p.proposalId}` }, p.title ?? ''),
          h('span', { class: 'muted small' }, ` · ${fmtBaht(num(p.costBaht))} · ${t('vote.support', { n: fmtInt(num(p.support)) })}`),
          p.explanation ? h('p', { class: 'muted small' }, p.explanation) : null,
        ))),
    );
  }

  function actionBox(): HTMLElement {
    switch (round?.phase) {
      case 'PHASE_PROPOSALS': return proposeForm();
      case 'PHASE_VOTING':
        if (proposalsError) return errorBox(proposalsError, () => void selectDistrict(districtId));
        if (!proposals) return loading();
        return voteForm();
      case 'PHASE_CLOSED':
      case 'PHASE_PUBLISHED': return outcomeBox();
      default: return h('p', { class: 'muted' }, t('phase.review.text'));
    }
  }

  function proposalList(): HTMLElement {
    const box = h('div', { class: 'proposals', id: 'vote-proposals' }, h('h3', null, t('vote.proposals')));
    if (proposalsError) box.append(errorBox(proposalsError, () => void selectDistrict(districtId)));
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
                p.strategyTag ? ` · ${strategyLabel(p.strategyTag.split('.')[0], ss)}` : ''),
              h('details', { class: 'share-details' }, h('summary', null, t('share.title')), shareBox(p.proposalId, p.title ?? '')),
            ),
          ),
        ),
      );
    }
    return box;
  }

  function renderRound(): void {
    if (!ready) return;
    const d = ds.find((x) => x.id === districtId);
    if (!round) {
      const withRounds = rounds.flatMap((r) => (r.districts ?? []).map((x) => x.districtId ?? 0)).filter(Boolean);
      clear(
        roundBox,
        h('div', { class: 'state empty', id: 'vote-no-round' },
          h('p', null, t('state.empty'), ' — ', t('vote.noRound', { district: districtName(d) })),
          withRounds.length
            ? h('p', null, t('vote.tryDistricts'), ' ',
                [...new Set(withRounds)].slice(0, 12).map((id, i) => [i ? ', ' : '',
                  h('a', { href: `#/vote?district=${id}` }, districtName(ds.find((x) => x.id === id)))]))
            : h('p', null, t('vote.noRoundsAtAll')),
        ),
      );
      return;
    }
    const r = round;
    const phase = PHASE_KEYS[r.phase ?? ''];
    renderTop();
    clear(
      roundBox,
      h('div', { class: 'round-head' },
        h('h3', { id: 'vote-round-name' }, r.name || t('vote.round', { id: r.roundId })),
        h('div', { class: `phase-banner phase-${(r.phase ?? '').replace('PHASE_', '').toLowerCase()}`, id: 'vote-phase', role: 'status', 'data-phase': r.phase ?? '' },
          h('strong', null, phase ? t(phase.title) : r.phase ?? ''), ' — ', phase ? t(phase.text) : ''),
        h('dl', { class: 'facts compact' },
          h('dt', null, t('vote.fiscalYear')), h('dd', null, fmtYear(r.fiscalYear)),
          h('dt', null, t('vote.districtBudget')), h('dd', null, fmtBaht(budgetOf(r))),
          h('dt', null, t('vote.rule')), h('dd', null, ruleText(r, budgetOf(r))),
          h('dt', null, t('vote.outcomeRule')), h('dd', null, outcomeText(r.outcomeRule)),
          h('dt', null, t('vote.identity')), h('dd', null, t(r.identityMode === 'IDENTITY_MODE_ANONYMOUS_BROWSER' ? 'identity.browser' : 'identity.citizen')),
        ),
      ),
      h('div', { class: 'vote-grid' }, topBox, h('div', { class: 'action-box' }, actionBox())),
      proposalList(),
    );
  }

  function districtSelect(): HTMLElement {
    const inRounds = new Set(rounds.flatMap((r) => (r.districts ?? []).map((x) => x.districtId)));
    const opt = (d: District) => h('option', { value: String(d.id), selected: d.id === districtId }, districtName(d));
    const withRound = ds.filter((d) => inRounds.has(d.id));
    const others = ds.filter((d) => !inRounds.has(d.id));
    return h('div', { class: 'field district-pick' },
      h('label', { for: 'vote-district' }, t('vote.district')),
      h('select', {
        id: 'vote-district',
        onchange: (e: Event) => {
          forcedRoundId = '';
          const id = Number((e.target as HTMLSelectElement).value);
          districtId = id;
          syncUrl();
          // Re-read the rounds (one may have opened since the page loaded); the select keeps focus.
          void get<{ rounds?: Round[] }>('/v1/rounds')
            .then((r) => { rounds = sortRounds(r.rounds ?? []); })
            .catch(() => undefined)
            .finally(() => { if (districtId === id) void selectDistrict(id); });
        },
      },
        withRound.length ? h('optgroup', { label: t('vote.districtsWithRound') }, withRound.map(opt)) : null,
        h('optgroup', { label: withRound.length ? t('vote.otherDistricts') : t('vote.allDistricts') }, others.map(opt)),
      ),
    );
  }

  function syncUrl(): void {
    if (location.hash.startsWith('#/vote') || location.hash.startsWith('#/s/vote')) history.replaceState(null, '', `#/vote?district=${districtId}`);
  }

  function render(): void {
    const body: (HTMLElement | null)[] = [];
    if (initError) body.push(errorBox(initError, () => void init()));
    else if (!ready) body.push(loading());
    else {
      body.push(districtSelect(), roundBox);
      renderRound();
    }
    clear(el, h('div', { class: 'wrap' }, sectionHead('vote', 'vote.title', 'vote.lead'), body));
  }

  function applyParams(p: URLSearchParams): void {
    const d = Number(p.get('district')) || 0;
    forcedRoundId = p.get('round') ?? '';
    if (!ready) {
      if (d) districtId = d;
      return;
    }
    // Re-read rounds: a round may have been opened or moved on since the page loaded.
    void get<{ rounds?: Round[] }>('/v1/rounds').then((r) => {
      rounds = sortRounds(r.rounds ?? []);
    }).catch(() => undefined).finally(() => {
      if (d) districtId = d;
      render();
      void selectDistrict(districtId);
    });
  }

  onLangChange(() => {
    render();
  });
  void init();
  return { applyParams };
}
