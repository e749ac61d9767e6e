// Routed views: a proposal's own page (#/proposals/{id}) and the receipt check (#/receipt/{code}).
import { get, num, type Proposal, type Receipt, type Round } from './api';
import { commitment, fromBase64, rememberedBallot, sameBytes, toHex, verifyInclusion } from './tallyProof';
import { clear, h } from './dom';
import { fmtBaht, fmtDateTime, fmtInt, fmtYear } from './format';
import { t } from './i18n';
import { shareBox } from './share';
import { districtName, districts, errorBox, loading, strategies7, strategyLabel, backLink } from './ui';
import { phaseTitle } from './sections/voting/text';

/** A proposal's page; `authorKey` is the author's private link token (their
 * proposal is visible to them before approval, and to no one else). */
export async function renderProposalView(el: HTMLElement, id: string, authorKey = ''): Promise<void> {
  clear(el, backLink(), h('h1', { id: 'view-title', tabindex: '-1' }, t('view.proposal')), loading());
  try {
    const res = await get<{ proposal?: Proposal; support?: string }>(`/v1/proposals/${encodeURIComponent(id)}`, { author_token: authorKey });
    const p = res.proposal;
    if (!p) throw new Error(t('state.empty'));
    const [ds, ss, roundRes] = await Promise.all([
      districts().catch(() => []),
      strategies7().catch(() => []),
      get<{ round?: Round }>(`/v1/rounds/${p.roundId}`).catch(() => ({ round: undefined })),
    ]);
    const round = roundRes.round;
    const district = ds.find((d) => d.id === p.districtId);
    const statusKey = p.status === 'MODERATION_STATUS_APPROVED' ? 'status.approved' : p.status === 'MODERATION_STATUS_REJECTED' ? 'status.rejected' : 'status.pending';
    clear(
      el,
      backLink(),
      h('article', { class: 'card proposal-view', 'data-proposal-id': p.proposalId },
        h('p', { class: 'eyebrow' }, t('view.proposal'), ` #${p.proposalId}`),
        h('h1', { id: 'view-title', tabindex: '-1' }, p.title ?? ''),
        p.description ? h('p', { class: 'lead' }, p.description) : null,
        h('dl', { class: 'facts' },
          h('dt', null, t('vote.district')), h('dd', null, districtName(district) || String(p.districtId ?? '')),
          h('dt', null, t('view.round')), h('dd', null, round ? `${round.name ?? ''} · ${fmtYear(round.fiscalYear)} · ${phaseTitle(round.phase)}` : String(p.roundId ?? '')),
          h('dt', null, t('propose.cost')), h('dd', null, fmtBaht(num(p.estimatedCostBaht))),
          h('dt', null, t('propose.strategy')), h('dd', null, p.strategyTag ? strategyLabel(p.strategyTag.split('.')[0], ss) : t('state.empty')),
          h('dt', null, t('view.support')), h('dd', { id: 'view-support' }, fmtInt(num(res.support))),
          h('dt', null, t('view.status')), h('dd', null, t(statusKey), p.rejectionReason ? ` — ${p.rejectionReason}` : ''),
        ),
        round?.phase === 'PHASE_VOTING'
          ? h('p', null, h('a', { class: 'btn btn-primary', href: `#/vote?district=${p.districtId}&round=${p.roundId}` }, t('view.goVote')))
          : h('p', null, h('a', { class: 'btn btn-light', href: `#/vote?district=${p.districtId}&round=${p.roundId}` }, t('view.goDistrict'))),
        p.status === 'MODERATION_STATUS_APPROVED'
          ? [h('h2', null, t('share.title')), shareBox(p.proposalId, p.title ?? '')]
          : h('p', { class: 'muted', id: 'view-private' }, t('view.privateLink')),
      ),
    );
  } catch (e) {
    clear(el, backLink(), h('h1', { id: 'view-title', tabindex: '-1' }, t('view.proposal')), errorBox(e, () => void renderProposalView(el, id, authorKey)));
  }
}

