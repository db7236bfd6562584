import { reactive } from 'vue';

/**
 * The HTTP API (/api/v1) as the app uses it: every call sends the bearer token; a 401 trades the
 * refresh token for new tokens once and repeats the call, else the session is over and the app
 * goes back to the login page. Errors arrive as `{statusCode, error, message, problems?}` and are
 * thrown as ApiError. Decimals stay strings from end to end.
 *
 * Tokens live in sessionStorage: they last the tab, and a closed tab leaves nothing behind.
 */

// ---------------------------------------------------------------- types (src/**/*.responses.ts, *.dto.ts)

export type Role = 'agency' | 'hospital' | 'expert';
export type Pool = 'employee' | 'resident';
export type RunKind = 'month' | 'year';

export interface Me {
  userId: string;
  username: string;
  role: Role;
  region: string;
  hospital: string | null;
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType?: string;
}

export interface Problem {
  line?: number;
  row?: number;
  path?: string;
  field?: string;
  reason: string;
}

/** One run of GET /settlements?year= (the region's current run of each period). */
export interface RunPoolFigures {
  pool: Pool;
  fund: string;
  cityBookkeeping: string;
  points: string;
  nonFund: string;
  pointValue: string;
  residual: string;
  monthlyBudget?: string;
  dipBudget?: string;
  adjustmentFund?: string;
}

export interface RunListItem {
  id: string;
  kind: RunKind;
  period: string;
  status: 'draft' | 'final';
  createdAt: string;
  finalisedAt: string | null;
  groupingRun: string;
  catalogueId: string;
  pools: RunPoolFigures[];
}

export interface ReportHospital {
  hospitalCode: string;
  hospitalName?: string | null;
  cases: number;
  points: string;
  nonFund: string;
  bookkeeping: string;
  entitlement: string;
  prepay?: string;
  assessmentDeduction?: string;
  violations?: string;
  overspend?: string;
  compensation?: string;
  final?: string;
  prepaid?: string;
  revolvingFund?: string;
  balance?: string;
  specialCases?: { cases: number; rulePoints: string; approvedPoints: string };
}

export interface ReportPool extends RunPoolFigures {
  reserve?: { shortfall: string; remainder: string; toDipFund: string; adjustmentFund: string; uncovered: string };
  compensationClaimed?: string;
  compensationScale?: string;
  hospitals: ReportHospital[];
}

export interface SettlementReport {
  run: {
    id: string;
    region: string;
    period: string;
    kind: RunKind;
    catalogueId: string;
    policyHash: string;
    groupingRun: string;
    status: 'draft' | 'final';
    createdBy: string;
    createdAt: string;
    finalisedAt: string | null;
    monthsPrepaid?: string[];
    specialCases?: { revision: number; applied: number; notInRun: string[] };
  };
  pools: ReportPool[];
}

/** GET /settlements/:id: a stored run's report, a replaced draft, or the job of a run not stored yet. */
export type SettlementState =
  | SettlementReport
  | { run: { id: string; status: 'replaced'; replacedBy: string; replacedAt: string } }
  | {
      run: {
        id: string;
        status: 'running' | 'succeeded' | 'failed';
        stage: string | null;
        progress: { done: number; total: number | null };
      };
      error: { code: string; message: string; problems?: Problem[] } | null;
    };

export interface Pair<T> {
  hospital: T;
  region: T;
}

export interface ViewMonth {
  period: string;
  status: 'draft' | 'final';
  settlementRun: string;
  groupingRun: string;
  basis: 'totalCost' | 'fund';
  pointValues: { pool: string; pointValue: string }[];
}

export interface ViewHead {
  hospitalCode: string;
  hospitalName: string;
  region: string;
  period: string;
  months: ViewMonth[];
}

export type OutlierClass = 'low' | 'high' | 'extreme';

export interface HospitalSummary extends ViewHead {
  cases: Pair<number>;
  points: Pair<string>;
  scoredCases: Pair<number>;
  meanScore: Pair<string | null>;
  cmi: Pair<string | null>;
  outliers: Record<OutlierClass, { cases: Pair<number>; rate: Pair<string | null> }>;
  pools: {
    pool: Pool;
    cases: Pair<number>;
    points: Pair<string>;
    entitlement: Pair<string>;
    prepay: Pair<string>;
    prepayFinal: Pair<string>;
  }[];
}

