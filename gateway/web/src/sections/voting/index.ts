// Proposals and voting per district: choose a district and the newest round
// that includes it; then, by the round's phase, the proposal form, the
// ballot or the outcome, beside the live top 10. This file holds the
// section's own state (districts, rounds, the choice) and composes the
// components in this folder, each of which renders only itself.
import { get, num, type District, type Outcome, type Proposal, type Round, type Strategy } from '../../api';
import { clear, h } from '../../dom';
import { fmtBaht, fmtYear } from '../../format';
import { onLangChange, t } from '../../i18n';
import { districtName, districts, errorBox, loading, sectionHead, strategies7 } from '../../ui';
import { createBallotForm } from './ballotForm';
import type { RoundContext } from './context';
import { createLiveTop } from './liveTop';
import { createProposeForm } from './proposeForm';
import { outcomeBox, proposalList } from './results';
import { budgetOf, outcomeText, PHASE_KEYS, ruleText } from './text';

export interface VotingApi {
  applyParams(p: URLSearchParams): void;
}

function sortRounds(list: Round[]): Round[] {
  return [...list].sort((a, b) => num(b.roundId) - num(a.roundId));
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
  let proposals: Proposal[] | null = null;
  let proposalsError: unknown = null;
  let outcome: Outcome | null = null;
  let outcomeError: unknown = null;
  let loadSeq = 0;

  const liveTop = createLiveTop(() => void refreshRound(loadSeq));
  const proposeForm = createProposeForm();
  const ballotForm = createBallotForm(() => {
    // The stream normally brings the new counts; read them once in case it is down.
    if (!liveTop.isLive()) window.setTimeout(() => liveTop.refresh(), 800);
  });
  const roundBox = h('div', { class: 'round-box', id: 'vote-round' });

  async function init(): Promise<void> {
    initError = null;
    render();
    try {
      const [d, s, r] = await Promise.all([districts(), strategies7().catch(() => [] as Strategy[]), get<{ rounds?: Round[] }>('/v1/rounds')]);
      ds = d;
      ss = s;
      rounds = sortRounds(r.rounds ?? []);
      if (!districtId) districtId = savedDistrict() || rounds[0]?.districts?.[0]?.districtId || ds[0]?.id || 0;
      ready = true;
    } catch (e) {
      initError = e;
    }
    render();
    if (ready) void selectDistrict(districtId);
  }

  function savedDistrict(): number {
    try {
      const v = Number(localStorage.getItem('bkk.district'));
      return ds.some((d) => d.id === v) ? v : 0;
    } catch {
      return 0;
    }
  }

  function roundFor(id: number): Round | null {
    if (forcedRoundId) {
      const r = rounds.find((x) => x.roundId === forcedRoundId && x.districts?.some((d) => d.districtId === id));
      if (r) return r;
    }
    return rounds.find((r) => r.districts?.some((d) => d.districtId === id)) ?? null;
  }

  function replaceRound(r: Round): void {
    round = r;
    rounds = rounds.map((x) => (x.roundId === r.roundId ? r : x));
  }

  async function selectDistrict(id: number): Promise<void> {
    districtId = id;
    try {
      localStorage.setItem('bkk.district', String(id));
    } catch {
      /* ignore */
    }
    liveTop.stop();
    proposeForm.reset();
    ballotForm.reset();
    round = roundFor(id);
    proposals = null;
    proposalsError = null;
    outcome = null;
    outcomeError = null;
    const my = ++loadSeq;
    if (round) liveTop.watch(round, id);
    renderRound();
    if (!round) return;
    const r = round;
    // The round may have moved on since the list was read.
    get<{ round?: Round }>(`/v1/rounds/${r.roundId}`).then((res) => {
      if (my !== loadSeq || !res.round || res.round.phase === round?.phase) return;
      replaceRound(res.round);
      renderRound();
      liveTop.refresh(res.round);
      void loadDetails(my);
    }).catch(() => undefined);
    await loadDetails(my);
  }

  async function loadDetails(my: number): Promise<void> {
    if (!round) return;
    const base = `/v1/rounds/${round.roundId}/districts/${districtId}`;
    const phase = round.phase;
    await Promise.all([
      get<{ proposals?: Proposal[] }>(`${base}/proposals`).then((x) => { if (my === loadSeq) proposals = x.proposals ?? []; }).catch((e) => { if (my === loadSeq) proposalsError = e; }),
      phase === 'PHASE_PUBLISHED'
        ? get<Outcome>(`${base}/outcome`).then((x) => { if (my === loadSeq) outcome = x; }).catch((e) => { if (my === loadSeq) outcomeError = e; })
        : Promise.resolve(),
    ]);
    if (my !== loadSeq) return;
    renderRound();
  }

  // Voting closed while watching: show the round's new phase and the outcome.
  async function refreshRound(my: number): Promise<void> {
    if (!round) return;
    try {
      const res = await get<{ round?: Round }>(`/v1/rounds/${round.roundId}`);
      if (my !== loadSeq || !res.round) return;
      replaceRound(res.round);
      renderRound();
      liveTop.refresh(res.round);
      await loadDetails(my);
    } catch {
      /* keep what is shown */
    }
  }

  function context(r: Round): RoundContext {
    return { round: r, districtId, districts: ds, strategies: ss, proposals: proposals ?? [] };
  }

  function actionBox(r: Round): HTMLElement {
    switch (r.phase) {
      case 'PHASE_PROPOSALS': return proposeForm.show(context(r));
      case 'PHASE_VOTING':
        if (proposalsError) return errorBox(proposalsError, () => void selectDistrict(districtId));
        if (!proposals) return loading();
        return ballotForm.show(context(r));
      case 'PHASE_CLOSED': return h('p', { class: 'muted', id: 'vote-awaiting' }, t('phase.closed.awaiting'));
      case 'PHASE_PUBLISHED': return outcomeBox(outcome, outcomeError, { roundId: r.roundId, districtId });
      default: return h('p', { class: 'muted' }, t('phase.review.text'));
    }
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
    const budget = budgetOf(r, districtId);
    liveTop.render();
    clear(
      roundBox,
      h('div', { class: 'round-head' },
        h('h3', { id: 'vote-round-name' }, r.name || t('vote.round', { id: r.roundId })),
        h('div', { class: `phase-banner phase-${(r.phase ?? '').replace('PHASE_', '').toLowerCase()}`, id: 'vote-phase', role: 'status', 'data-phase': r.phase ?? '' },
          h('strong', null, phase ? t(phase.title) : r.phase ?? ''), ' — ', phase ? t(phase.text) : ''),
        h('dl', { class: 'facts compact' },
          h('dt', null, t('vote.fiscalYear')), h('dd', null, fmtYear(r.fiscalYear)),
          h('dt', null, t('vote.districtBudget')), h('dd', null, fmtBaht(budget)),
          h('dt', null, t('vote.rule')), h('dd', null, ruleText(r, budget)),
          h('dt', null, t('vote.outcomeRule')), h('dd', null, outcomeText(r.outcomeRule)),
          h('dt', null, t('vote.identity')), h('dd', null, t(r.identityMode === 'IDENTITY_MODE_ANONYMOUS_BROWSER' ? 'identity.browser' : 'identity.citizen')),
          h('dt', null, t('vote.perVoter')), h('dd', { id: 'vote-per-voter' }, t(r.districtsPerVoter === 'DISTRICTS_PER_VOTER_EACH' ? 'vote.perVoter.each' : 'vote.perVoter.one')),
        ),
      ),
      h('div', { class: 'vote-grid' }, liveTop.el, h('div', { class: 'action-box' }, actionBox(r))),
      proposalList(proposals, proposalsError, ss, () => void selectDistrict(districtId)),
    );
  }

  // Re-reads the rounds (one may have opened or moved on since the page
  // loaded), then shows district `id`.
  function rereadRoundsThen(show: () => void): void {
    void get<{ rounds?: Round[] }>('/v1/rounds')
      .then((r) => { rounds = sortRounds(r.rounds ?? []); })
      .catch(() => undefined)
      .finally(show);
  }

  function districtSelect(): HTMLElement {
    const inRounds = new Set(rounds.flatMap((r) => (r.districts ?? []).map((x) => x.districtId)));
    const opt = (x: District) => h('option', { value: String(x.id), selected: x.id === districtId }, districtName(x));
    const withRound = ds.filter((x) => inRounds.has(x.id));
    const others = ds.filter((x) => !inRounds.has(x.id));
    return h('div', { class: 'field district-pick' },
      h('label', { for: 'vote-district' }, t('vote.district')),
      h('select', {
        id: 'vote-district',
        // The select keeps focus: only the round below is redrawn.
        onchange: (e: Event) => pick(Number((e.target as HTMLSelectElement).value)),
      },
        withRound.length ? h('optgroup', { label: t('vote.districtsWithRound') }, withRound.map(opt)) : null,
        h('optgroup', { label: withRound.length ? t('vote.otherDistricts') : t('vote.allDistricts') }, others.map(opt)),
      ),
      mapPicker(inRounds),
    );
  }

  /** The district chosen from the list or the map. */
  function pick(id: number): void {
    forcedRoundId = '';
    districtId = id;
    syncUrl();
    const select = document.getElementById('vote-district') as HTMLSelectElement | null;
    if (select) select.value = String(id);
    drawMap?.();
    rereadRoundsThen(() => { if (districtId === id) void selectDistrict(id); });
  }

  // The same choice on a map (the select above is the keyboard and
  // screen-reader way): districts with a round are coloured. The paths load
  // on first opening, in the map's own chunk.
  let mapOpen = false;
  let drawMap: (() => void) | null = null;
  function mapPicker(inRounds: Set<number | undefined>): HTMLElement {
    const box = h('div', { class: 'vote-map', id: 'vote-map-box' });
    const details = h('details', { class: 'district-pick-map', open: mapOpen },
      h('summary', null, t('vote.pickOnMap')), box);
    drawMap = () => {
      if (!mapOpen) return;
      void Promise.all([import('../../gen/districtMap'), import('../districtMap')]).then(([map, { districtSvg }]) => {
        const svg = districtSvg({ districts: map.MAP_DISTRICTS, width: map.MAP_WIDTH, height: map.MAP_HEIGHT }, 'vote-map',
          districtId, (d) => {
            const open = inRounds.has(d.id);
            const name = districtName(ds.find((x) => x.id === d.id));
            return {
              fill: d.id === districtId ? '#08519c' : open ? '#6baed6' : '#e8e8e8',
              title: open ? `${name} · ${t('vote.map.hasRound')}` : name,
              data: { round: String(open) },
            };
          }, pick);
        clear(box, svg as unknown as HTMLElement,
          h('ul', { class: 'map-legend' },
            h('li', null, h('span', { class: 'swatch', style: 'background:#08519c', 'aria-hidden': 'true' }), t('vote.map.chosen')),
            h('li', null, h('span', { class: 'swatch', style: 'background:#6baed6', 'aria-hidden': 'true' }), t('vote.map.hasRound')),
            h('li', null, h('span', { class: 'swatch', style: 'background:#e8e8e8', 'aria-hidden': 'true' }), t('vote.map.noRound'))));
      }).catch(() => clear(box, h('p', { class: 'muted' }, t('err.network'))));
    };
    details.addEventListener('toggle', () => {
      mapOpen = details.open;
      drawMap?.();
    });
    if (mapOpen) drawMap();
    return details;
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
    rereadRoundsThen(() => {
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
