import type { DipBudgetSource } from '../domain/schemes/zibo-budget';
import { Injectable } from '@nestjs/common';
import { auditStatement } from '../audit/audit.store';
import { Pool } from '../domain/case-record';
import { conflict, notFound } from '../domain/errors';
import { BudgetLine } from '../domain/policy';
import { YearRecords } from '../domain/settlement/pools';
import { AnnualPool, MonthlyPool } from '../domain/settlement/settlement';
import { ORPHANED } from '../liveness/liveness.store';
import { DatabaseService, fromSqlDatetime, Statement, StatementResult } from '../persistence/database.service';

export type SettlementKind = 'month' | 'year';
export type SettlementStatus = 'draft' | 'final';

/** A stored run as a listing shows it: its pools' own figures, no hospital rows. */
export interface RunListing {
  id: string;
  kind: SettlementKind;
  period: string;
  status: SettlementStatus;
  catalogueId: string;
  groupingRun: string;
  createdAt: string;
  finalisedAt: string | null;
  pools: Omit<ReportPool, 'hospitals'>[];
}

/** What an annual run applied of the year's special-case decisions. */
export interface RunSpecialCases {
  revision: number;
  applied: number;
  /** Approved cases this run did not value (moved out of the year since): not applied. */
  notInRun: string[];
}

/** The report of a run (docs/settlement-report.md). Decimals are strings. */
export interface SettlementReport {
  run: {
    id: string;
    region: string;
    period: string;
    kind: SettlementKind;
    catalogueId: string;
    policyHash: string;
    groupingRun: string;
    status: SettlementStatus;
    createdBy: string;
    createdAt: string;
    finalisedAt: string | null;
    /** Annual runs: the finalised months whose pre-settlement counts as paid. */
    monthsPrepaid?: string[];
    /** Annual runs: the approved special cases applied (spec §9), and the revision of that set the finalise compares. */
    specialCases?: RunSpecialCases;
    /** The pools whose budget (and, in an annual run, line actuals) came from the year's final zibo-budget run. */
    budgetFrom?: DipBudgetSource;
  };
  pools: ReportPool[];
}

/**
 * A hospital row of a report: the domain's figures, with the hospital's registered name beside
 * its code. The name is read with the report (`SettlementStore.report`, the current name; null
 * for a code no longer registered); a draft being stored has none.
 */
export type ReportHospital<H> = H & { hospitalName?: string | null };
type NamedPool<P extends MonthlyPool | AnnualPool> = Omit<P, 'hospitals'> & { hospitals: ReportHospital<P['hospitals'][number]>[] };
/** A pool of a report: the domain's monthly or annual pool, its hospital rows named. */
export type ReportPool = NamedPool<MonthlyPool> | NamedPool<AnnualPool>;

/** A period's lock as the agency sees it: its run, and the process holding it (null: none registered, i.e. gone). */
export interface SettlementLock extends PeriodKey {
  runId: string;
  heartbeatAt: string;
  holder: { processId: string | null; host: string | null; pid: number | null; lastBeat: string | null };
}

/** A draft that a later run of its period replaced. */
export interface ReplacedRun {
  id: string;
  region: string;
  replacedBy: string;
  replacedAt: string;
  replacedByActor: string;
}

function lockOfRow(r: Record<string, unknown>): SettlementLock {
  const registered = r.host !== null && r.host !== undefined;
  return {
    region: String(r.region_code),
    kind: r.kind as SettlementKind,
    period: String(r.period),
    runId: String(r.run_id),
    heartbeatAt: fromSqlDatetime(r.heartbeat_at),
    holder: {
      processId: r.owner === null ? null : String(r.owner),
      host: registered ? String(r.host) : null,
      pid: registered ? Number(r.pid) : null,
      lastBeat: registered ? fromSqlDatetime(r.owner_beat) : null,
    },
  };
}

/** A settlement period: which run may work on it (`settlement_lock`). */
export interface PeriodKey {
  region: string;
  kind: SettlementKind;
  period: string;
}

const isDuplicate = (err: unknown): boolean => /UNIQUE|Duplicate entry|PRIMARY KEY/i.test(String((err as Error)?.message));

