import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { CaseStore } from '../cases/case.store';
import { CaseFileFormat, caseFileRows } from '../cases/import-sources';
import { engineCaseOfRow, packStoredCase, RUN_COLUMNS } from '../cases/stored-cases';
import { CatalogueStore } from '../catalogue/catalogue.store';
import { CodeTablesService } from '../codes/code-tables.service';
import { Environment } from '../config/environment';
import { CaseValidationContext, validateCase } from '../domain/case-record';
import { CaseValuation, hospitalCoefficient, valueCase } from '../domain/engine';
import {
  BatchTotals,
  CaseResult,
  compileEngine,
  Engine,
  EngineCase,
  EngineSetup,
  packCase,
  toCaseResult,
  unpackResults,
} from '../domain/engine/batch';
import { badRequest, invalid, notFound } from '../domain/errors';
import { HospitalLevel } from '../domain/hospital';
import { pointsText } from '../domain/money';
import { isMonth } from '../domain/periods';
import { canonicalJson } from '../domain/policy';
import { BATCH_CASES, packedBatches, withEnginePool } from '../engine-pool/engine-pool';
import { HospitalsService } from '../hospitals/hospitals.service';
import { JobProgress, JobsService, Started } from '../jobs/jobs.service';
import { PoliciesService, ResolvedPolicy } from '../policies/policies.service';
import { GroupingRun, GroupingStore } from './grouping.store';

export type { GroupingRun } from './grouping.store';

/** One catalogue version with the policy and code tables of its region and year: what a pool serves. */
export interface EngineVersion {
  catalogueId: string;
  region: string;
  year: number;
  policyHash: string;
  /** sha256 of the whole setup: two runs with the same hash valued cases with the same engine input. */
  engineHash: string;
  setup: EngineSetup;
  /** The region's hospitals: code → coefficient k (spec §7) under this policy, and level. */
  hospitals: Map<string, { coefficient: string; level: HospitalLevel }>;
}

/** A grouping run stored, with its cases added up per pool and hospital (for a settlement). */
export interface GroupedPeriod {
  run: GroupingRun;
  totals: BatchTotals;
}

/**
 * Grouping and scoring (spec §5–§7) of case files and of stored cases, through the worker pool
 * (engine-pool), with results stored per run. The engine itself is domain/engine.
 */
@Injectable()
export class GroupingService {
  /** Compiled engines for single-case explanations, by engine hash (a few versions at most). */
  private readonly engines = new Map<string, Engine>();

  constructor(
    private readonly store: GroupingStore,
    private readonly cases: CaseStore,
    private readonly catalogues: CatalogueStore,
    private readonly policies: PoliciesService,
    private readonly codeTables: CodeTablesService,
    private readonly hospitals: HospitalsService,
    private readonly jobs: JobsService,
    private readonly env: Environment,
  ) {}

  /**
   * The engine version of a catalogue: it, the policy of its region and year (the one the caller
   * resolved, else the region's), the region's code tables and hospitals.
   */
  async version(catalogueId: string, actor: string, policy?: ResolvedPolicy): Promise<EngineVersion> {
    const catalogue = await this.catalogues.load(catalogueId);
    const { policy: p, hash: policyHash } = policy ?? (await this.policies.resolve(catalogue.region, catalogue.year, actor));
    const [codes, hospitals] = await Promise.all([this.codeTables.codeSetup(catalogue.region), this.hospitals.list(catalogue.region)]);
    const setup: EngineSetup = { catalogue, policy: p, ...codes };
    const engineHash = createHash('sha256').update(canonicalJson(setup)).digest('hex');
    const scoring = this.engine(engineHash, setup).scoring;
    return {
      catalogueId,
      region: catalogue.region,
      year: catalogue.year,
      policyHash,
      engineHash,
      setup,
      hospitals: new Map(hospitals.map((h) => [h.code, { coefficient: hospitalCoefficient(scoring, h), level: h.level }])),
    };
  }

  private engine(hash: string, setup: EngineSetup): Engine {
    let e = this.engines.get(hash);
    if (e === undefined) {
      e = compileEngine(setup);
      if (this.engines.size >= 4) this.engines.delete(this.engines.keys().next().value!);
      this.engines.set(hash, e);
    }
    return e;
  }

  /** The compiled engine of a version, once per engine hash: what single cases are valued with in this process. */
  compiled(v: EngineVersion): Engine {
    return this.engine(v.engineHash, v.setup);
  }