export interface HospitalSummaries {
  region: string;
  period: string;
  items: HospitalSummary[];
}

export interface BreakdownFigures {
  cases: number;
  points: string;
  estimatedPayment: string;
  actualCost: string;
  difference: string;
}

export interface GroupRow extends BreakdownFigures {
  group: string | null;
  key: string | null;
  kind: 'core' | 'composite' | null;
}

export interface DepartmentRow extends BreakdownFigures {
  department: string | null;
  scoredCases: number;
  meanScore: string | null;
  cmi: string | null;
}

export interface Breakdown<R> extends ViewHead {
  sort: string;
  order: 'asc' | 'desc';
  items: R[];
  total: BreakdownFigures;
}

export interface CatalogueListItem {
  id: string;
  region: string;
  year: number;
  active: boolean;
  groups: number;
  createdAt: string;
}

export interface CatalogueGroup {
  code: string;
  key: string;
  kind: 'core' | 'composite';
  category: string | null;
  treatmentType: string;
  procedures: string[];
  cases: number;
  avgCost: string;
  score: string;
  auxiliary: Record<string, string>;
  flags: string[];
  levelAvgCost?: Record<string, string>;
}

export interface CatalogueDocument {
  id: string;
  region: string;
  year: number;
  window: number[];
  reference: { type: string; cost: string };
  costPerPoint: string;
  pvBudget: string;
  hash: string;
  groups: CatalogueGroup[];
}

export interface CaseResult {
  caseId: string;
  hospitalCode: string;
  group: string | null;
  key: string | null;
  kind: 'core' | 'composite' | null;
  rule: string;
  caseKey: string | null;
  treatmentType: string;
  tieBreak: string | null;
  score: string | null;
  auxFactor: string | null;
  severityClass: number;
  coefficient: string;
  ratio: string | null;
  outlier: string;
  points: string;
  specialReview: boolean;
}

export interface Factor {
  name: string;
  value: string;
}

export interface CaseValuation {
  grouping: {
    group: CatalogueGroup | null;
    rule: string;
    key: string | null;
    treatmentType: string;
    tieBreak?: string;
    candidates?: number;
  };
  points: {
    points: string;
    rule: string;
    score: string | null;
    auxFactor: string | null;
    ratio: string | null;
    reference: string | null;
    severityClass: number;
    factors: Factor[];
    eligibleForSpecialReview: boolean;
  };
}

export interface CaseExplanation {
  result: CaseResult;
  explanation: CaseValuation | null;
  changedSinceRun: boolean;
}

export interface ResultsPage {
  total: number;
  offset: number;
  items: CaseResult[];
}

export interface Alternative {
  group: string;
  key: string;
  kind: string;
  treatmentType: string;
  rule: string;
  keyProcedures: string[];
  score: string | null;
  auxFactor: string | null;
  ratio: string | null;
  outlier: string;
  points: string;
  pointsDifference: string;
  estimatedPayment: string;
}

export interface Projection extends CaseResult {
  pool: Pool;
  region: string;
  catalogueId: string;
  pointValue: {
    value: string;
    source: 'monthly-run' | 'catalogue-budget';
    runId?: string;
    period?: string;
    status?: string;
    catalogueId?: string;
  };
  estimatedPayment: string;
  reference: string | null;
  factors: Factor[];
  alternatives?: Alternative[];
}

export type SpecialStatus = 'pending' | 'approved' | 'rejected' | 'withdrawn';
export type SpecialReason = 'extremeCost' | 'longStay' | 'newTechnology' | 'complexCritical' | 'other';

export interface CaseFacts {
  groupingRun: string;
  catalogueId: string;
  groupCode: string | null;
  kind: string | null;
  rule: string;
  outlier: string;
  ratio: string | null;
  points: string;
  losDays: number;
  newTechnology: boolean;
  eligibleForSpecialReview: boolean;
}

