import { lang } from './i18n';
import { t } from './i18n';

function locale(): string {
  return lang() === 'en' ? 'en-US' : 'th-TH';
}

export function fmtInt(n: number): string {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: 0 }).format(n);
}

export function fmtBaht(n: number): string {
  return t('unit.baht', { n: fmtInt(n) });
}

/** Million baht with two decimals: 79719012050 -> "79,719.01". */
export function fmtMillionNumber(n: number): string {
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n / 1e6);
}

export function fmtMillion(n: number): string {
  return t('unit.million', { n: fmtMillionNumber(n) });
}

export function fmtPct(part: number, whole: number, digits = 2): string {
  if (!whole) return '–';
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format((part / whole) * 100) + '%';
}

export function fmtDateTime(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** Fiscal years are Buddhist-era; English readers get "FY2566 (2023)". */
export function fmtYear(y: number | undefined): string {
  if (!y) return '';
  return lang() === 'en' ? `FY${y} (${y - 543})` : String(y);
}
