import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { badRequest, conflict, notFound } from '../domain/errors';
import { isMonth, isYear, yearOf } from '../domain/periods';
import { annualPools, hospitalTotalsByPool, monthlyPools } from '../domain/settlement/pools';
import { GroupingService } from '../grouping/grouping.service';
import { HospitalsService } from '../hospitals/hospitals.service';
import { JobProgress, JobsService, Started } from '../jobs/jobs.service';
import { PoliciesService } from '../policies/policies.service';
import { LivenessService } from '../liveness/liveness.service';
import { Statement, StatementResult } from '../persistence/database.service';
import { SpecialCasesService } from '../special-cases/special-cases.service';
import { dipYearWithBudgetTree } from '../domain/schemes/zibo-budget';
import { SchemesService } from '../schemes/schemes.service';
import { PeriodKey, ReplacedRun, RunListing, SettlementKind, SettlementLock, SettlementReport, SettlementStore } from './settlement.store';

export type { ReplacedRun, RunListing, SettlementKind, SettlementLock, SettlementReport, SettlementStatus } from './settlement.store';

const HEARTBEAT_MS = 5_000;

/**
 * Settlement runs (spec §8.3 monthly pre-settlement, §8.4 annual settlement and clearing): group
 * and score the period's cases through the worker pool (a grouping run, whose workers add them
 * up per pool and hospital), apply the domain's settlement maths, and store the result as the
 * period's one current draft. A run of a period holds a lock row, so a second one at the same
 * time is refused (409); a run whose process is gone (liveness/) loses its lock to the next one
 * at once, and the agency may release a lock by hand. Nothing of a run is visible until its one
 * final transaction, which replaces the period's draft (the replaced run's grouping results are
 * deleted afterwards); a finalised period refuses re-runs (409).
 */
@Injectable()
export class SettlementService {
  private readonly logger = new Logger(SettlementService.name);

  constructor(
    private readonly store: SettlementStore,
    private readonly grouping: GroupingService,
    private readonly policies: PoliciesService,
    private readonly hospitals: HospitalsService,
    private readonly jobs: JobsService,
    private readonly liveness: LivenessService,
    private readonly specialCases: SpecialCasesService,
    private readonly schemes: SchemesService,
  ) {}

  /**
   * Starts a settlement of a period as a job whose id is the run's: refused at once for a bad
   * period (400), a finalised period or one being run now (409). The run's report when done.
   */
  async start(
    region: string,
    kind: SettlementKind,
    period: string,
    actor: string,
    observer?: JobProgress,
  ): Promise<Started<SettlementReport>> {
    const key: PeriodKey = { region, kind, period };
    await this.hospitals.requireRegion(region);
    const id = await this.claim(key);
    try {
      // The job keeps a pointer to the stored report (GET /settlements/:id), not the report.
      const record = (r: SettlementReport) => ({ settlementId: r.run.id, status: r.run.status });
      return await this.jobs.start(`settlement.${kind}`, region, key, actor, (p) => this.run(id, key, actor, p), { id, observer, record });
    } catch (err) {
      await this.store.unlock(key, id);
      throw err;
    }
  }

  /** Checks that the period may be run and takes its lock; the new run's id. */
  private async claim(key: PeriodKey): Promise<string> {
    if (key.kind === 'month' ? !isMonth(key.period) : !isYear(key.period))
      throw badRequest(
        'bad-period',
        `a ${key.kind} settlement period is ${key.kind === 'month' ? 'a month like 2024-03' : 'a year like 2024'}; got ${key.period}`,
      );
    const final = await this.store.finalRun(key);
    if (final)
      throw conflict(
        'finalised',
        `the ${key.kind} settlement of ${key.region} ${key.period} is finalised (run ${final}); corrections go to the annual settlement`,
      );
    const id = randomUUID();
    await this.liveness.sweep(); // a lock whose process died is free now, not after a timeout
    if (!(await this.store.lock(key, id, this.liveness.processId)))
      throw conflict(
        'run-in-progress',
        `a ${key.kind} settlement of ${key.region} ${key.period} is running now; wait for it to finish (or release its lock if its process is stuck)`,
      );
    return id;
  }