  /**
   * One case valued in this process with its full explanation (every factor), as `explain` values a
   * stored case and projections value a case sent to them; many cases go to the pool (`run`, `groupFile`).
   */
  valueOne(v: EngineVersion, c: EngineCase): { result: CaseResult; valuation: CaseValuation } {
    const e = this.compiled(v);
    const valuation = valueCase(e.index, c, e.typeOf, {
      scoring: e.scoring,
      coefficient: c.coefficient,
      level: c.level,
      severity: e.severity,
    });
    return { result: toCaseResult(c, valuation), valuation };
  }

  /** The catalogue of a run: the one given, else the active one of the region and year. */
  async catalogueFor(region: string, year: number, catalogueId?: string): Promise<string> {
    if (catalogueId !== undefined) {
      const meta = await this.catalogues.meta(catalogueId);
      if (meta.region !== region || meta.year !== year)
        throw invalid(
          'catalogue-mismatch',
          `catalogue ${catalogueId} is for region ${meta.region}, year ${meta.year}; the run is for ${region}, ${year}`,
        );
      return catalogueId;
    }
    const active = await this.catalogues.activeId(region, year);
    if (active === null)
      throw notFound('no-active-catalogue', `region ${region} has no active catalogue for ${year}: build or import one and activate it`);
    return active;
  }

  /** Starts a grouping run as a job (the HTTP and CLI face of `run`); a bad period is refused at once. */
  async startRun(
    region: string,
    from: string,
    to: string,
    actor: string,
    catalogueId?: string,
    observer?: JobProgress,
  ): Promise<Started<GroupingRun>> {
    checkPeriod(from, to);
    await this.hospitals.requireRegion(region);
    return this.jobs.start(
      'grouping.run',
      region,
      { region, from, to, catalogueId: catalogueId ?? null },
      actor,
      async (p) => (await this.run(region, from, to, actor, p, { catalogueId })).run,
      { observer },
    );
  }

  /**
   * Groups and scores a region's stored cases of the settlement months from … to (one year) with
   * the catalogue (default: the active one) and the policy (default: the region's), and stores
   * every case's result as a new run, all at once or not at all. Returns the run with its cases
   * added up per pool and hospital by the workers, from the same read as the grouping.
   */
  async run(
    region: string,
    from: string,
    to: string,
    actor: string,
    progress: JobProgress,
    opts: { catalogueId?: string; policy?: ResolvedPolicy } = {},
  ): Promise<GroupedPeriod> {
    checkPeriod(from, to);
    const year = Number(from.slice(0, 4));
    const v = await this.version(await this.catalogueFor(region, year, opts.catalogueId), actor, opts.policy);
    const id = randomUUID();
    const writer = await this.store.openWriter(id);
    try {
      await progress.stage('grouping and scoring', await this.cases.count(region, from, to));
      let done = 0;
      const totals = await withEnginePool(v.setup, this.env.WORKERS, (pool) =>
        pool.runAll(
          packedBatches(this.packedCases(region, from, to, v), (line) => line, BATCH_CASES),
          async (batch) => {
            await writer.add(batch.results);
            done += batch.totals.cases;
            await progress.advance(done);
          },
        ),
      );
      // The cases read are the stage's total (an import committed since the count would change it).
      await progress.advance(totals.cases, totals.cases);
      if (totals.cases === 0) throw notFound('no-cases', `region ${region} has no cases settled ${from} … ${to}`);
      await progress.stage('storing', totals.cases);
      await writer.commit({
        id,
        region,
        from,
        to,
        catalogueId: v.catalogueId,
        policyHash: v.policyHash,
        engineHash: v.engineHash,
        cases: totals.cases,
        noScoreCases: totals.noScore,
        specialReviewCases: totals.specialReview,
        points: pointsText(totals.points),
        actor,
        at: new Date(),
      });
      await progress.advance(totals.cases);
      return { run: await this.store.get(id), totals };
    } catch (err) {
      await writer.rollback();
      throw err;
    }
  }

  /** The stored cases of a period as packed lines (cases/stored-cases.ts), a page at a time. */
  private async *packedCases(region: string, from: string, to: string, v: EngineVersion): AsyncGenerator<string[]> {
    for await (const page of this.cases.pages(region, from, to, RUN_COLUMNS)) {
      yield page.map((r) => {
        const h = v.hospitals.get(String(r.hospital_code));
        if (h === undefined)
          throw invalid(
            'unknown-hospital',
            `case ${String(r.case_id)}: hospital ${String(r.hospital_code)} is not registered in region ${region}`,
          );
        return packStoredCase(r, h.coefficient, h.level);
      });
    }
  }

