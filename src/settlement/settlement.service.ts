import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { auditStatement } from '../audit/audit';
import { PoliciesService } from '../catalog/policies.service';
import { Policy } from '../domain/policy';
import { AnnualPool, annualPool, HospitalTotals, HospitalYearRecords, monthlyPool, MonthlyPool, Pool, poolBudget, SettlementError, yearEndReserve } from '../domain/settlement/settlement';
import { BudgetLine } from '../domain/policy';
import { scaledText } from '../domain/engine/exact';
import { GroupingRun, GroupingService } from '../grouping/grouping.service';
import { JobInputError, JobProgress } from '../jobs/jobs.service';
import { DatabaseService, fromSqlDatetime, Statement, StatementResult } from '../persistence/database.service';

export type SettlementKind = 'month' | 'year';
export type SettlementStatus = 'draft' | 'final';

/** The report of a run (docs/settlement-report.md). Decimals are strings. */
export interface SettlementReport {
  run: {
    id: string;
    region: string;
    period: string;
    kind: SettlementKind;
    catalog: string;
    policyHash: string;
    groupingRun: string;
    status: SettlementStatus;
    createdBy: string;
    createdAt: string;
    finalisedAt: string | null;
    /** Annual runs: the finalised months whose pre-settlement counts as paid. */
    monthsPrepaid?: string[];
  };
  pools: (MonthlyPool | AnnualPool)[];
}

const POOLS: readonly Pool[] = ['employee', 'resident'];
/** A lock whose run has not beaten for this long belongs to a run that died. */
const LOCK_STALE_MS = 120_000;
const HEARTBEAT_MS = 5_000;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const YEAR = /^\d{4}$/;

const isDuplicate = (err: unknown): boolean => /UNIQUE|Duplicate entry|PRIMARY KEY/i.test(String((err as Error)?.message));

/**
 * Settlement runs (spec §8.3; §8.4 next): group and score the period's cases through the worker
 * pool (a grouping run), add them up per pool and hospital, apply the domain's settlement maths,
 * and store the result as the period's one current run. A run of a period holds a lock row, so a
 * second one at the same time is refused (409); a run whose heartbeat stopped (the process died)
 * loses its lock to the next one. Nothing of a run is visible until its one final transaction,
 * which replaces the period's draft; a finalised period refuses re-runs (409).
 */
@Injectable()
export class SettlementService {
  constructor(
    private readonly db: DatabaseService,
    private readonly grouping: GroupingService,
    private readonly policies: PoliciesService,
  ) {}

  /**
   * Checks that the period may be run and takes its lock; returns the new run's id. Throws 409
   * for a finalised period or one being run now, 400-style JobInputError for a bad period.
   */
  async claim(region: string, kind: SettlementKind, period: string): Promise<string> {
    if (kind === 'month' ? !MONTH.test(period) : !YEAR.test(period)) throw new JobInputError('bad-period', `a ${kind} settlement period is ${kind === 'month' ? 'a month like 2024-03' : 'a year like 2024'}; got ${period}`);
    await this.refuseFinalised(region, kind, period);
    const id = randomUUID();
    const now = new Date();
    try {
      await this.db.execute('INSERT INTO settlement_lock (region_code, kind, period, run_id, heartbeat_at) VALUES (?, ?, ?, ?, ?)', [region, kind, period, id, now]);
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      const taken = await this.db.execute('UPDATE settlement_lock SET run_id = ?, heartbeat_at = ? WHERE region_code = ? AND kind = ? AND period = ? AND heartbeat_at < ?', [id, now, region, kind, period, new Date(Date.now() - LOCK_STALE_MS)]);
      if (taken.affected !== 1) throw new ConflictException({ error: 'run-in-progress', message: `a ${kind} settlement of ${region} ${period} is running now; wait for it to finish` });
    }
    return id;
  }

  private async refuseFinalised(region: string, kind: SettlementKind, period: string): Promise<void> {
    const final = (await this.db.execute(`SELECT id FROM settlement_run WHERE region_code = ? AND kind = ? AND period = ? AND status = 'final'`, [region, kind, period])).rows[0];
    if (final) throw new ConflictException({ error: 'finalised', message: `the ${kind} settlement of ${region} ${period} is finalised (run ${String(final.id)}); corrections go to the annual settlement` });
  }

