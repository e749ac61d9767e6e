// The receipt page's own check of a ballot's place in the published count,
// done in the browser so the voter need not trust the server: the same rules
// as services/voting/core/tally_proof.h (commitment SHA-256(nonce ‖ "id:points,…"),
// RFC 6962 tree hashing, RFC 9162 inclusion verification). Change together.

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', all));
}

export function fromBase64(s: string | undefined): Uint8Array {
  const bin = atob(s ?? '');
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function toHex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** "12:1,15:3": choices by ascending proposal id. */
export function canonicalChoices(choices: { proposalId: string; points: number }[]): string {
  return [...choices]
    .sort((a, b) => Number(a.proposalId) - Number(b.proposalId))
    .map((c) => `${c.proposalId}:${c.points}`)
    .join(',');
}

export function commitment(nonce: string, canonical: string): Promise<Uint8Array> {
  return sha256(new TextEncoder().encode(nonce + canonical));
}

/** Whether `path` shows `leaf` at `index` of a tree of `size` leaves with `root`. */
export async function verifyInclusion(leaf: Uint8Array, index: number, size: number, path: Uint8Array[], root: Uint8Array): Promise<boolean> {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = await sha256(Uint8Array.of(0), leaf);
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(Uint8Array.of(1), p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await sha256(Uint8Array.of(1), r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && sameBytes(r, root);
}

/** What this device kept of its own ballots: receipt code -> nonce and choices. */
export function rememberBallot(receipt: string, nonce: string, canonical: string): void {
  try {
    localStorage.setItem(`bkk.ballot.${receipt}`, JSON.stringify({ nonce, canonical }));
  } catch {
    /* storage blocked: the proof can still be checked, not the choices */
  }
}

export function rememberedBallot(receipt: string): { nonce: string; canonical: string } | null {
  try {
    return JSON.parse(localStorage.getItem(`bkk.ballot.${receipt}`) ?? 'null');
  } catch {
    return null;
  }
}

