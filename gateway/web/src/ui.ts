// Shared pieces: loading / empty / error states, names of strategies and
// districts, and a small store for the explorer filter shared with keywords.
import { ApiError, get, type District, type Framework, type Overview, type Strategy } from './api';
import { h, type Child } from './dom';
import { fmtBaht } from './format';
import { hasKey, lang, t, type Key } from './i18n';

export function loading(): HTMLElement {
  return h('p', { class: 'state loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('state.loading'));
}

/** The routed views' way back to the home page. */
export function backLink(): HTMLElement {
  return h('p', null, h('a', { href: '#/', class: 'link-back' }, t('view.back')));
}

export function empty(extra?: string): HTMLElement {
  return h('p', { class: 'state empty' }, t('state.empty'), extra ? ` — ${extra}` : '');
}

/** What happened, and what to do about it. */
export function errorHint(err: unknown): string {
  if (err instanceof ApiError) {
    const hintKey = errorHintKey(err);
    return t(hintKey);
  }
  return t('err.hint.retry');
}

function errorHintKey(err: ApiError): Key {
  switch (err.code) {
    case 'NETWORK': return 'err.hint.network';
    case 'NOT_FOUND': return 'err.hint.notfound';
    case 'INVALID_ARGUMENT': return 'err.hint.invalid';
    case 'ALREADY_EXISTS': return 'err.hint.exists';
    case 'FAILED_PRECONDITION': return 'err.hint.precondition';
    case 'RESOURCE_EXHAUSTED': return 'err.hint.ratelimit';
    case 'UNAUTHENTICATED':
    case 'PERMISSION_DENIED': return 'err.hint.auth';
    case 'UNAVAILABLE':
    case 'DEADLINE_EXCEEDED': return 'err.hint.unavailable';
    default: return 'err.hint.retry';
  }
}

/**
 * What went wrong, in the reader's language. A refusal with a stable reason
 * gets its own sentence (strings.ts "reason.*", filled from the metadata);
 * otherwise the English page shows the server's message and the Thai page a
 * Thai sentence for the status code: never an English sentence on the Thai page.
 */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'NETWORK') return t('err.network');
    const reasonKey = `reason.${err.reason}`;
    if (err.reason && hasKey(reasonKey)) return t(reasonKey, reasonVars(err.metadata));
    if (lang() === 'en' && err.message) return err.message;
    return t(errorCodeKey(err.code));
  }
  if (lang() === 'en' && err instanceof Error) return err.message;
  return t('err.code.UNKNOWN');
}

/** Metadata as the sentences show it: baht formatted, phases named. */
function reasonVars(metadata: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (k.endsWith('_baht')) out[k] = fmtBaht(Number(v));
    else if (k === 'phase') out[k] = hasKey(`phase.${v}`) ? t(`phase.${v}` as Key) : v;
    else out[k] = v;
  }
  return out;
}

function errorCodeKey(code: string): Key {
  const key = `err.code.${code}`;
  return hasKey(key) ? (key as Key) : 'err.code.UNKNOWN';
}

export function errorBox(err: unknown, retry?: () => void): HTMLElement {
  return h(
    'div',
    { class: 'state error', role: 'alert' },
    h('p', null, h('strong', null, t('err.title')), ' ', errorMessage(err)),
    h('p', null, errorHint(err)),
    retry ? h('button', { type: 'button', class: 'btn', onclick: retry }, t('action.retry')) : null,
  );
}

export function sectionHead(id: string, titleKey: Key, leadKey?: Key, ...extra: Child[]): HTMLElement {
  return h(
    'div',
    { class: 'section-head' },
    h('h2', { id: `${id}-title`, tabindex: '-1' }, t(titleKey)),
    leadKey ? h('p', { class: 'lead' }, t(leadKey)) : null,
    ...extra,
  );
}

// ---- reference data (immutable per release) ----