  /** Runs a claimed monthly settlement to the end and releases the lock, whatever happens. */
  async runMonth(id: string, region: string, period: string, actor: string, progress?: JobProgress): Promise<SettlementReport> {
    const beat = this.heartbeat(id, region, 'month', period, progress);
    try {
      const year = Number(period.slice(0, 4));
      const { policy, hash: policyHash } = await this.policies.resolve(region, year, actor);
      const { grouped, totals } = await this.groupAndTotal(region, period, period, actor, beat);
      await beat.stage('settling', grouped.cases);
      const pools = monthlyPools(policy, totals);
      const at = new Date();
      const run = { id, region, period, kind: 'month' as const, catalog: grouped.catalogueId, policyHash, groupingRun: grouped.id, status: 'draft' as const, createdBy: actor, createdAt: at.toISOString(), finalisedAt: null };
      await this.store({ run, pools }, at);
      return this.report(id);
    } finally {
      await this.release(id, region, 'month', period);
    }
  }

  /**
   * Runs a claimed annual settlement (spec §8.4) to the end and releases the lock: the year's
   * cases grouped, the reserve split from the recorded budget actuals, the year fund, and per
   * hospital the recorded assessment, violations and revolving fund and the pre-settlement of the
   * year's finalised months. Special-case decisions (spec §9) are not built yet: none apply.
   */
  async runYear(id: string, region: string, period: string, actor: string, progress?: JobProgress): Promise<SettlementReport> {
    const beat = this.heartbeat(id, region, 'year', period, progress);
    try {
      const year = Number(period);
      const { policy, hash: policyHash } = await this.policies.resolve(region, year, actor);
      const { grouped, totals } = await this.groupAndTotal(region, `${period}-01`, `${period}-12`, actor, beat);
      await beat.stage('settling', grouped.cases);
      const records = await this.yearRecords(region, year);
      const pools: AnnualPool[] = [];
      for (const pool of POOLS) {
        const b = policy.budget[pool];
        const codes = new Set([...(totals.get(pool) ?? []).map((h) => h.hospitalCode), ...records.hospitalsOf(pool)]);
        if (!b) {
          if (codes.size > 0) throw new JobInputError('no-budget', `the ${region}/${year} policy has no ${pool} budget, but the year has ${pool} cases or records`);
          continue;
        }
        // Hospitals with records but no case this year still clear what they were paid.
        const byCode = new Map((totals.get(pool) ?? []).map((h) => [h.hospitalCode, h]));
        const hospitals = [...codes].sort().map((code) => byCode.get(code) ?? { hospitalCode: code, cases: 0, points: '0.0000', nonFund: '0.00', bookkeeping: '0.00' });
        try {
          const budget = poolBudget(pool, b);
          pools.push(annualPool(pool, budget, yearEndReserve(budget, records.actuals(pool), policy.settlement.reserveSplit), hospitals, (code) => records.of(pool, code), policy.settlement));
        } catch (err) {
          if (err instanceof SettlementError) throw new JobInputError('bad-budget', err.message);
          throw err;
        }
      }
      const at = new Date();
      const run = { id, region, period, kind: 'year' as const, catalog: grouped.catalogueId, policyHash, groupingRun: grouped.id, status: 'draft' as const, createdBy: actor, createdAt: at.toISOString(), finalisedAt: null, monthsPrepaid: records.months };
      await this.store({ run, pools }, at);
      return this.report(id);
    } finally {
      await this.release(id, region, 'year', period);
    }
  }

  private async release(id: string, region: string, kind: SettlementKind, period: string): Promise<void> {
    await this.db.execute('DELETE FROM settlement_lock WHERE region_code = ? AND kind = ? AND period = ? AND run_id = ?', [region, kind, period, id]);
  }