export interface PanelVote {
  expert?: { id: string; username: string };
  vote: 'approve' | 'reject' | null;
  points: string | null;
  cost: string | null;
  reason: string | null;
  votedAt: string | null;
}

export interface Panel {
  round: number;
  dueAt: string;
  overdue: boolean;
  votes: PanelVote[];
}

export interface Application {
  id: string;
  region: string;
  year: number;
  hospitalCode: string;
  caseId: string;
  reason: SpecialReason;
  statement: string;
  evidence: string[];
  facts: CaseFacts;
  status: SpecialStatus;
  round: number;
  appealStatement: string | null;
  approvedPoints: string | null;
  appliedBy: string;
  appliedAt: string;
  decidedAt: string | null;
  panels: Panel[];
}

export interface ExpertLoad {
  userId: string;
  username: string;
  hospital: string;
  open: number;
}

export interface Seat {
  round: number;
  current: boolean;
  assignedAt: string;
  dueAt: string;
  vote: 'approve' | 'reject' | null;
  points: string | null;
  cost: string | null;
  costPerPoint: string | null;
  reason: string | null;
  votedAt: string | null;
}

export interface ExpertApplication {
  id: string;
  year: number;
  hospitalCode: string;
  caseId: string;
  reason: SpecialReason;
  statement: string;
  evidence: string[];
  appealStatement: string | null;
  facts: CaseFacts;
  status: SpecialStatus;
  round: number;
  approvedPoints: string | null;
  decidedAt: string | null;
}

export interface Assignment extends ExpertApplication {
  seat: Seat;
}

export interface Review extends ExpertApplication {
  explanation: { groupingRun: string; result: CaseResult; valuation: CaseValuation | null } | null;
  seats: Seat[];
}

export interface VoteResult extends ExpertApplication {
  vote: { decision: 'approve' | 'reject'; points: string | null; cost: string | null; costPerPoint: string | null };
  decided: boolean;
}

// ---------------------------------------------------------------- errors

/** A refusal of the API (or of the network: status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The message of anything thrown, for people. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** A problem as one line: where, then why. */
export function problemText(p: Problem): string {
  const where = [
    p.field && p.field !== '*' ? p.field : null,
    p.path,
    p.line !== undefined ? `line ${p.line}` : null,
    p.row !== undefined ? `row ${p.row}` : null,
  ]
    .filter((x): x is string => !!x)
    .join(', ');
  return where ? `${where}: ${p.reason}` : p.reason;
}

async function errorOf(res: Response): Promise<ApiError> {
  let body: { statusCode?: number; error?: string; message?: string | string[]; problems?: Problem[] } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  // Request validation (400) gives one sentence per broken rule.
  const message = Array.isArray(body.message) ? body.message.join('; ') : (body.message ?? `${res.status} ${res.statusText}`);
  return new ApiError(res.status, body.error ?? String(res.status), message, body.problems ?? []);
}

// ---------------------------------------------------------------- session

const ACCESS = 'dip.accessToken';
const REFRESH = 'dip.refreshToken';

/** Who is signed in (null: nobody, or not known yet). */
export const session = reactive<{ user: Me | null }>({ user: null });

const tokens = {
  get access(): string | null {
    return sessionStorage.getItem(ACCESS);
  },
  get refresh(): string | null {
    return sessionStorage.getItem(REFRESH);
  },
  set(t: Tokens): void {
    sessionStorage.setItem(ACCESS, t.accessToken);
    sessionStorage.setItem(REFRESH, t.refreshToken);
  },
  clear(): void {
    sessionStorage.removeItem(ACCESS);
    sessionStorage.removeItem(REFRESH);
  },
};

export const hasToken = (): boolean => tokens.access !== null;

let onSignedOut: () => void = () => {};
/** What to do when the session is over (main.ts: go to the login page). */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

/**
 * One refresh at a time: a refresh token is good once, and presenting it twice revokes the
 * session, so calls that fail together with 401 share one refresh.
 */
let refreshing: Promise<boolean> | null = null;

