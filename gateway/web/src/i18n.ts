// Thai first, English on request; the choice is remembered in localStorage.
import { th, en, type Key } from './strings';

export type Lang = 'th' | 'en';
const STORAGE_KEY = 'bkk.lang';

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'th') return saved;
  } catch {
    /* storage blocked: stay Thai */
  }
  return 'th';
}

let current: Lang = initialLang();
const listeners: (() => void)[] = [];

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  if (next === current) return;
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    /* ignore */
  }
  document.documentElement.lang = next;
  for (const cb of listeners) cb();
}

export function onLangChange(cb: () => void): void {
  listeners.push(cb);
}

/** Translates a key; {name} placeholders are filled from vars. */
export function t(key: Key, vars?: Record<string, string | number>): string {
  const dict = current === 'en' ? en : th;
  let s: string = dict[key] ?? th[key] ?? key;
  if (vars) {
    s = s.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
  }
  return s;
}

export type { Key };

/** True when the dictionary has `key` (for keys built from server codes). */
export function hasKey(key: string): key is Key {
  return key in th;
}