/** Settlement runs (`settlement_run`, `settlement_hospital`), their period locks, and the agency's records of a year. */
@Injectable()
export class SettlementStore {
  constructor(private readonly db: DatabaseService) {}

  /** The id of the period's finalised run, if it has one. */
  async finalRun(p: PeriodKey): Promise<string | null> {
    const r = (
      await this.db.execute(`SELECT id FROM settlement_run WHERE region_code = ? AND kind = ? AND period = ? AND status = 'final'`, [
        p.region,
        p.kind,
        p.period,
      ])
    ).rows[0];
    return r ? String(r.id) : null;
  }

  /**
   * Takes the period's lock for run `id` of process `owner`: free, or held by a run whose process
   * is gone (liveness/), which is taken over. False: a run of a live process holds it.
   */
  async lock(p: PeriodKey, id: string, owner: string): Promise<boolean> {
    const now = new Date();
    try {
      await this.db.execute(
        'INSERT INTO settlement_lock (region_code, kind, period, run_id, owner, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)',
        [p.region, p.kind, p.period, id, owner, now],
      );
      return true;
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      const taken = await this.db.execute(
        `UPDATE settlement_lock SET run_id = ?, owner = ?, heartbeat_at = ? WHERE region_code = ? AND kind = ? AND period = ? AND ${ORPHANED}`,
        [id, owner, now, p.region, p.kind, p.period],
      );
      return taken.affected === 1;
    }
  }

  /** Frees the locks of runs whose process is gone (a reaper of liveness/). */
  async dropOrphanedLocks(): Promise<void> {
    await this.db.execute(`DELETE FROM settlement_lock WHERE ${ORPHANED}`);
  }

  /** The periods being run now, with their run, its process and its last beat. */
  async locks(): Promise<SettlementLock[]> {
    const { rows } = await this.db.execute(
      `SELECT l.region_code, l.kind, l.period, l.run_id, l.owner, l.heartbeat_at, p.host, p.pid, p.heartbeat_at AS owner_beat
       FROM settlement_lock l LEFT JOIN dip_process p ON p.id = l.owner ORDER BY l.region_code, l.kind, l.period`,
    );
    return rows.map(lockOfRow);
  }

  /**
   * The agency frees a period's lock by hand (audited): its run, if it still works, finds the lock
   * gone at its next beat or its final transaction and stores nothing. The lock as it was, or null.
   */
  releaseLock(p: PeriodKey, actor: string): Promise<SettlementLock | null> {
    const forUpdate = this.db.engine === 'mysql' ? ' FOR UPDATE' : '';
    return this.db.transaction(function* (): Generator<Statement, SettlementLock | null, StatementResult> {
      const row = (yield {
        sql: `SELECT l.region_code, l.kind, l.period, l.run_id, l.owner, l.heartbeat_at, p.host, p.pid, p.heartbeat_at AS owner_beat
              FROM settlement_lock l LEFT JOIN dip_process p ON p.id = l.owner
              WHERE l.region_code = ? AND l.kind = ? AND l.period = ?${forUpdate}`,
        params: [p.region, p.kind, p.period],
      }).rows[0];
      if (!row) return null;
      const lock = lockOfRow(row);
      yield {
        sql: 'DELETE FROM settlement_lock WHERE region_code = ? AND kind = ? AND period = ? AND run_id = ?',
        params: [p.region, p.kind, p.period, lock.runId],
      };
      yield auditStatement({
        at: new Date(),
        actor,
        action: 'settlement.lock.release',
        entity: 'settlement',
        entityId: `${p.region}/${p.kind}/${p.period}`,
        before: { runId: lock.runId, holder: lock.holder },
        after: null,
      });
      return lock;
    });
  }

  /** What replaced a draft run, if one did. */
  async replaced(id: string): Promise<ReplacedRun | null> {
    const r = (await this.db.execute('SELECT * FROM settlement_replaced WHERE run_id = ?', [id])).rows[0];
    return r
      ? {
          id,
          region: String(r.region_code),
          replacedBy: String(r.replaced_by),
          replacedAt: fromSqlDatetime(r.replaced_at),
          replacedByActor: String(r.replaced_by_actor),
        }
      : null;
  }