function refreshTokens(): Promise<boolean> {
  const refreshToken = tokens.refresh;
  if (!refreshToken) return Promise.resolve(false);
  refreshing ??= (async () => {
    try {
      const res = await fetch('/api/v1/auth/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ refreshToken }),
      });
      if (!res.ok) return false;
      tokens.set((await res.json()) as Tokens);
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

function endSession(): void {
  tokens.clear();
  session.user = null;
  onSignedOut();
}

// ---------------------------------------------------------------- requests

type Query = Record<string, string | number | boolean | null | undefined>;

export function url(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const q = params.toString();
  return `/api/v1${path}${q ? `?${q}` : ''}`;
}

interface RequestOptions {
  method?: string;
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

/** A call with the bearer token, refreshed once on a 401. */
async function send(path: string, opts: RequestOptions, accept: string): Promise<Response> {
  const attempt = () => {
    const headers: Record<string, string> = { Accept: accept };
    if (tokens.access) headers.Authorization = `Bearer ${tokens.access}`;
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(url(path, opts.query), {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  };
  let res: Response;
  try {
    res = await attempt();
    if (res.status === 401) {
      if (await refreshTokens()) res = await attempt();
      if (res.status === 401) {
        const err = await errorOf(res);
        endSession();
        throw err;
      }
    }
  } catch (err) {
    if (err instanceof ApiError || (err instanceof DOMException && err.name === 'AbortError')) throw err;
    throw new ApiError(0, 'network', `网络错误 / Network error: ${messageOf(err)}`);
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

/** A JSON call; 204 answers undefined. */
export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(path, opts, 'application/json');
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** Downloads a file answer (with the bearer token, which a plain link cannot send) under its attachment name. */
export async function download(path: string, query: Query, fallbackName: string): Promise<void> {
  const res = await send(path, { query }, '*/*');
  const blob = await res.blob();
  const disposition = res.headers.get('Content-Disposition') ?? '';
  const name = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1] ?? /filename="?([^";]+)"?/i.exec(disposition)?.[1];
  saveBlob(blob, name ? decodeURIComponent(name) : fallbackName);
}

/** Offers a blob as a download. */
export function saveBlob(blob: Blob, name: string): void {
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Give the browser the time to start the download before the URL goes.
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

// ---------------------------------------------------------------- sign-in

export async function login(username: string, password: string): Promise<Me> {
  let res: Response;
  try {
    res = await fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ username, password }),
    });
  } catch (err) {
    throw new ApiError(0, 'network', `网络错误 / Network error: ${messageOf(err)}`);
  }
  if (!res.ok) throw await errorOf(res);
  tokens.set((await res.json()) as Tokens);
  return loadMe();
}

/** Who is signed in; one request at a time (the start of the app and the router both ask). */
let meInFlight: Promise<Me> | null = null;
export function loadMe(): Promise<Me> {
  meInFlight ??= api<Me>('/auth/me')
    .then((me) => (session.user = me))
    .finally(() => {
      meInFlight = null;
    });
  return meInFlight;
}

export async function logout(): Promise<void> {
  try {
    if (tokens.access) await api<void>('/auth/logout', { method: 'POST' });
  } catch {
    // The session may have ended already; the tokens go either way.
  }
  tokens.clear();
  session.user = null;
}

// ---------------------------------------------------------------- endpoints

/** The runs of a year of the user's region; without a year, of the newest year that has runs. */
export const listRuns = (year?: number | string) => api<RunListItem[]>('/settlements', { query: { year } });

/**
 * The newest year's runs asked for as the app starts on the overview, before the page's code has
 * arrived (main.ts; bench:web): the overview takes the answer once, if it is a few seconds old at most.
 */
let runsAhead: { at: number; runs: Promise<RunListItem[]> } | null = null;
export function prefetchRuns(): void {
  const runs = listRuns();
  runs.catch(() => undefined); // the page asks again and shows the error
  runsAhead = { at: Date.now(), runs };
}
export function takePrefetchedRuns(): Promise<RunListItem[]> | null {
  const ahead = runsAhead;
  runsAhead = null;
  return ahead && Date.now() - ahead.at < 10_000 ? ahead.runs : null;
}

/**
 * The newest year with settlement runs (one request: the service answers the newest year's runs
 * when no year is asked). Kept for the session; `forgetRunYears` after a run is started.
 */
let latestRunYearPromise: Promise<number | null> | null = null;
export function latestRunYear(): Promise<number | null> {
  latestRunYearPromise ??= listRuns()
    .then((runs) => (runs.length > 0 ? Number(runs[0].period.slice(0, 4)) : null))
    .catch((err: unknown) => {
      latestRunYearPromise = null;
      throw err;
    });
  return latestRunYearPromise;
}
export function forgetRunYears(): void {
  latestRunYearPromise = null;
}

export const getSettlement = (id: string) => api<SettlementState>(`/settlements/${encodeURIComponent(id)}`);
export const getReport = (id: string) =>
  api<SettlementReport>(`/settlements/${encodeURIComponent(id)}/report`, { query: { format: 'json' } });

export const hospitalSummary = (code: string, period: string) =>
  api<HospitalSummary>(`/hospitals/${encodeURIComponent(code)}/summary`, { query: { period } });
export const hospitalGroups = (code: string, period: string, sort: string, order: string) =>
  api<Breakdown<GroupRow>>(`/hospitals/${encodeURIComponent(code)}/groups`, { query: { period, sort, order } });
export const hospitalDepartments = (code: string, period: string, sort: string, order: string) =>
  api<Breakdown<DepartmentRow>>(`/hospitals/${encodeURIComponent(code)}/departments`, { query: { period, sort, order } });

/** The catalogue versions of a year; without a year, of every year (the newest year first). */
export const listCatalogues = (year?: number | string) => api<CatalogueListItem[]>('/catalogs', { query: { year } });

// ---------------------------------------------------------------- schemes besides DIP (src/schemes/schemes.responses.ts)

export type SchemeId = 'medical-group' | 'zibo-budget' | 'disease-capitation' | 'diabetes-capitation' | 'chronic-package';

export interface SchemeDefinition {
  id: SchemeId;
  title: string;
  seed: string;
  tables: {
    name: string;
    description: string;
    columns: { name: string; kind: string; required: boolean; description: string }[];
    key: string[];
    required: boolean;
  }[];
}

export interface SchemeRunHead {
  id: string;
  scheme: SchemeId;
  region: string;
  year: number;
  status: 'draft' | 'final';
  policyHash: string;
  inputs: { table: string; inputId: string; sha256: string; rows: number }[];
  inputsHash: string;
  createdBy: string;
  createdAt: string;
  finalisedBy: string | null;
  finalisedAt: string | null;
}

export interface SchemeProvider {
  provider: string;
  name: string;
  /** The hospital codes whose users may read the row. */
  visibleTo: string[];
  /** Every figure of the unit by the scheme's names; money as 2-dp strings. */
  figures: Record<string, unknown>;
}

export interface SchemeReport {
  run: SchemeRunHead & { title: string; seed: string };
  /** The region's figures; null for a hospital user. */
  region: Record<string, unknown> | null;
  providers: SchemeProvider[];
}

export interface SchemePerson {
  provider: string;
  person: string;
  figures: Record<string, unknown>;
}

/** The schemes and their input tables (they never change while the app runs: asked once). */
let schemeDefinitions: Promise<SchemeDefinition[]> | null = null;
export function listSchemes(): Promise<SchemeDefinition[]> {
  schemeDefinitions ??= api<SchemeDefinition[]>('/schemes').catch((err: unknown) => {
    schemeDefinitions = null;
    throw err;
  });
  return schemeDefinitions;
}

/** The scheme runs of the user's region (a hospital: those with a row of theirs), newest year first. */
export const listSchemeRuns = (scheme?: string, year?: number | string) =>
  api<SchemeRunHead[]>('/schemes/runs', { query: { scheme, year } });
export const getSchemeReport = (id: string) => api<SchemeReport>(`/schemes/runs/${encodeURIComponent(id)}`, { query: { format: 'json' } });
export const schemePersons = (id: string, provider: string) =>
  api<SchemePerson[]>(`/schemes/runs/${encodeURIComponent(id)}/persons`, { query: { provider, format: 'json' } });
export const finaliseSchemeRun = (id: string) => api<SchemeReport>(`/schemes/runs/${encodeURIComponent(id)}/finalise`, { method: 'POST' });