  /**
   * Groups and scores a case file (CSV or JSON lines, the import format) without storing
   * anything: every row is validated as an import would (spec §2), a bad row is reported through
   * `reject` and the others are valued; results reach `take` in file order.
   */
  async groupFile(
    input: Readable,
    format: CaseFileFormat,
    v: EngineVersion,
    take: (results: CaseResult[]) => void | Promise<void>,
    reject: (line: number, field: string, reason: string) => void,
  ): Promise<void> {
    const { rows } = caseFileRows(input, format, this.env.MAX_UPLOAD_BYTES);
    const diagnoses = await this.codeTables.entries(v.region, 'diagnosis');
    const ctx: CaseValidationContext = {
      hasHospital: (code) => v.hospitals.has(code),
      hasDiagnosis: diagnoses ? (code) => diagnoses.has(code) : undefined,
    };
    async function* valid(): AsyncGenerator<EngineCase[]> {
      for await (const page of rows) {
        const out: EngineCase[] = [];
        for (const row of page) {
          if ('unreadable' in row) {
            reject(row.line, '*', row.unreadable);
            continue;
          }
          const r = validateCase(row.raw, ctx);
          if ('errors' in r) for (const e of r.errors) reject(row.line, e.field, e.reason);
          else {
            const h = v.hospitals.get(r.record.hospitalCode)!;
            out.push({ ...r.record, coefficient: h.coefficient, level: h.level });
          }
        }
        yield out;
      }
    }
    await withEnginePool(v.setup, this.env.WORKERS, (pool) =>
      pool.runAll(packedBatches(valid(), packCase, BATCH_CASES), (batch) => take(unpackResults(batch.results))),
    );
  }

  /** Deletes a run and its per-case results (a replaced settlement draft's). */
  discard(id: string): Promise<void> {
    return this.store.deleteRun(id);
  }

  get(id: string): Promise<GroupingRun> {
    return this.store.get(id);
  }

  /** A page of a run's case results, in caseId order, optionally of one hospital and one points rule (an outlier class). */
  async results(
    id: string,
    filter: { hospital?: string; outlier?: string },
    offset: number,
    limit: number,
  ): Promise<{ total: number; items: CaseResult[] }> {
    await this.store.get(id);
    return this.store.results(id, filter, offset, limit);
  }

  /** Some cases' stored results in a run, by caseId (GroupingStore.resultsOf). */
  resultsOf(runId: string, caseIds: readonly string[]) {
    return this.store.resultsOf(runId, caseIds);
  }

  /** A case's newest stored result in its region, or null (GroupingStore.latestResult). */
  latestResult(region: string, caseId: string) {
    return this.store.latestResult(region, caseId);
  }

  /**
   * One case of a run with its full explanation (every factor, spec §5–§6): the stored result,
   * and the engine's valuation of the case as stored now, recomputed with the run's own version.
   * `changedSinceRun` says whether the two differ (the case was replaced after the run).
   */
  async explain(id: string, caseId: string) {
    const run = await this.store.get(id);
    const result = await this.store.result(id, caseId);
    if (!result) throw notFound('unknown-case', `grouping run ${id} has no case ${caseId}`);
    const row = await this.cases.engineRow(run.region, caseId);
    if (!row) return { result, explanation: null, changedSinceRun: true };
    const v = await this.version(run.catalogueId, 'api');
    const c = engineCaseOfRow(row, result.coefficient, v.hospitals.get(String(row.hospital_code))?.level ?? null);
    const { result: now, valuation } = this.valueOne(v, c);
    return {
      result,
      explanation: valuation,
      changedSinceRun: v.engineHash !== run.engineHash || JSON.stringify(now) !== JSON.stringify(result),
    };
  }
}

/** A run covers settlement months of one year. */
function checkPeriod(from: string, to: string): void {
  if (!isMonth(from) || !isMonth(to)) throw badRequest('bad-period', `periods are months like 2024-03; got ${from} … ${to}`);
  if (from > to || from.slice(0, 4) !== to.slice(0, 4))
    throw badRequest('bad-period', `a run covers months of one year, from ≤ to; got ${from} … ${to}`);
}