/** The ballot's place in the published count, checked here in the browser. */
async function proofBox(code: string, r: Receipt): Promise<HTMLElement> {
  const inclusion = r.inclusion;
  if (!inclusion?.entry) return h('p', { class: 'muted', id: 'receipt-proof', 'data-proof': 'pending' }, t('receipt.proofLater'));
  const entry = inclusion.entry;
  const leaf = fromBase64(r.commitment);
  const root = fromBase64(entry.merkleRoot);
  const ok = await verifyInclusion(leaf, num(inclusion.leafIndex), num(entry.voterCount), inclusion.auditPath.map(fromBase64), root);
  const mine = rememberedBallot(code);
  const same = mine ? sameBytes(await commitment(mine.nonce, mine.canonical), leaf) : null;
  return h('div', { class: ok ? 'state success' : 'state error', id: 'receipt-proof', 'data-proof': ok ? 'verified' : 'failed' },
    h('p', null, h('strong', null, t(ok ? 'receipt.proofOk' : 'receipt.proofFailed', { n: num(inclusion.leafIndex) + 1, total: num(entry.voterCount) }))),
    h('p', { class: 'muted' }, t('receipt.proofRoot', { root: toHex(root).slice(0, 16), entry: entry.entryId })),
    same === null ? null : h('p', { id: 'receipt-mine', 'data-same': String(same) }, t(same ? 'receipt.mineOk' : 'receipt.mineFailed')),
    h('p', null, h('a', { href: '#/verify' }, t('receipt.howToVerify'))));
}

/** "ตรวจสอบผลด้วยตัวเอง": what the published count proves, and what it does not. */
export function renderVerifyView(el: HTMLElement): void {
  clear(el, backLink(),
    h('h1', { id: 'view-title', tabindex: '-1' }, t('verify.title')),
    h('p', { class: 'lead' }, t('verify.lead')),
    h('h2', null, t('verify.provesTitle')),
    h('ul', null, (['verify.proves.receipt', 'verify.proves.count', 'verify.proves.log'] as const).map((k) => h('li', null, t(k)))),
    h('h2', null, t('verify.notTitle')),
    h('ul', null, (['verify.not.device', 'verify.not.secrecy'] as const).map((k) => h('li', null, t(k)))),
    h('h2', null, t('verify.howTitle')),
    h('p', null, t('verify.how')),
    h('pre', { class: 'code' }, 'python3 tools/verify-tally https://<เว็บไซต์> <หมายเลขรอบ>'),
    h('p', null, t('verify.api')));
}

function receiptForm(code: string): HTMLElement {
  return h('form', {
    class: 'inline-form', id: 'receipt-form',
    onsubmit: (e: Event) => {
      e.preventDefault();
      const v = ((e.currentTarget as HTMLFormElement).querySelector('input') as HTMLInputElement).value.trim();
      if (v) location.hash = `#/receipt/${encodeURIComponent(v)}`;
    },
  },
    h('div', { class: 'field grow' },
      h('label', { for: 'receipt-code' }, t('receipt.code')),
      h('input', { id: 'receipt-code', value: code, autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false' }),
    ),
    h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('receipt.check'))),
  );
}

export async function renderReceiptView(el: HTMLElement, code: string): Promise<void> {
  const head = () => [backLink(), h('h1', { id: 'view-title', tabindex: '-1' }, t('receipt.title')), h('p', { class: 'lead' }, t('receipt.lead')), receiptForm(code)];
  if (!code) {
    clear(el, head());
    return;
  }
  clear(el, head(), loading());
  try {
    const r = await get<Receipt>(`/v1/receipts/${encodeURIComponent(code)}`);
    if (!r.counted) {
      clear(el, head(), h('div', { class: 'state error', id: 'receipt-result', role: 'alert', 'data-counted': 'false' },
        h('p', null, h('strong', null, t('receipt.notFound', { code }))), h('p', null, t('receipt.notFoundHint'))));
      return;
    }
    const [ds, roundRes] = await Promise.all([
      districts().catch(() => []),
      get<{ round?: Round }>(`/v1/rounds/${r.roundId}`).catch(() => ({ round: undefined })),
    ]);
    clear(
      el,
      head(),
      h('div', { class: 'state success', id: 'receipt-result', role: 'status', 'data-counted': 'true' },
        h('p', null, h('strong', null, t('receipt.counted', { code }))),
        h('dl', { class: 'facts' },
          h('dt', null, t('view.round')), h('dd', null, roundRes.round?.name ?? String(r.roundId ?? '')),
          h('dt', null, t('vote.district')), h('dd', null, districtName(ds.find((d) => d.id === r.districtId)) || String(r.districtId ?? '')),
          h('dt', null, t('receipt.castAt')), h('dd', null, fmtDateTime(r.castAt)),
        ),
        h('p', { class: 'muted', id: 'receipt-secret' }, t('receipt.secret')),
      ),
      await proofBox(code, r),
    );
  } catch (e) {
    clear(el, head(), errorBox(e, () => void renderReceiptView(el, code)));
  }
}
