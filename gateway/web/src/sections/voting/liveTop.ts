// The live top 10 of a district: read once, then kept current by the
// server-sent tally stream. When the stream fails (a proxy that blocks
// server-sent events, a gateway at its limit) the list is polled instead:
// every POLL_BASE_MS, backing off to POLL_MAX_MS while polls fail too; the
// stream is tried again every RETRY_STREAM_MS.
import { get, num, type Round, type TallyEvent, type TopProposals } from '../../api';
import { clear, h } from '../../dom';
import { fmtBaht, fmtInt } from '../../format';
import { t } from '../../i18n';
import { announce, empty, errorBox, loading } from '../../ui';

const POLL_BASE_MS = 5000;
const POLL_MAX_MS = 60000;
const RETRY_STREAM_MS = 60000;

export interface LiveTop {
  /** #vote-top-box; the component alone renders into it. */
  readonly el: HTMLElement;
  /** Shows a district of a round: reads the top 10, then streams it. */
  watch(round: Round, districtId: number): void;
  /** Reads the top 10 once more (the round may have moved on). */
  refresh(round?: Round): void;
  /** Stops streaming and polling. */
  stop(): void;
  /** Whether the stream is delivering (so a new ballot will show by itself). */
  isLive(): boolean;
  render(): void;
}

/** `onVotingClosed` runs when the stream says voting ended (final counts). */
export function createLiveTop(onVotingClosed: () => void): LiveTop {
  let round: Round | null = null;
  let districtId = 0;
  let seq = 0;
  let top: TopProposals | null = null;
  let topError: unknown = null;
  let es: EventSource | null = null;
  let live: 'off' | 'on' | 'reconnecting' | 'polling' = 'off';
  let pollTimer = 0;
  let pollMs = POLL_BASE_MS;
  let streamRetryAt = 0;

  const el = h('div', { class: 'top-box', id: 'vote-top-box' });
  const liveEl = h('p', { class: 'live', id: 'vote-live' });

  const base = (): string => `/v1/rounds/${round?.roundId}/districts/${districtId}`;

  function stop(): void {
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

  async function read(my: number): Promise<void> {
    try {
      const x = await get<TopProposals>(`${base()}/top`, { limit: 10 });
      if (my === seq) top = x;
    } catch (e) {
      if (my === seq) topError = e;
    }
  }

  function watch(r: Round, id: number): void {
    stop();
    round = r;
    districtId = id;
    top = null;
    topError = null;
    const my = ++seq;
    render();
    void read(my).then(() => {
      if (my !== seq) return;
      render();
      openStream(my);
    });
  }

  function refresh(r?: Round): void {
    if (r) round = r;
    if (!round) return;
    const my = seq;
    void read(my).then(() => { if (my === seq) render(); });
  }

  // Falls back to polling; quiet: the status line says how often.
  function startPolling(my: number): void {
    if (pollTimer || my !== seq) return;
    live = 'polling';
    renderLive();
    streamRetryAt = Date.now() + RETRY_STREAM_MS;
    const tick = async (): Promise<void> => {
      if (my !== seq) return;
      try {
        const x = await get<TopProposals>(`${base()}/top`, { limit: 10 });
        if (my !== seq || live !== 'polling') return;
        show(x.proposals ?? [], x.voterCount);
        pollMs = POLL_BASE_MS;
      } catch {
        pollMs = Math.min(pollMs * 2, POLL_MAX_MS);
      }
      if (my !== seq || live !== 'polling') return;
      renderLive();
      if (!es && Date.now() >= streamRetryAt) {
        streamRetryAt = Date.now() + RETRY_STREAM_MS;
        openStream(my);
      }
      pollTimer = window.setTimeout(() => void tick(), pollMs);
    };
    pollTimer = window.setTimeout(() => void tick(), pollMs);
  }

  function show(proposals: TopProposals['proposals'], voterCount: TopProposals['voterCount']): void {
    const before = num(top?.voterCount);
    top = { proposals: proposals ?? [], voterCount: voterCount ?? '0', servedFrom: top?.servedFrom ?? '' };
    topError = null;
    render();
    if (num(voterCount) !== before) announce(t('vote.voters', { n: fmtInt(num(voterCount)) }));
  }

  function openStream(my: number): void {
    if (typeof EventSource === 'undefined' || my !== seq) {
      startPolling(my);
      return;
    }
    const stream = new EventSource(`${base()}/tallies:watch?limit=10`);
    es = stream;
    const streaming = (): void => {
      if (live === 'polling') stopPolling();
      live = 'on';
    };
    stream.onopen = () => {
      if (my !== seq || es !== stream) return;
      streaming();
      renderLive();
    };
    stream.onmessage = (ev: MessageEvent<string>) => {
      if (my !== seq || es !== stream) return;
      let data: TallyEvent;
      try {
        data = JSON.parse(ev.data) as TallyEvent;
      } catch {
        return; // ignore a malformed event
      }
      streaming();
      show(data.proposals, data.voterCount);
      if (data.votingClosed) {
        // Final counts: the stream ends, and the round's new phase is shown.
        stop();
        renderLive();
        onVotingClosed();
      }
    };
    stream.onerror = () => {
      if (my !== seq || es !== stream) return;
      if (stream.readyState === EventSource.CLOSED) {
        // Refused (an HTTP error) or blocked: the browser will not retry.
        es = null;
        startPolling(my);
        return;
      }
      // The browser reconnects by itself; meanwhile the list is polled.
      live = 'reconnecting';
      renderLive();
      startPolling(my);
    };
  }

  function renderLive(): void {
    liveEl.dataset.state = live;
    liveEl.textContent = live === 'on' ? t('vote.live.on')
      : live === 'polling' ? t('vote.live.polling', { n: Math.round(pollMs / 1000) })
        : live === 'reconnecting' ? t('vote.live.reconnecting') : t('vote.live.off');
  }

  function render(): void {
    renderLive();
    const head = h('div', { class: 'top-head' },
      h('h3', { id: 'vote-top-title' }, t('vote.top')),
      liveEl,
    );
    if (topError && !top) {
      clear(el, head, errorBox(topError, () => { if (round) watch(round, districtId); }));
      return;
    }
    if (!top) {
      clear(el, head, loading());
      return;
    }
    const list = top.proposals ?? [];
    const voters = num(top.voterCount);
    const isPoints = round?.ballotRule?.kind === 'BALLOT_KIND_CUMULATIVE';
    const first = num(list[0]?.support);
    clear(
      el,
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
                    h('span', { style: `width:${first ? (num(p.support) / first) * 100 : 0}%` })),
                ),
              ),
            ),
          ),
    );
  }

  return { el, watch, refresh, stop, isLive: () => live === 'on', render };
}