  /**
   * Runs a claimed settlement to the end and releases the lock, whatever happens. The policy is
   * resolved once and passed down to the grouping run. A year: the reserve split from the
   * recorded budget actuals, the year fund, and per hospital the recorded assessment,
   * violations and revolving fund and the pre-settlement of the year's finalised months, and
   * the year's approved special cases.
   */
  private async run(id: string, key: PeriodKey, actor: string, progress: JobProgress): Promise<SettlementReport> {
    const beat = this.heartbeat(id, key, progress);
    try {
      const { region, kind, period } = key;
      const year = yearOf(period);
      const policy = await this.policies.resolve(region, year, actor);
      const [from, to] = kind === 'month' ? [period, period] : [`${period}-01`, `${period}-12`];
      const grouped = await this.grouping.run(region, from, to, actor, beat, { policy });
      await beat.stage('settling', grouped.run.cases);
      // A year: its approved special cases replace their cases' points (spec §6.7, §9).
      const special = kind === 'year' ? await this.specialCases.approvedForRun(region, year, grouped.run.id) : null;
      const totals = hospitalTotalsByPool(grouped.totals.hospitals, special?.applied);
      const stored = kind === 'year' ? await this.store.yearRecords(region, year) : null;
      // The year's final zibo-budget run, when there is one, gives the pools' budgets and line actuals (SCHEMES.md §E).
      const tree = await this.schemes.finalOutcome('zibo-budget', region, year);
      const budgeted = tree ? dipYearWithBudgetTree(policy.policy, stored?.actuals ?? [], tree.outcome) : null;
      const rules = budgeted?.policy ?? policy.policy;
      const records = stored && budgeted ? { ...stored, actuals: budgeted.actuals } : stored;
      const pools = records ? annualPools(rules, totals, records) : monthlyPools(rules, totals);
      const at = new Date();
      const report: SettlementReport = {
        run: {
          id,
          region,
          period,
          kind,
          catalogueId: grouped.run.catalogueId,
          policyHash: policy.hash,
          groupingRun: grouped.run.id,
          status: 'draft',
          createdBy: actor,
          createdAt: at.toISOString(),
          finalisedAt: null,
          ...(records ? { monthsPrepaid: records.months } : {}),
          ...(special ? { specialCases: { revision: special.revision, applied: special.applied.length, notInRun: special.missing } } : {}),
          ...(tree && budgeted
            ? { budgetFrom: { scheme: 'zibo-budget' as const, runId: tree.runId, inputsHash: tree.inputsHash, pools: budgeted.pools } }
            : {}),
        },
        pools,
      };
      await this.store.replaceDraft(report, at);
      // Stored: a failure to prune now is resumed later, and is not this run's failure.
      await this.prune().catch((err) => this.logger.warn({ err }, 'pruning replaced drafts failed; resumed at the next run'));
      // Stored: the lock needs no more beats (the progress only).
      await progress.advance(grouped.run.cases);
      return this.store.report(id);
    } finally {
      await this.store.unlock(key, id);
    }
  }

  /** Progress that also keeps the run's lock alive. */
  private heartbeat(id: string, key: PeriodKey, progress: JobProgress): JobProgress {
    let last = Date.now();
    const touch = async () => {
      if (Date.now() - last < HEARTBEAT_MS) return;
      last = Date.now();
      if (!(await this.store.beat(key, id)))
        throw conflict(
          'lock-lost',
          `run ${id} lost the lock of ${key.region} ${key.kind} ${key.period} (released by the agency, or its process was taken for dead); nothing stored`,
        );
    };
    return {
      stage: async (name, total) => {
        await touch();
        await progress.stage(name, total);
      },
      advance: async (done, total) => {
        await touch();
        await progress.advance(done, total);
      },
    };
  }

  /**
   * Deletes the grouping runs and per-case results of replaced drafts (the audit and
   * `settlement_replaced` keep who replaced what). After the replacing transaction, so that it
   * stays short; resumed by the next run if this process dies in between.
   */
  async prune(): Promise<void> {
    for (const r of await this.store.unpruned()) {
      await this.grouping.discard(r.groupingRunId);
      await this.store.markPruned(r.runId);
    }
  }

  /** The periods being run now, with the process holding each. */
  locks(): Promise<SettlementLock[]> {
    return this.store.locks();
  }

  /** Frees a period's lock by hand (audited); 404 when the period is not locked. */
  async releaseLock(region: string, kind: SettlementKind, period: string, actor: string): Promise<SettlementLock> {
    const released = await this.store.releaseLock({ region, kind, period }, actor);
    if (!released) throw notFound('not-locked', `the ${kind} settlement of ${region} ${period} holds no lock`);
    return released;
  }

  /** What replaced a draft, if one did. */
  replaced(id: string): Promise<ReplacedRun | null> {
    return this.store.replaced(id);
  }

  /** The current run of each period of a region's year, by default its newest (settlement.store list). */
  list(region: string, year?: number): Promise<RunListing[]> {
    return this.store.list(region, year);
  }

  report(id: string): Promise<SettlementReport> {
    return this.store.report(id);
  }

  exists(id: string): Promise<boolean> {
    return this.store.exists(id);
  }

  /**
   * Freezes a run's period: re-runs are refused from now on (audited). A year also locks its
   * special-case decisions, in the same transaction: refused when they changed since the draft
   * or some are still pending.
   */
  async finalise(id: string, actor: string): Promise<SettlementReport> {
    const { run } = await this.store.report(id);
    let also: ((at: Date) => Generator<Statement, void, StatementResult>) | undefined;
    if (run.kind === 'year') {
      const year = Number(run.period);
      await this.specialCases.ensureYear(run.region, year);
      also = (at) => this.specialCases.lockForFinalise(run.region, year, run.specialCases?.revision ?? 0, actor, at);
    }
    if (!(await this.store.finalise(id, actor, also))) throw conflict('finalised', `settlement run ${id} is already finalised`);
    return this.store.report(id);
  }
}