  /** The grouping runs of replaced drafts not yet deleted (by runId). */
  async unpruned(): Promise<{ runId: string; groupingRunId: string }[]> {
    const { rows } = await this.db.execute('SELECT run_id, grouping_run_id FROM settlement_replaced WHERE pruned = ?', [false]);
    return rows.map((r) => ({ runId: String(r.run_id), groupingRunId: String(r.grouping_run_id) }));
  }

  async markPruned(runId: string): Promise<void> {
    await this.db.execute('UPDATE settlement_replaced SET pruned = ? WHERE run_id = ?', [true, runId]);
  }

  /** Keeps the lock alive; false when run `id` no longer holds it. */
  async beat(p: PeriodKey, id: string): Promise<boolean> {
    return (
      (
        await this.db.execute(
          'UPDATE settlement_lock SET heartbeat_at = ? WHERE region_code = ? AND kind = ? AND period = ? AND run_id = ?',
          [new Date(), p.region, p.kind, p.period, id],
        )
      ).affected === 1
    );
  }

  async unlock(p: PeriodKey, id: string): Promise<void> {
    await this.db.execute('DELETE FROM settlement_lock WHERE region_code = ? AND kind = ? AND period = ? AND run_id = ?', [
      p.region,
      p.kind,
      p.period,
      id,
    ]);
  }