export function frameworks(): Promise<Framework[]> {
  return get<{ frameworks?: Framework[] }>('/v1/budget/frameworks', undefined, { cache: true }).then((r) => r.frameworks ?? []);
}

export async function strategies7(): Promise<Strategy[]> {
  const fws = await frameworks();
  const fw = fws.find((f) => f.kind === 'FRAMEWORK_KIND_STRATEGIES_7');
  return fw?.strategies ?? [];
}

export function districts(): Promise<District[]> {
  return get<{ districts?: District[] }>('/v1/budget/districts', undefined, { cache: true }).then((r) => r.districts ?? []);
}

export function overview(): Promise<Overview> {
  return get<Overview>('/v1/budget/overview', undefined, { cache: true });
}

export function districtName(d: District | undefined): string {
  if (!d) return '';
  if (lang() === 'en' && d.nameEn) return titleCase(d.nameEn);
  return d.nameTh ?? '';
}

function titleCase(s: string): string {
  return s.replace(/\b\w/g, (c) => c.toUpperCase());
}

/**
 * A strategy's name in the reader's language. The plan names its 7
 * strategies in Thai; the English page uses the 2561 plan's names in
 * English (strings.ts "strategy.en.*", keyed by the plan's name_en slug).
 */
export function strategyName(s: Pick<Strategy, 'id' | 'name' | 'nameEn'>): string {
  const key = `strategy.en.${s.nameEn ?? ''}`;
  if (lang() === 'en' && hasKey(key)) return t(key);
  return s.name ?? s.id ?? '';
}

/** Strategy label; the empty id is "unclassified" (ไม่พบข้อมูล). */
export function strategyLabel(id: string | undefined, list: Strategy[]): string {
  if (!id || id === 'unclassified') return t('strategy.unclassified');
  const s = list.find((x) => x.id === id);
  return s ? strategyName(s) : id;
}

// Colours of the 7 strategies and "unclassified" (WCAG-checked on white for text use).
export const STRATEGY_COLORS: Record<string, string> = {
  s1: '#1f5fa8',
  s2: '#2e7d32',
  s3: '#b0453a',
  s4: '#7b4fa0',
  s5: '#b26a00',
  s6: '#00796b',
  s7: '#8a5a44',
  '': '#b8bec6',
};

// ---- the explorer filter, shared with the keyword section ----

export interface Filter {
  year: number;
  agency: string;
  districtId: number;
  strategyId: string;
  missionType: string;
  nameContains: string;
}

type FilterListener = (f: Filter, origin: string) => void;

class FilterStore {
  value: Filter = { year: 0, agency: '', districtId: 0, strategyId: '', missionType: '', nameContains: '' };
  private listeners: FilterListener[] = [];
  set(patch: Partial<Filter>, origin: string): void {
    this.value = { ...this.value, ...patch };
    for (const l of this.listeners) l(this.value, origin);
  }
  subscribe(l: FilterListener): void {
    this.listeners.push(l);
  }
}

export const filterStore = new FilterStore();

/** Query parameters of a LineFilter under a prefix ("filter."). */
export function filterParams(f: Filter, prefix = 'filter.', withName = true): Record<string, string | number> {
  const p: Record<string, string | number> = {};
  if (f.year) p[`${prefix}fiscalYear`] = f.year;
  if (f.agency) p[`${prefix}agency`] = f.agency;
  if (f.districtId) p[`${prefix}districtId`] = f.districtId;
  if (f.strategyId) p[`${prefix}strategyId`] = f.strategyId;
  if (f.missionType) p[`${prefix}missionType`] = f.missionType;
  if (withName && f.nameContains) p[`${prefix}nameContains`] = f.nameContains;
  return p;
}

/** Announces a message politely to screen readers (one shared live region). */
export function announce(msg: string): void {
  const el = document.getElementById('announcer');
  if (!el) return;
  el.textContent = '';
  window.setTimeout(() => {
    el.textContent = msg;
  }, 50);
}
