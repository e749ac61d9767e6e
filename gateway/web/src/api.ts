// HTTP/JSON client for the gateway (proto3 JSON mapping: lowerCamelCase
// fields, int64 as strings, enums as names, defaults may be omitted).
import { lang } from './i18n';

export type Int64 = string | number | undefined;

/** Converts an int64 JSON value (a string) or a missing field to a number. */
export function num(v: Int64 | null): number {
  if (v === undefined || v === null || v === '') return 0;
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

/**
 * A refused or failed call. `message` is the server's English text (for
 * logs and the English page); `reason` and `metadata` are the stable
 * ErrorInfo the services attach, which the web app words in the reader's
 * language (strings.ts, keys "reason.*").
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly reason = '',
    readonly metadata: Record<string, string> = {},
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

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal, extra?: Record<string, string>): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      // Texts the servers write (notes, sources) come in the page's language.
      headers: { Accept: 'application/json', 'Accept-Language': lang(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...extra },
      credentials: 'same-origin',
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
    throw new ApiError(err?.message || text.slice(0, 200) || res.statusText, res.status, err?.code || `HTTP_${res.status}`,
      typeof err?.reason === 'string' ? err.reason : '', err?.metadata && typeof err.metadata === 'object' ? err.metadata : {});
  }
  if (data === null) throw new ApiError('response is not JSON', res.status, 'BAD_RESPONSE');
  return data as T;
}

const cache = new Map<string, Promise<unknown>>();

/** GET; budget routes are immutable per release, so they can be memoised. */
export function get<T>(path: string, params?: Params, opts: { cache?: boolean; signal?: AbortSignal } = {}): Promise<T> {
  const url = path + query(params);
  if (opts.cache) {
    // Answers carry texts in the page's language: one memo per language.
    const key = `${lang()} ${url}`;
    const hit = cache.get(key);
    if (hit) return hit as Promise<T>;
    const p = request<T>('GET', url, undefined, opts.signal);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
    return p;
  }
  return request<T>('GET', url, undefined, opts.signal);
}

export function post<T>(path: string, body: unknown): Promise<T> {
  return request<T>('POST', path, body);
}

/** Any method with extra headers (the console's anti-CSRF token). */
export function send<T>(method: 'GET' | 'POST', path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
  return request<T>(method, path, body, undefined, headers);
}

// ---- Types: generated from the protos (scripts/gen-api.mjs), in the JSON
// mapping the gateway emits. Names here are the page's; the shapes are the
// contract's, so a proto change that breaks the page fails the type check.
//
// The generated types mark every field optional, as proto3 JSON allows. The
// gateway prints every scalar and repeated field, defaults included
// (always_print_primitive_fields in gateway/core/transcoder.cc), so `Filled`
// makes those required; message-valued fields stay optional (an unset one is
// left out).
type FilledValue<V> = V extends (infer U)[] ? (U extends object ? Filled<U>[] : U[]) : V;
type ScalarKeys<T> = {
  [K in keyof T]-?: NonNullable<T[K]> extends object ? (NonNullable<T[K]> extends unknown[] ? K : never) : K;
}[keyof T];
export type Filled<T> = { [K in ScalarKeys<T>]-?: FilledValue<NonNullable<T[K]>> } & {
  [K in Exclude<keyof T, ScalarKeys<T>>]?: Filled<NonNullable<T[K]>>;
};

import type {
  AgencyAmountJson, BreakdownDimensionJson, BreakdownItemJson, BudgetLineJson, CompareDistrictYearsResponseJson, DistrictComparisonRowJson, DistrictJson,
  DistrictYearAmountJson, DistrictYearTotalJson, FrameworkJson, GetBreakdownResponseJson,
  GetOverviewResponseJson, ImportDatasetResponseJson, LineSortJson, ListLinesResponseJson, ListTopAgenciesResponseJson, ReleaseJson, ReleaseYearJson, SourceFileJson,
  StrategyAmountJson, StrategyJson, SubDimensionJson, YearOverviewJson,
} from './gen/bkkbudget/budget/v1/budget_pb';
import type {
  KeywordCountJson, ListTopKeywordsResponseJson, SearchHitJson, SearchLinesResponseJson, SearchSortJson, TextRangeJson,
} from './gen/bkkbudget/keywords/v1/keywords_pb';
import type {
  AuditEventJson, BallotRuleJson, CheckReceiptResponseJson, ImportPabulibResponseJson, ListAuditEventsResponseJson, OperatorJson,
  OperatorRoleJson, GetSessionResponseJson, GetTurnoutResponseJson, ComputeOutcomeResponseJson, GetTopProposalsResponseJson,
  ProjectOutcomeJson, ProposalJson, ProposalTallyJson, RoundDistrictJson, RoundJson, WatchTalliesResponseJson,
  ProjectJson, ProjectUpdateJson, ProjectStatusJson, ListProjectsResponseJson, GetProjectResponseJson, UpdateProjectRequestJson,
  ExportPabulibResponseJson,
} from './gen/bkkbudget/voting/v1/voting_pb';

export type SubDimension = Filled<SubDimensionJson>;
export type Strategy = Filled<StrategyJson>;
export type Framework = Filled<FrameworkJson>;
export type District = Filled<DistrictJson>;
/** A district office's budget in one year; topicBaht maps flood / green / waste to baht (int64 strings). */
export type DistrictYearTotal = DistrictYearTotalJson;
export type StrategyAmount = Filled<StrategyAmountJson>;
export type YearOverview = Filled<YearOverviewJson>;
export type Overview = Filled<GetOverviewResponseJson>;
export type AgencyAmount = Filled<AgencyAmountJson>;
export type TopAgencies = Filled<ListTopAgenciesResponseJson>;
export type BreakdownItem = Filled<BreakdownItemJson>;
export type Breakdown = Filled<GetBreakdownResponseJson>;
export type BudgetLine = Filled<BudgetLineJson>;
export type LinesPage = Filled<ListLinesResponseJson>;
export type SourceFile = Filled<SourceFileJson>;
export type Release = Filled<ReleaseJson>;
/** One year's lines in the release: count, total, scope ("ordinance" / "district_books") and document. */
export type ReleaseYear = Filled<ReleaseYearJson>;
/** A district office's stated total in one year, with the PDF page that states it. */
export type DistrictYearAmount = Filled<DistrictYearAmountJson>;
export type DistrictComparisonRow = Filled<DistrictComparisonRowJson>;
export type DistrictComparison = Filled<CompareDistrictYearsResponseJson>;
export type KeywordCount = Filled<KeywordCountJson>;
export type TopKeywords = Filled<ListTopKeywordsResponseJson>;
export type TextRange = Filled<TextRangeJson>;
export type SearchHit = Filled<SearchHitJson>;
export type SearchResult = Filled<SearchLinesResponseJson>;
export type BallotRule = Filled<BallotRuleJson>;
export type RoundDistrict = Filled<RoundDistrictJson>;
export type Round = Filled<RoundJson>;
export type Proposal = Filled<ProposalJson>;
export type ProposalTally = Filled<ProposalTallyJson>;
export type TopProposals = Filled<GetTopProposalsResponseJson>;
/** One live-tally event: the top list as of `watermark`. */
export type TallyEvent = Filled<WatchTalliesResponseJson>;
export type Receipt = Filled<CheckReceiptResponseJson>;
export type ProjectOutcome = Filled<ProjectOutcomeJson>;
export type Outcome = Filled<ComputeOutcomeResponseJson>;
export type Turnout = Filled<GetTurnoutResponseJson>;
export type DatasetImport = Filled<ImportDatasetResponseJson>;
export type Operator = Filled<OperatorJson>;
export type OperatorRole = Chosen<OperatorRoleJson>;
export type Session = Filled<GetSessionResponseJson>;
export type AuditEvent = Filled<AuditEventJson>;
export type AuditPage = Filled<ListAuditEventsResponseJson>;
export type PabulibImport = Filled<ImportPabulibResponseJson>;
export type PabulibExport = Filled<ExportPabulibResponseJson>;
export type Project = Filled<ProjectJson>;
export type ProjectUpdate = Filled<ProjectUpdateJson>;
export type ProjectList = Filled<ListProjectsResponseJson>;
export type ProjectTimeline = Filled<GetProjectResponseJson>;
export type ProjectStatus = Chosen<ProjectStatusJson>;
/** What a tracker sends; unset fields keep their value. */
export type ProjectChange = UpdateProjectRequestJson;
/** Enum values a request may name (UNSPECIFIED is what leaving it out means). */
type Chosen<E extends string> = Exclude<E, `${string}_UNSPECIFIED`>;
export type LineSort = Chosen<LineSortJson>;
export type BreakdownDimension = Chosen<BreakdownDimensionJson>;
export type SearchSort = Chosen<SearchSortJson>;
