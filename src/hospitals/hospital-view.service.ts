import { Principal, seesHospital } from '../domain/access';
import { Injectable } from '@nestjs/common';
import { badRequest, conflict, excerpt, notFound } from '../domain/errors';
import {
  Breakdown,
  BreakdownFigure,
  BreakdownFigures,
  DepartmentRow,
  departmentResult,
  GroupRow,
  groupResult,
  hospitalSummary,
  scoreSumOf,
  SortOrder,
  SummaryFigures,
  ViewCase,
  ViewMonth,
} from '../domain/hospital-view';
import { isMonth, isYear } from '../domain/periods';
import { PoliciesService } from '../policies/policies.service';
import { Hospital } from '../domain/hospital';
import { HospitalViewStore, StoredMonthRun } from './hospital-view.store';
import { HospitalsStore } from './hospitals.store';

/** What every view names: the hospital, the period, and the settled months it was computed from. */
export interface ViewHead {
  hospitalCode: string;
  hospitalName: string;
  region: string;
  /** A month, or a year (its settled months so far). */
  period: string;
  months: {
    period: string;
    status: 'draft' | 'final';
    settlementRun: string;
    groupingRun: string;
    basis: 'totalCost' | 'fund';
    pointValues: { pool: string; pointValue: string }[];
  }[];
}

export type HospitalSummary = ViewHead & SummaryFigures;
export type GroupSort = BreakdownFigure | 'group';
export type DepartmentSort = BreakdownFigure | 'department';
export type HospitalGroups = ViewHead & { sort: GroupSort; order: SortOrder; items: GroupRow[]; total: BreakdownFigures };
export type HospitalDepartments = ViewHead & { sort: DepartmentSort; order: SortOrder; items: DepartmentRow[]; total: BreakdownFigures };

/** How often a view is read again when a settlement run replaced one of its months while it was read. */
const ATTEMPTS = 3;

/**
 * A hospital's view of itself (issue 12): its summary, groups and departments of a settled month
 * or of a year's settled months so far, from the stored runs, the region's figures beside its
 * own. The routes name the hospital in the path, so that an authenticated hospital user can later
 * be limited to its own code.
 */
@Injectable()
export class HospitalViewService {
  constructor(
    private readonly store: HospitalViewStore,
    private readonly hospitals: HospitalsStore,
    private readonly policies: PoliciesService,
  ) {}

  summary(p: Principal, code: string, period: string): Promise<HospitalSummary> {
    return this.consistent(p, code, period, async (h, months) => {
      const runs = months.map((m) => m.groupingRun);
      const settled = await this.store.settled(months);
      const regionResults = await this.store.tallies(runs);
      const hospitalResults = await this.store.tallies(runs, h.code);
      return hospitalSummary({ hospitalCode: h.code, months, settled, regionResults, hospitalResults });
    });
  }

  groups(p: Principal, code: string, period: string, sort: GroupSort, order: SortOrder): Promise<HospitalGroups> {
    return this.consistent(p, code, period, async (h, months) => {
      const b = new Breakdown(months, (c: ViewCase) => c.group);
      for (const m of months) b.add(m.period, await this.store.cases(h.region, m.groupingRun, h.code));
      return { sort, order, ...groupResult(b, sort, order) };
    });
  }

  departments(p: Principal, code: string, period: string, sort: DepartmentSort, order: SortOrder): Promise<HospitalDepartments> {
    return this.consistent(p, code, period, async (h, months) => {
      const region = scoreSumOf(await this.store.tallies(months.map((m) => m.groupingRun)));
      const b = new Breakdown(months, (c: ViewCase) => c.department);
      for (const m of months) b.add(m.period, await this.store.cases(h.region, m.groupingRun, h.code));
      return { sort, order, ...departmentResult(b, region, sort, order) };
    });
  }

