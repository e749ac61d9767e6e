// HTTP/JSON client for the gateway (proto3 JSON mapping: lowerCamelCase
// fields, int64 as strings, enums as names, defaults may be omitted).

export type Int64 = string | number | undefined;

/** Converts an int64 JSON value (a string) or a missing field to a number. */
export function num(v: Int64 | null): number {
  if (v === undefined || v === null || v === '') return 0;
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

export type Params = Record<string, string | number | undefined | null>;

export function query(params?: Params): string {
  if (!params) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || v === 0) continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError('', 0, 'NETWORK');
  }
  const text = await res.text();
  let data: any = null;
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = data && data.error;
    throw new ApiError(err?.message || text.slice(0, 200) || res.statusText, res.status, err?.code || `HTTP_${res.status}`);
  }
  if (data === null) throw new ApiError('response is not JSON', res.status, 'BAD_RESPONSE');
  return data as T;
}

const cache = new Map<string, Promise<unknown>>();

/** GET; budget routes are immutable per release, so they can be memoised. */
export function get<T>(path: string, params?: Params, opts: { cache?: boolean; signal?: AbortSignal } = {}): Promise<T> {
  const url = path + query(params);
  if (opts.cache) {
    const hit = cache.get(url);
    if (hit) return hit as Promise<T>;
    const p = request<T>('GET', url, undefined, opts.signal);
    cache.set(url, p);
    p.catch(() => cache.delete(url));
    return p;
  }
  return request<T>('GET', url, undefined, opts.signal);
}

export function post<T>(path: string, body: unknown): Promise<T> {
  return request<T>('POST', path, body);
}

// ---- Types (the subset of the protos the page reads) ----

export interface SubDimension { id: string; name?: string; description?: string; goals?: string[] }
export interface Strategy { id: string; name?: string; side?: string; nameEn?: string; issue?: string; subDimensions?: SubDimension[] }
export interface Framework { kind?: string; name?: string; firstYear?: number; lastYear?: number; strategies?: Strategy[] }
export interface District { id: number; nameTh?: string; nameEn?: string; zipcode?: string; officeAgency?: string }
export interface StrategyAmount { strategyId?: string; strategyName?: string; amountBaht?: Int64 }
export interface YearOverview {
  fiscalYear: number; totalBudgetBaht?: Int64; strategicBudgetBaht?: Int64;
  byStrategy?: StrategyAmount[]; source?: string; hasLines?: boolean;
}
export interface Overview { years?: YearOverview[]; releaseVersion?: string }
export interface AgencyAmount { agency?: string; amountBaht?: Int64; lineCount?: number; unitKind?: string }
export interface TopAgencies { fiscalYear?: number; agencies?: AgencyAmount[]; agencyCount?: number; yearTotalBaht?: Int64; note?: string }
export interface BreakdownItem { key?: string; label?: string; amountBaht?: Int64; lineCount?: number }
export interface Breakdown { fiscalYear?: number; items?: BreakdownItem[]; totalBaht?: Int64 }
export interface BudgetLine {
  lineId: string; fiscalYear?: number; agency?: string; missionType?: string; name?: string; amountBaht?: Int64;
  strategyId?: string; subDimensionId?: string; districtId?: number; sourceRef?: string; sourcePage?: number; category?: string;
}
export interface LinesPage { lines?: BudgetLine[]; nextPageToken?: string; totalCount?: number; totalAmountBaht?: Int64 }
export interface SourceFile { path?: string; sha256?: string; sizeBytes?: Int64; rows?: number }
export interface Release { version?: string; files?: SourceFile[]; importedAt?: string; lineCount?: number; totalBaht?: Int64; source?: string }
export interface KeywordCount { keyword: string; lineCount?: number; amountBaht?: Int64 }
export interface TopKeywords { keywords?: KeywordCount[]; lineCount?: number }
export interface TextRange { start?: number; end?: number }
export interface SearchHit {
  lineId: string; name?: string; amountBaht?: Int64; fiscalYear?: number; agency?: string; missionType?: string;
  strategyId?: string; districtId?: number; highlights?: TextRange[];
}
export interface SearchResult { hits?: SearchHit[]; nextPageToken?: string; totalCount?: number; totalAmountBaht?: Int64; queryTerms?: string[] }

export interface BallotRule { kind?: string; maxChoices?: number; totalPoints?: number; maxPointsPerProject?: number }
export interface RoundDistrict { districtId?: number; budgetBaht?: Int64 }
export interface Round {
  roundId: string; name?: string; fiscalYear?: number; districts?: RoundDistrict[]; ballotRule?: BallotRule;
  outcomeRule?: string; identityMode?: string; phase?: string; createdAt?: string; source?: string;
}
export interface Proposal {
  proposalId: string; roundId?: string; districtId?: number; title?: string; description?: string; strategyTag?: string;
  estimatedCostBaht?: Int64; status?: string; rejectionReason?: string; createdAt?: string; externalId?: string;
}
export interface ProposalTally { proposalId: string; title?: string; support?: Int64; estimatedCostBaht?: Int64; rank?: number }
export interface TopProposals { proposals?: ProposalTally[]; voterCount?: Int64; servedFrom?: string }
/** One live-tally event (WatchTalliesResponse): the top list as of `watermark`. */
export interface TallyEvent { proposals?: ProposalTally[]; voterCount?: Int64; watermark?: Int64; votingClosed?: boolean }
export interface Receipt { counted?: boolean; roundId?: Int64; districtId?: number; castAt?: string; choices?: { proposalId: string; points?: number }[] }
export interface ProjectOutcome { proposalId: string; title?: string; costBaht?: Int64; support?: Int64; funded?: boolean; explanation?: string }
export interface Outcome { rule?: string; budgetBaht?: Int64; spentBaht?: Int64; projects?: ProjectOutcome[]; voterCount?: Int64; summary?: string }