  /** The agency's records of a region's year, summed exactly per pool and hospital. */
  private async yearRecords(region: string, year: number) {
    const fen = (v: unknown) => BigInt(String(v).replace('.', ''));
    const text = (n: bigint) => scaledText(n, 2);
    const inRegion = 'JOIN hospital h ON h.code = x.hospital_code AND h.region_code = ?';
    const scores = new Map((await this.db.execute(`SELECT x.hospital_code, x.score FROM assessment x ${inRegion} WHERE x.year = ?`, [region, year])).rows.map((r) => [String(r.hospital_code), String(r.score)]));
    const sums = (rows: Record<string, unknown>[]) => {
      const m = new Map<string, bigint>();
      for (const r of rows) m.set(`${r.pool}/${r.hospital_code}`, (m.get(`${r.pool}/${r.hospital_code}`) ?? 0n) + fen(r.amount));
      return m;
    };
    const violations = sums((await this.db.execute(`SELECT x.pool, x.hospital_code, x.amount FROM violation_deduction x ${inRegion} WHERE x.year = ?`, [region, year])).rows);
    const revolving = sums((await this.db.execute(`SELECT x.pool, x.hospital_code, x.amount FROM revolving_fund x ${inRegion} WHERE x.year = ?`, [region, year])).rows);
    const finalMonths = (await this.db.execute(`SELECT id, period FROM settlement_run WHERE region_code = ? AND kind = 'month' AND period LIKE ? AND status = 'final' ORDER BY period`, [region, `${year}-%`])).rows;
    const prepaid = sums(
      finalMonths.length === 0 ? [] : (await this.db.execute(`SELECT pool, hospital_code, amount FROM settlement_hospital WHERE run_id IN (${finalMonths.map(() => '?').join(',')})`, finalMonths.map((r) => String(r.id)))).rows,
    );
    const actualRows = (await this.db.execute('SELECT pool, line, amount FROM budget_actual WHERE region_code = ? AND year = ?', [region, year])).rows;
    return {
      months: finalMonths.map((r) => String(r.period)),
      hospitalsOf: (pool: Pool): string[] => [...new Set([...violations.keys(), ...revolving.keys(), ...prepaid.keys()].filter((k) => k.startsWith(`${pool}/`)).map((k) => k.slice(pool.length + 1)))],
      actuals: (pool: Pool): Partial<Record<BudgetLine, string>> => Object.fromEntries(actualRows.filter((r) => r.pool === pool).map((r) => [String(r.line), String(r.amount)])),
      of: (pool: Pool, code: string): HospitalYearRecords => ({
        assessmentScore: scores.get(code) ?? '1',
        violations: text(violations.get(`${pool}/${code}`) ?? 0n),
        prepaid: text(prepaid.get(`${pool}/${code}`) ?? 0n),
        revolvingFund: text(revolving.get(`${pool}/${code}`) ?? 0n),
      }),
    };
  }

  /** Progress that also keeps the run's lock alive. */
  private heartbeat(id: string, region: string, kind: SettlementKind, period: string, progress?: JobProgress): JobProgress {
    let last = Date.now();
    const touch = async () => {
      if (Date.now() - last < HEARTBEAT_MS) return;
      last = Date.now();
      const r = await this.db.execute('UPDATE settlement_lock SET heartbeat_at = ? WHERE region_code = ? AND kind = ? AND period = ? AND run_id = ?', [new Date(), region, kind, period, id]);
      if (r.affected !== 1) throw new JobInputError('lock-lost', `run ${id} lost the lock of ${region} ${period} (it stalled for over ${LOCK_STALE_MS / 1000} s and another run took over)`);
    };
    return {
      stage: async (name, total) => {
        await touch();
        await progress?.stage(name, total);
      },
      advance: async (done) => {
        await touch();
        await progress?.advance(done);
      },
    };
  }