  /**
   * Stores a run as its period's draft, replacing the previous draft, in one transaction
   * (audited; the replaced run is remembered in `settlement_replaced`). Refused when the run no
   * longer holds the period's lock (released by the agency, or taken for dead).
   */
  async replaceDraft(report: SettlementReport, at: Date): Promise<void> {
    const { run, pools } = report;
    // A locking read on MySQL: a plain read sees the transaction's snapshot, so a finalise
    // committed meanwhile would go unseen and its run be deleted. SQLite's transaction is
    // BEGIN IMMEDIATE: no other writer can commit in between.
    const forUpdate = this.db.engine === 'mysql' ? ' FOR UPDATE' : '';
    await this.db.transaction(function* (): Generator<Statement, void, StatementResult> {
      const lock = (yield {
        sql: `SELECT run_id FROM settlement_lock WHERE region_code = ? AND kind = ? AND period = ?${forUpdate}`,
        params: [run.region, run.kind, run.period],
      }).rows[0];
      if (lock?.run_id !== run.id)
        throw conflict(
          'lock-lost',
          `run ${run.id} no longer holds the lock of ${run.region} ${run.kind} ${run.period} (released, or its process taken for dead); nothing stored`,
        );
      const before = (yield {
        sql: `SELECT id, status, grouping_run_id FROM settlement_run WHERE region_code = ? AND kind = ? AND period = ?${forUpdate}`,
        params: [run.region, run.kind, run.period],
      }).rows[0];
      // Checked again inside the transaction: a finalise may have landed while this run worked.
      if (before?.status === 'final')
        throw conflict(
          'finalised',
          `the ${run.kind} settlement of ${run.region} ${run.period} was finalised while this run worked; nothing stored`,
        );
      if (before) {
        yield { sql: 'DELETE FROM settlement_hospital WHERE run_id = ?', params: [before.id as string] };
        yield { sql: 'DELETE FROM settlement_run WHERE id = ?', params: [before.id as string] };
        yield {
          sql: 'INSERT INTO settlement_replaced (run_id, region_code, kind, period, grouping_run_id, replaced_by, replaced_by_actor, replaced_at, pruned) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          params: [
            before.id as string,
            run.region,
            run.kind,
            run.period,
            before.grouping_run_id as string,
            run.id,
            run.createdBy.slice(0, 100),
            at,
            false,
          ],
        };
      }
      yield {
        sql: 'INSERT INTO settlement_run (id, region_code, kind, period, catalogue_id, policy_hash, grouping_run_id, status, report, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        params: [
          run.id,
          run.region,
          run.kind,
          run.period,
          run.catalogueId,
          run.policyHash,
          run.groupingRun,
          'draft',
          JSON.stringify({ pools, monthsPrepaid: run.monthsPrepaid, specialCases: run.specialCases, budgetFrom: run.budgetFrom }),
          run.createdBy,
          at,
        ],
      };
      for (const p of pools)
        for (const h of p.hospitals)
          yield {
            sql: 'INSERT INTO settlement_hospital (run_id, pool, hospital_code, cases, points, non_fund, bookkeeping, entitlement, amount) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
            params: [
              run.id,
              p.pool,
              h.hospitalCode,
              h.cases,
              h.points,
              h.nonFund,
              h.bookkeeping,
              h.entitlement,
              'prepay' in h ? h.prepay : h.balance,
            ],
          };
      yield auditStatement({
        at,
        actor: run.createdBy,
        action: `settlement.${run.kind}.run`,
        entity: 'settlement',
        entityId: `${run.region}/${run.kind}/${run.period}`,
        before: before ? { runId: before.id } : null,
        after: {
          runId: run.id,
          groupingRun: run.groupingRun,
          pools: pools.map((p) => ({ pool: p.pool, fund: p.fund, pointValue: p.pointValue })),
        },
      });
    });
  }

  /** A stored run's report, with its current status. */
  async report(id: string): Promise<SettlementReport> {
    const r = (await this.db.execute('SELECT * FROM settlement_run WHERE id = ?', [id])).rows[0];
    if (!r) {
      const replaced = await this.replaced(id);
      if (replaced)
        throw notFound(
          'replaced',
          `settlement run ${id} is no longer stored: run ${replaced.replacedBy} replaced it at ${replaced.replacedAt}`,
        );
      throw notFound('unknown-settlement', `no settlement run ${id}`);
    }
    const { pools, monthsPrepaid, specialCases, budgetFrom } = JSON.parse(String(r.report)) as {
      pools: SettlementReport['pools'];
      monthsPrepaid?: string[];
      specialCases?: RunSpecialCases;
      budgetFrom?: DipBudgetSource;
    };
    // Names beside codes, as registered now (a run's hospitals are all of its region).
    const names = new Map(
      (await this.db.execute('SELECT code, name FROM hospital WHERE region_code = ?', [String(r.region_code)])).rows.map((h) => [
        String(h.code),
        String(h.name),
      ]),
    );
    const named = <H extends { hospitalCode: string }>({ hospitalCode, ...figures }: H) => ({
      hospitalCode,
      hospitalName: names.get(hospitalCode) ?? null,
      ...figures,
    });
    return {
      run: {
        id,
        region: String(r.region_code),
        period: String(r.period),
        kind: r.kind as SettlementKind,
        catalogueId: String(r.catalogue_id),
        policyHash: String(r.policy_hash),
        groupingRun: String(r.grouping_run_id),
        status: r.status as SettlementStatus,
        createdBy: String(r.created_by),
        createdAt: fromSqlDatetime(r.created_at),
        finalisedAt: r.finalised_at === null ? null : fromSqlDatetime(r.finalised_at),
        ...(monthsPrepaid ? { monthsPrepaid } : {}),
        ...(specialCases ? { specialCases } : {}),
        ...(budgetFrom ? { budgetFrom } : {}),
      },
      pools: pools.map((p) => ({ ...p, hospitals: (p.hospitals as ReportHospital<{ hospitalCode: string }>[]).map(named) }) as ReportPool),
    };
  }

  /**
   * The current run (draft or final) of each period of a region's year (by default the newest
   * year with a run), months then the year, with each pool's own figures (no hospital rows): what
   * a dashboard charts.
   */
  async list(region: string, year?: number): Promise<RunListing[]> {
    if (year === undefined) {
      const newest = (await this.db.execute('SELECT MAX(SUBSTR(period, 1, 4)) AS y FROM settlement_run WHERE region_code = ?', [region]))
        .rows[0]?.y;
      if (newest === null || newest === undefined) return [];
      year = Number(newest);
    }
    const { rows } = await this.db.execute(
      `SELECT id, kind, period, status, catalogue_id, grouping_run_id, created_at, finalised_at, report FROM settlement_run
       WHERE region_code = ? AND (period = ? OR period LIKE ?) ORDER BY kind, period`,
      [region, String(year), `${year}-%`],
    );
    return rows.map((r) => {
      const { pools } = JSON.parse(String(r.report)) as { pools: SettlementReport['pools'] };
      return {
        id: String(r.id),
        kind: r.kind as SettlementKind,
        period: String(r.period),
        status: r.status as SettlementStatus,
        catalogueId: String(r.catalogue_id),
        groupingRun: String(r.grouping_run_id),
        createdAt: fromSqlDatetime(r.created_at),
        finalisedAt: r.finalised_at === null ? null : fromSqlDatetime(r.finalised_at),
        pools: pools.map(({ hospitals: _hospitals, ...figures }) => figures),
      };
    });
  }

  /** Whether a stored run exists (a running or failed one is only a job). */
  async exists(id: string): Promise<boolean> {
    return (await this.db.execute('SELECT id FROM settlement_run WHERE id = ?', [id])).rows.length > 0;
  }

  /**
   * Freezes a draft run (audited); false when it is not a draft. `also` adds statements to the
   * same transaction (an annual run locks its year's special cases), and may refuse.
   */
  finalise(id: string, actor: string, also?: (at: Date) => Generator<Statement, void, StatementResult>): Promise<boolean> {
    return this.db.transaction(function* (): Generator<Statement, boolean, StatementResult> {
      const at = new Date();
      const done = yield {
        sql: `UPDATE settlement_run SET status = 'final', finalised_by = ?, finalised_at = ? WHERE id = ? AND status = 'draft'`,
        params: [actor, at, id],
      };
      if (done.affected !== 1) return false;
      if (also) yield* also(at);
      yield auditStatement({
        at,
        actor,
        action: 'settlement.finalise',
        entity: 'settlement',
        entityId: id,
        before: { status: 'draft' },
        after: { status: 'final' },
      });
      return true;
    });
  }

  /** The agency's records of a region's year and the year's finalised months, as stored. */
  async yearRecords(region: string, year: number): Promise<YearRecords & { months: string[] }> {
    const inRegion = 'JOIN hospital h ON h.code = x.hospital_code AND h.region_code = ?';
    const amounts = (rows: Record<string, unknown>[]) =>
      rows.map((r) => ({ pool: r.pool as Pool, hospitalCode: String(r.hospital_code), amount: String(r.amount) }));
    const assessments = (
      await this.db.execute(`SELECT x.hospital_code, x.score FROM assessment x ${inRegion} WHERE x.year = ?`, [region, year])
    ).rows.map((r) => ({ hospitalCode: String(r.hospital_code), score: String(r.score) }));
    const violations = amounts(
      (
        await this.db.execute(`SELECT x.pool, x.hospital_code, x.amount FROM violation_deduction x ${inRegion} WHERE x.year = ?`, [
          region,
          year,
        ])
      ).rows,
    );
    const revolvingFunds = amounts(
      (await this.db.execute(`SELECT x.pool, x.hospital_code, x.amount FROM revolving_fund x ${inRegion} WHERE x.year = ?`, [region, year]))
        .rows,
    );
    const finalMonths = (
      await this.db.execute(
        `SELECT id, period FROM settlement_run WHERE region_code = ? AND kind = 'month' AND period LIKE ? AND status = 'final' ORDER BY period`,
        [region, `${year}-%`],
      )
    ).rows;
    const prepaid =
      finalMonths.length === 0
        ? []
        : amounts(
            (
              await this.db.execute(
                `SELECT pool, hospital_code, amount FROM settlement_hospital WHERE run_id IN (${finalMonths.map(() => '?').join(',')})`,
                finalMonths.map((r) => String(r.id)),
              )
            ).rows,
          );
    const actuals = (
      await this.db.execute('SELECT pool, line, amount FROM budget_actual WHERE region_code = ? AND year = ?', [region, year])
    ).rows.map((r) => ({ pool: r.pool as Pool, line: r.line as BudgetLine, amount: String(r.amount) }));
    return { assessments, violations, revolvingFunds, prepaid, actuals, months: finalMonths.map((r) => String(r.period)) };
  }
}
