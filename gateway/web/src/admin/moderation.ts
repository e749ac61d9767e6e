// The moderation queue of a round: every proposal with its status, filtered
// by district and status, approved or rejected (with a reason the author
// reads) by button or keyboard: j/k move, a approves, r opens the reason.
import { num, type Proposal, type Round } from '../api';
import { clear, h } from '../dom';
import { fmtBaht } from '../format';
import { t, type Key } from '../i18n';
import { announce, districtName, districts, loading } from '../ui';
import { loadRound } from './round';
import { change, hasRole, read } from './session';
import { fieldError, refusal } from './widgets';

const STATUSES = ['MODERATION_STATUS_PENDING', 'MODERATION_STATUS_APPROVED', 'MODERATION_STATUS_REJECTED', ''] as const;
const STATUS_KEYS: Record<string, Key> = {
  MODERATION_STATUS_PENDING: 'status.pending',
  MODERATION_STATUS_APPROVED: 'status.approved',
  MODERATION_STATUS_REJECTED: 'status.rejected',
  '': 'admin.status.all',
};

export async function renderModeration(el: HTMLElement, roundId: string, params: URLSearchParams): Promise<void> {
  clear(el, loading());
  let round: Round;
  try {
    round = await loadRound(roundId);
  } catch (e) {
    clear(el, refusal(e));
    return;
  }
  const ds = await districts().catch(() => []);
  const district = Number(params.get('district') ?? 0);
  const status = params.get('status') ?? 'MODERATION_STATUS_PENDING';
  const canModerate = hasRole('OPERATOR_ROLE_MODERATOR');
  const open = round.phase === 'PHASE_PROPOSALS' || round.phase === 'PHASE_REVIEW';
  const list = h('ol', { class: 'queue', id: 'queue', 'aria-labelledby': 'view-title' });
  const live = h('div', { id: 'queue-status', role: 'status' });
  const setFilter = (d: number, s: string) => {
    location.hash = `#/rounds/${roundId}/moderation?district=${d}&status=${s}`;
  };
  const districtSelect = h('select', { id: 'filter-district', onchange: (e: Event) => setFilter(Number((e.target as HTMLSelectElement).value), status) },
    h('option', { value: '0', selected: district === 0 }, t('admin.mod.allDistricts')),
    round.districts.map((d) => h('option', { value: String(d.districtId), selected: d.districtId === district }, districtName(ds.find((x) => x.id === d.districtId)) || String(d.districtId))));
  const statusSelect = h('select', { id: 'filter-status', onchange: (e: Event) => setFilter(district, (e.target as HTMLSelectElement).value) },
    STATUSES.map((s) => h('option', { value: s, selected: s === status }, t(STATUS_KEYS[s]))));
  clear(el,
    h('p', null, h('a', { href: `#/rounds/${roundId}`, class: 'link-back' }, `← ${round.name}`)),
    h('h1', { id: 'view-title', tabindex: '-1' }, t('admin.mod.title')),
    h('div', { class: 'filters' },
      h('div', { class: 'field' }, h('label', { for: 'filter-district' }, t('admin.mod.district')), districtSelect),
      h('div', { class: 'field' }, h('label', { for: 'filter-status' }, t('admin.mod.status')), statusSelect)),
    !open ? h('p', { class: 'muted' }, t('admin.mod.closed')) : !canModerate ? h('p', { class: 'muted', id: 'mod-read-only' }, t('admin.mod.readOnly')) : h('p', { class: 'muted', id: 'mod-keys' }, t('admin.mod.keys')),
    live, list);

  let proposals: Proposal[] = [];
  try {
    const wanted = district ? [district] : round.districts.map((d) => d.districtId);
    const pages = await Promise.all(wanted.map((d) =>
      read<{ proposals?: Proposal[] }>(`/v1/admin/rounds/${roundId}/districts/${d}/proposals?include_unmoderated=true`)));
    proposals = pages.flatMap((p) => p.proposals ?? []).filter((p) => !status || p.status === status);
  } catch (e) {
    clear(list, h('li', null, refusal(e)));
    return;
  }
  clear(live, t('admin.mod.count', { n: proposals.length }));
  if (proposals.length === 0) {
    clear(list, h('li', { class: 'state empty' }, t('admin.mod.empty')));
    return;
  }

  const moderate = async (p: Proposal, item: HTMLElement, approve: boolean, reason = '') => {
    try {
      const res = await change<{ proposal?: Proposal }>(`/v1/admin/proposals/${p.proposalId}:moderate`, { approve, rejectionReason: reason });
      const done = res.proposal ?? p;
      announce(t(approve ? 'admin.mod.done.approved' : 'admin.mod.done.rejected', { title: done.title }));
      item.replaceWith(renderItem(done));
      focusNext(item);
    } catch (e) {
      item.querySelector('.item-error')?.replaceChildren(refusal(e));
    }
  };
  const openReject = (p: Proposal, item: HTMLElement) => {
    const box = item.querySelector('.reject-box') as HTMLElement;
    box.hidden = false;
    (box.querySelector('textarea') as HTMLTextAreaElement).focus();
    void p;
  };
  const renderItem = (p: Proposal): HTMLElement => {
    const reasonId = `reason-${p.proposalId}`;
    const reason = h('textarea', { id: reasonId, rows: '2', maxlength: '1000' });
    const item = h('li', { class: 'queue-item card', tabindex: '0', 'data-proposal-id': p.proposalId, 'data-status': p.status },
      h('h2', { class: 'queue-title' }, p.title),
      h('p', { class: 'muted' }, `#${p.proposalId} · ${districtName(ds.find((x) => x.id === p.districtId))} · ${fmtBaht(num(p.estimatedCostBaht))} · `,
        h('strong', null, t(STATUS_KEYS[p.status] ?? 'status.pending')), p.rejectionReason ? ` — ${p.rejectionReason}` : ''),
      p.description ? h('p', null, p.description) : null,
      canModerate && open
        ? h('div', { class: 'actions' },
            h('button', { type: 'button', class: 'btn btn-primary', 'data-action': 'approve', onclick: () => void moderate(p, item, true) }, t('admin.mod.approve')),
            h('button', { type: 'button', class: 'btn btn-light', 'data-action': 'reject', onclick: () => openReject(p, item) }, t('admin.mod.reject')))
        : null,
      h('form', { class: 'reject-box', hidden: true, novalidate: true, onsubmit: (e: Event) => {
        e.preventDefault();
        const text = reason.value.trim();
        fieldError(reason, text ? null : t('admin.mod.needReason'));
        if (!text) { reason.focus(); return; }
        void moderate(p, item, false, text);
      } },
        h('label', { for: reasonId }, t('admin.mod.reason')), reason,
        h('button', { type: 'submit', class: 'btn btn-light', 'data-action': 'send-reject' }, t('admin.mod.sendReject'))),
      h('div', { class: 'item-error' }));
    item.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.target !== item || !canModerate || !open) return;
      if (e.key === 'a') { e.preventDefault(); void moderate(p, item, true); }
      if (e.key === 'r') { e.preventDefault(); openReject(p, item); }
    });
    return item;
  };
  const items = () => [...list.querySelectorAll<HTMLElement>('.queue-item')];
  const focusNext = (from: HTMLElement) => {
    const all = items();
    const i = all.findIndex((x) => x.dataset.proposalId === from.dataset.proposalId);
    (all[i + 1] ?? all[i])?.focus();
  };
  list.addEventListener('keydown', (e: KeyboardEvent) => {
    if (!(e.target instanceof HTMLElement) || !e.target.classList.contains('queue-item')) return;
    if (e.key !== 'j' && e.key !== 'k') return;
    e.preventDefault();
    const all = items();
    const i = all.indexOf(e.target);
    all[Math.max(0, Math.min(all.length - 1, i + (e.key === 'j' ? 1 : -1)))]?.focus();
  });
  clear(list, proposals.map(renderItem));
}