  /**
   * Every hospital of the agency's region with settled cases in the period, each exactly as its
   * own summary (one read of the region's results for all of them).
   */
  async summaries(p: Principal, period: string): Promise<{ region: string; period: string; items: HospitalSummary[] }> {
    const hospitals = new Map((await this.hospitals.list(p.region)).map((h) => [h.code, h]));
    const { months, figures } = await this.settledMonths(p.region, period, async (months) => {
      const runs = months.map((m) => m.groupingRun);
      const [settled, regionResults, byHospital] = await Promise.all([
        this.store.settled(months),
        this.store.tallies(runs),
        this.store.talliesByHospital(runs),
      ]);
      return [...byHospital.keys()]
        .filter((code) => hospitals.has(code))
        .sort()
        .map((code) => ({
          code,
          figures: hospitalSummary({ hospitalCode: code, months, settled, regionResults, hospitalResults: byHospital.get(code)! }),
        }));
    });
    return { region: p.region, period, items: figures.map((f) => ({ ...head(hospitals.get(f.code)!, period, months), ...f.figures })) };
  }

  /** A view of one hospital in the user's scope (else as if it did not exist), over its region's settled months. */
  private async consistent<T>(
    p: Principal,
    code: string,
    period: string,
    read: (h: Hospital, months: ViewMonth[]) => Promise<T>,
  ): Promise<ViewHead & T> {
    const h = await this.hospitals.get(code);
    // Outside the user's scope (another hospital, another region): as if it did not exist.
    if (!h || !seesHospital(p, h.code, h.region)) throw notFound('unknown-hospital', `no hospital ${code}`);
    const { months, figures } = await this.settledMonths(h.region, period, (months) => read(h, months));
    return { ...head(h, period, months), ...figures };
  }

  /**
   * Reads something of a region's settled months, then checks that they are still the current
   * runs: a re-run of a month replaces its draft and deletes the old results, so a view read
   * meanwhile would mix two runs. It is read again then (a finalised month never changes).
   */
  private async settledMonths<T>(
    region: string,
    period: string,
    read: (months: ViewMonth[]) => Promise<T>,
  ): Promise<{ months: ViewMonth[]; figures: T }> {
    const [from, to] = monthsOf(period);
    for (let attempt = 1; ; attempt++) {
      const stored = await this.store.monthRuns(region, from, to);
      if (stored.length === 0)
        throw notFound(
          'no-settlement',
          isYear(period)
            ? `region ${region} has no monthly settlement run in ${period}`
            : `region ${region} has no monthly settlement run for ${period}`,
        );
      const months = await this.withBasis(stored);
      const figures = await read(months);
      const now = await this.store.monthRunIds(region, from, to);
      if (sameRuns(stored, now)) return { months, figures };
      if (attempt === ATTEMPTS)
        throw conflict('settlement-changing', `the settlement runs of ${period} changed ${ATTEMPTS} times while they were read; try again`);
    }
  }

  /** Each month with the settlement basis of the policy its run was computed with. */
  private async withBasis(runs: readonly StoredMonthRun[]): Promise<ViewMonth[]> {
    const basis = new Map<string, ViewMonth['basis']>();
    for (const r of runs)
      if (!basis.has(r.policyHash)) {
        const policy = await this.policies.get(r.policyHash);
        if (!policy) throw new Error(`settlement run ${r.settlementRun} names policy ${r.policyHash}, which is not stored`);
        basis.set(r.policyHash, policy.settlement.basis);
      }
    return runs.map(({ policyHash, ...r }) => ({ ...r, basis: basis.get(policyHash)! }));
  }
}

/** The months of a period: a month itself, or January … December of a year. */
function monthsOf(period: string): [string, string] {
  if (isMonth(period)) return [period, period];
  if (isYear(period)) return [`${period}-01`, `${period}-12`];
  throw badRequest('bad-period', `period must be a month like 2024-03 or a year like 2024; got ${excerpt(period)}`);
}

const sameRuns = (a: readonly StoredMonthRun[], ids: readonly string[]): boolean =>
  a.length === ids.length && a.every((r, i) => r.settlementRun === ids[i]);

function head(h: Hospital, period: string, months: readonly ViewMonth[]): ViewHead {
  return {
    hospitalCode: h.code,
    hospitalName: h.name,
    region: h.region,
    period,
    months: months.map((m) => ({
      period: m.period,
      status: m.status,
      settlementRun: m.settlementRun,
      groupingRun: m.groupingRun,
      basis: m.basis,
      pointValues: m.pools.map((p) => ({ pool: p.pool, pointValue: p.pointValue })),
    })),
  };
}
