import { Injectable } from '@nestjs/common';
import { Pool } from '../domain/case-record';
import { conflict } from '../domain/errors';
import { ResultTally, SettledHospital, ViewCase, ViewPool } from '../domain/hospital-view';
import { DatabaseService } from '../persistence/database.service';

/** A month's current settlement run as stored, before its policy's basis is looked up. */
export interface StoredMonthRun {
  period: string;
  settlementRun: string;
  groupingRun: string;
  status: 'draft' | 'final';
  policyHash: string;
  pools: ViewPool[];
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * What a hospital's views read (issue 12), from the stored runs only: the months' current
 * settlement runs (`settlement_run`, kind month, draft or final) with their pools' figures, their
 * hospital rows (`settlement_hospital`), and their grouping runs' per-case results (`case_result`),
 * joined to the stored cases (`dip_case`, by region and caseId) for pool, cost and department.
 * Decimal sums are never taken in SQL (SQLite's would be binary floats): the figures are read as
 * stored text and added up exactly in domain/hospital-view.ts; SQL only counts.
 */
@Injectable()
export class HospitalViewStore {
  constructor(private readonly db: DatabaseService) {}

  /** The current monthly settlement run (draft or final) of each month from … to that has one, in month order. */
  async monthRuns(region: string, fromMonth: string, toMonth: string): Promise<StoredMonthRun[]> {
    const { rows } = await this.db.execute(
      `SELECT id, period, status, grouping_run_id, policy_hash, report FROM settlement_run
       WHERE region_code = ? AND kind = 'month' AND period >= ? AND period <= ? ORDER BY period`,
      [region, fromMonth, toMonth],
    );
    return rows.map((r) => {
      const { pools } = JSON.parse(String(r.report)) as { pools: (ViewPool & Record<string, unknown>)[] };
      return {
        period: String(r.period),
        settlementRun: String(r.id),
        groupingRun: String(r.grouping_run_id),
        status: r.status as 'draft' | 'final',
        policyHash: String(r.policy_hash),
        pools: pools.map((p) => ({ pool: p.pool, fund: p.fund, nonFund: p.nonFund, points: p.points, pointValue: p.pointValue })),
      };
    });
  }

  /** The ids of the same runs, in the same order: whether they are still the current ones. */
  async monthRunIds(region: string, fromMonth: string, toMonth: string): Promise<string[]> {
    const { rows } = await this.db.execute(
      `SELECT id FROM settlement_run WHERE region_code = ? AND kind = 'month' AND period >= ? AND period <= ? ORDER BY period`,
      [region, fromMonth, toMonth],
    );
    return rows.map((r) => String(r.id));
  }

  /** The hospital rows of settlement runs, every hospital of their region (period by run id). */
  async settled(runs: readonly { settlementRun: string; period: string }[]): Promise<SettledHospital[]> {
    if (runs.length === 0) return [];
    const periodOf = new Map(runs.map((r) => [r.settlementRun, r.period]));
    const { rows } = await this.db.execute(
      `SELECT run_id, pool, hospital_code, cases, points, entitlement, amount FROM settlement_hospital WHERE run_id IN (${marks(runs.length)})`,
      runs.map((r) => r.settlementRun),
    );
    return rows.map((r) => ({
      period: periodOf.get(String(r.run_id))!,
      pool: r.pool as Pool,
      hospitalCode: String(r.hospital_code),
      cases: Number(r.cases),
      points: String(r.points),
      entitlement: String(r.entitlement),
      prepay: String(r.amount),
    }));
  }

  /** The case results of grouping runs counted by outlier class and score, of one hospital or (undefined) all. */
  async tallies(groupingRuns: readonly string[], hospital?: string): Promise<ResultTally[]> {
    if (groupingRuns.length === 0) return [];
    const { rows } = await this.db.execute(
      `SELECT outlier, score, COUNT(*) AS n FROM case_result WHERE run_id IN (${marks(groupingRuns.length)})${
        hospital === undefined ? '' : ' AND hospital_code = ?'
      } GROUP BY outlier, score`,
      hospital === undefined ? [...groupingRuns] : [...groupingRuns, hospital],
    );
    return rows.map(tallyOf);
  }

  /** tallies() of every hospital of the runs at once, by hospital code. */
  async talliesByHospital(groupingRuns: readonly string[]): Promise<Map<string, ResultTally[]>> {
    const out = new Map<string, ResultTally[]>();
    if (groupingRuns.length === 0) return out;
    const { rows } = await this.db.execute(
      `SELECT hospital_code, outlier, score, COUNT(*) AS n FROM case_result WHERE run_id IN (${marks(groupingRuns.length)}) GROUP BY hospital_code, outlier, score`,
      [...groupingRuns],
    );
    for (const r of rows) {
      const code = String(r.hospital_code);
      if (!out.has(code)) out.set(code, []);
      out.get(code)!.push(tallyOf(r));
    }
    return out;
  }

  /**
   * A hospital's cases in one grouping run: the run's result (group, score, points) and the stored
   * case's pool, cost, fund payment and department. A month of one hospital at a time.
   */
  async cases(region: string, groupingRun: string, hospital: string): Promise<ViewCase[]> {
    const { rows } = await this.db.execute(
      `SELECT r.case_id, r.group_code, r.group_key, r.kind, r.score, r.points, c.pool, c.total_cost, c.fund_payment, c.department
       FROM case_result r LEFT JOIN dip_case c ON c.region_code = ? AND c.case_id = r.case_id
       WHERE r.run_id = ? AND r.hospital_code = ?`,
      [region, groupingRun, hospital],
    );
    return rows.map((r) => {
      if (r.pool === null || r.pool === undefined)
        throw conflict(
          'stale-settlement',
          `case ${String(r.case_id)} of grouping run ${groupingRun} is no longer stored; run the settlement again`,
        );
      return {
        caseId: String(r.case_id),
        pool: r.pool as Pool,
        group: r.group_code === null ? null : String(r.group_code),
        key: r.group_key === null ? null : String(r.group_key),
        kind: r.kind === null ? null : String(r.kind),
        score: r.score === null ? null : String(r.score),
        points: String(r.points),
        totalCost: String(r.total_cost),
        fundPayment: String(r.fund_payment),
        department: r.department === null ? null : String(r.department),
      };
    });
  }
}

/** A row of `outlier, score, COUNT(*) AS n` as a tally. */
const tallyOf = (r: Record<string, unknown>): ResultTally => ({
  outlier: String(r.outlier),
  score: r.score === null ? null : String(r.score),
  cases: Number(r.n),
});