  /**
   * Groups and scores the period's cases (a grouping run) and adds them up per pool and hospital
   * as they come back: points (exact, 1/10,000), non-fund payments and fund payments (fen), from
   * the same read of the cases as the grouping, so that the two cannot disagree.
   */
  private async groupAndTotal(region: string, from: string, to: string, actor: string, progress: JobProgress): Promise<{ grouped: GroupingRun; totals: Map<Pool, HospitalTotals[]> }> {
    const sums = new Map<string, { pool: Pool; code: string; cases: number; points: bigint; nonFund: bigint; fund: bigint }>();
    const fen = (v: unknown) => BigInt(String(v).replace('.', ''));
    const grouped = await this.grouping.run(region, from, to, actor, progress, undefined, {
      columns: ['pool', 'fund_payment'],
      each: (row, result) => {
        const key = `${row.pool}\u0000${result.hospitalCode}`;
        let s = sums.get(key);
        if (!s) sums.set(key, (s = { pool: row.pool as Pool, code: result.hospitalCode, cases: 0, points: 0n, nonFund: 0n, fund: 0n }));
        const fund = fen(row.fund_payment);
        s.cases++;
        s.points += BigInt(result.points.replace('.', ''));
        s.nonFund += fen(row.total_cost) - fund;
        s.fund += fund;
      },
    });
    const totals = new Map<Pool, HospitalTotals[]>(POOLS.map((p) => [p, []]));
    for (const s of [...sums.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))) {
      totals.get(s.pool)!.push({ hospitalCode: s.code, cases: s.cases, points: scaledText(s.points, 4), nonFund: scaledText(s.nonFund, 2), bookkeeping: scaledText(s.fund, 2) });
    }
    return { grouped, totals };
  }

  /** Replaces the period's draft with this run, in one transaction (audited). */
  private async store(report: Omit<SettlementReport, 'run'> & { run: SettlementReport['run'] }, at: Date): Promise<void> {
    const { run, pools } = report;
    await this.db.transaction(function* (): Generator<Statement, void, StatementResult> {
      const before = (yield { sql: 'SELECT id, status FROM settlement_run WHERE region_code = ? AND kind = ? AND period = ?', params: [run.region, run.kind, run.period] }).rows[0];
      // Checked again inside the transaction: a finalise may have landed while this run worked.
      if (before?.status === 'final') throw new ConflictException({ error: 'finalised', message: `the ${run.kind} settlement of ${run.region} ${run.period} was finalised while this run worked; nothing stored` });
      if (before) {
        yield { sql: 'DELETE FROM settlement_hospital WHERE run_id = ?', params: [before.id as string] };
        yield { sql: 'DELETE FROM settlement_run WHERE id = ?', params: [before.id as string] };
      }
      yield {
        sql: 'INSERT INTO settlement_run (id, region_code, kind, period, catalogue_id, policy_hash, grouping_run_id, status, report, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        params: [run.id, run.region, run.kind, run.period, run.catalog, run.policyHash, run.groupingRun, 'draft', JSON.stringify({ pools, monthsPrepaid: run.monthsPrepaid }), run.createdBy, at],
      };
      for (const p of pools)
        for (const h of p.hospitals)
          yield { sql: 'INSERT INTO settlement_hospital (run_id, pool, hospital_code, cases, points, non_fund, bookkeeping, entitlement, amount) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', params: [run.id, p.pool, h.hospitalCode, h.cases, h.points, h.nonFund, h.bookkeeping, h.entitlement, 'prepay' in h ? h.prepay : h.balance] };
      yield auditStatement({ at, actor: run.createdBy, action: `settlement.${run.kind}.run`, entity: 'settlement', entityId: `${run.region}/${run.kind}/${run.period}`, before: before ? { runId: before.id } : null, after: { runId: run.id, groupingRun: run.groupingRun, pools: pools.map((p) => ({ pool: p.pool, fund: p.fund, pointValue: p.pointValue })) } });
    });
  }

  /** A stored run's report, with its current status. */
  async report(id: string): Promise<SettlementReport> {
    const r = (await this.db.execute('SELECT * FROM settlement_run WHERE id = ?', [id])).rows[0];
    if (!r) throw new NotFoundException({ error: 'unknown-settlement', message: `no settlement run ${id}` });
    const { pools, monthsPrepaid } = JSON.parse(String(r.report)) as { pools: SettlementReport['pools']; monthsPrepaid?: string[] };
    return {
      run: {
        id,
        region: String(r.region_code),
        period: String(r.period),
        kind: r.kind as SettlementKind,
        catalog: String(r.catalogue_id),
        policyHash: String(r.policy_hash),
        groupingRun: String(r.grouping_run_id),
        status: r.status as SettlementStatus,
        createdBy: String(r.created_by),
        createdAt: fromSqlDatetime(r.created_at),
        finalisedAt: r.finalised_at === null ? null : fromSqlDatetime(r.finalised_at),
        ...(monthsPrepaid ? { monthsPrepaid } : {}),
      },
      pools,
    };
  }

  /** Whether a stored run exists (a running or failed one is only a job). */
  async exists(id: string): Promise<boolean> {
    return (await this.db.execute('SELECT id FROM settlement_run WHERE id = ?', [id])).rows.length > 0;
  }

  /** Freezes a run's period: re-runs are refused from now on (audited). */
  async finalise(id: string, actor: string): Promise<SettlementReport> {
    await this.report(id);
    await this.db.transaction(function* (): Generator<Statement, void, StatementResult> {
      const at = new Date();
      const done = yield { sql: `UPDATE settlement_run SET status = 'final', finalised_by = ?, finalised_at = ? WHERE id = ? AND status = 'draft'`, params: [actor, at, id] };
      if (done.affected !== 1) throw new ConflictException({ error: 'finalised', message: `settlement run ${id} is already finalised` });
      yield auditStatement({ at, actor, action: 'settlement.finalise', entity: 'settlement', entityId: id, before: { status: 'draft' }, after: { status: 'final' } });
    });
    return this.report(id);
  }
}

/** Spec §8.3 for every pool that has cases or a budget; a pool with cases but no budget is an input error. */
function monthlyPools(policy: Policy, totals: Map<Pool, HospitalTotals[]>): MonthlyPool[] {
  const out: MonthlyPool[] = [];
  for (const pool of POOLS) {
    const hospitals = totals.get(pool) ?? [];
    const b = policy.budget[pool];
    if (!b) {
      if (hospitals.length > 0) throw new JobInputError('no-budget', `the ${policy.region}/${policy.year} policy has no ${pool} budget, but the period has ${pool} cases`);
      continue;
    }
    try {
      out.push(monthlyPool(pool, poolBudget(pool, b).dipBudget, hospitals, policy.settlement));
    } catch (err) {
      if (err instanceof SettlementError) throw new JobInputError('bad-budget', err.message);
      throw err;
    }
  }
  return out;
}
