/** Thai citizen ID: 13 digits, the last a mod-11 check digit of the first 12. */
export function normaliseCitizenId(raw: string): string {
  return raw.replace(/[\s-]/g, '');
}

export type CitizenIdProblem = 'empty' | 'format' | 'checksum' | null;

export function citizenIdProblem(raw: string): CitizenIdProblem {
  const s = normaliseCitizenId(raw);
  if (!s) return 'empty';
  if (!/^\d{13}$/.test(s)) return 'format';
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(s[i]) * (13 - i);
  const check = (11 - (sum % 11)) % 10;
  return check === Number(s[12]) ? null : 'checksum';
}

/** A random UUID, also where crypto.randomUUID is missing (non-secure contexts). */
export function uuid(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function browserId(): string {
  const KEY = 'bkk.browserId';
  try {
    let id = localStorage.getItem(KEY);
    if (!id) {
      id = uuid();
      localStorage.setItem(KEY, id);
    }
    return id;
  } catch {
    return uuid();
  }
}
