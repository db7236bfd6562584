import { Injectable, NotFoundException } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { CaseReader } from '../cases/case-reader';
import { ByteGate, csvRows, jsonLinesRows } from '../cases/import-sources';
import { CatalogueService } from '../catalog/catalogue.service';
import { CatalogueStore } from '../catalog/catalogue.store';
import { PoliciesService } from '../catalog/policies.service';
import { CodeTablesService } from '../codes/code-tables.service';
import { Environment } from '../config/environment';
import { CaseResult, caseResultOf, compileEngine, Engine, EngineCase, EngineSetup, packCase, unpackResults } from '../domain/engine/batch';
import { hospitalCoefficient, valueCase } from '../domain/engine';
import { HospitalLevel } from '../domain/hospital';
import { canonicalJson } from '../domain/policy';
import { scaledText } from '../domain/engine/exact';
import { CaseValidationContext, validateCase } from '../domain/case-record';
import { BATCH_CASES, packedBatches, withEnginePool } from '../engine-pool/engine-pool';
import { HospitalsService } from '../hospitals/hospitals.service';
import { JobInputError, JobProgress } from '../jobs/jobs.service';
import { DatabaseService, fromSqlDatetime } from '../persistence/database.service';
import { openResultWriter } from './result-writer';
import { ENGINE_COLUMNS, engineCaseOfRow, packStoredCase } from './stored-cases';

/** Sees every case of a grouping run beside its result (see GroupingService.run). */
export interface RunObserver {
  /** Columns of dip_case to read besides the engine's. */
  columns: readonly string[];
  each(row: Record<string, unknown>, result: CaseResult): void;
}

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

export interface GroupingRun {
  id: string;
  region: string;
  from: string;
  to: string;
  catalogueId: string;
  policyHash: string;
  engineHash: string;
  cases: number;
  noScoreCases: number;
  specialReviewCases: number;
  points: string;
  createdBy: string;
  createdAt: string;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * Grouping and scoring (spec §5–§7) of case files and of stored cases, through the worker pool
 * (engine-pool), with results stored per run. The engine itself is domain/engine.
 */
@Injectable()
export class GroupingService {
  /** Compiled engines for single-case explanations, by engine hash (a few versions at most). */
  private readonly engines = new Map<string, Engine>();

  constructor(
    private readonly db: DatabaseService,
    private readonly env: Environment,
    private readonly cases: CaseReader,
    private readonly store: CatalogueStore,
    private readonly catalogues: CatalogueService,
    private readonly policies: PoliciesService,
    private readonly codeTables: CodeTablesService,
    private readonly hospitals: HospitalsService,
  ) {}

  /** The engine version of a catalogue: it, the policy of its region and year, the region's code tables. */
  async version(catalogueId: string, actor: string): Promise<EngineVersion> {
    const catalogue = await this.store.load(catalogueId);
    const { policy, hash: policyHash } = await this.policies.resolve(catalogue.region, catalogue.year, actor);
    const [setup, hospitals] = await Promise.all([this.catalogues.engineSetup(catalogue, policy), this.hospitals.list(catalogue.region)]);
    const engineHash = createHash('sha256').update(canonicalJson(setup)).digest('hex');
    const scoring = this.engine(engineHash, setup).scoring;
    return { catalogueId, region: catalogue.region, year: catalogue.year, policyHash, engineHash, setup, hospitals: new Map(hospitals.map((h) => [h.code, { coefficient: hospitalCoefficient(scoring, h), level: h.level }])) };
  }

  private engine(hash: string, setup: EngineSetup): Engine {
    let e = this.engines.get(hash);
    if (e === undefined) {
      if (this.engines.size >= 4) this.engines.delete(this.engines.keys().next().value!);
      this.engines.set(hash, (e = compileEngine(setup)));
    }
    return e;
  }

  /** The catalogue of a run: the one given, else the active one of the region and year. */
  async catalogueFor(region: string, year: number, catalogueId?: string): Promise<string> {
    if (catalogueId !== undefined) {
      const meta = await this.store.meta(catalogueId);
      if (meta.region !== region || meta.year !== year) throw new JobInputError('catalogue-mismatch', `catalogue ${catalogueId} is for region ${meta.region}, year ${meta.year}; the run is for ${region}, ${year}`);
      return catalogueId;
    }
    const active = await this.store.activeId(region, year);
    if (active === null) throw new JobInputError('no-active-catalogue', `region ${region} has no active catalogue for ${year}: build or import one and activate it (dip catalog activate ID)`);
    return active;
  }

  /**
   * Groups and scores a region's stored cases of the settlement months from … to (one year) with
   * the catalogue (default: the active one) and stores every case's result as a new run, all at
   * once or not at all. `observe` sees each stored row (with its extra columns) beside its result,
   * in the same read: a settlement adds up money and points without reading the cases again.
   */
  async run(region: string, from: string, to: string, actor: string, progress?: JobProgress, catalogueId?: string, observe?: RunObserver): Promise<GroupingRun> {
    if (!MONTH.test(from) || !MONTH.test(to)) throw new JobInputError('bad-period', `periods are months like 2024-03; got ${from} … ${to}`);
    if (from > to || from.slice(0, 4) !== to.slice(0, 4)) throw new JobInputError('bad-period', `a run covers months of one year, from ≤ to; got ${from} … ${to}`);
    const year = Number(from.slice(0, 4));
    const v = await this.version(await this.catalogueFor(region, year, catalogueId), actor);
    const id = randomUUID();
    const writer = await openResultWriter(this.db, id);
    try {
      let cases = 0;
      let noScore = 0;
      let special = 0;
      let points = 0n;
      await progress?.stage('grouping and scoring');
      // Rows wait here, in input order, until their results come back in the same order.
      const waiting: Record<string, unknown>[] = [];
      let next = 0;
      await withEnginePool(v.setup, this.env.WORKERS, (pool) =>
        pool.runAll(packedBatches(this.packedCases(region, from, to, v, observe ? waiting : null, observe ? [...ENGINE_COLUMNS, ...observe.columns] : ENGINE_COLUMNS), (line) => line, BATCH_CASES), async (text) => {
          for (const r of unpackResults(text)) {
            if (observe) {
              const row = waiting[next++];
              if (String(row.case_id) !== r.caseId) throw new Error(`result of ${r.caseId} came back for row ${String(row.case_id)}`);
              observe.each(row, r);
            }
            cases++;
            if (r.group === null) noScore++;
            if (r.specialReview) special++;
            points += BigInt(r.points.replace('.', ''));
          }
          if (next > 50_000) {
            waiting.splice(0, next);
            next = 0;
          }
          await writer.add(text);
          await progress?.advance(cases);
        }),
      );
      if (cases === 0) throw new JobInputError('no-cases', `region ${region} has no cases settled ${from} … ${to}`);
      const run = { id, region, from, to, catalogueId: v.catalogueId, policyHash: v.policyHash, engineHash: v.engineHash, cases, noScoreCases: noScore, specialReviewCases: special, points: scaledText(points, 4), actor, at: new Date() };
      await progress?.stage('storing', cases);
      await writer.commit(run);
    } catch (err) {
      await writer.rollback();
      throw err;
    }
    return this.get(id);
  }

  /** The stored cases of a period as packed lines (stored-cases.ts), a page at a time; the rows also go to `keep`. */
  private async *packedCases(region: string, from: string, to: string, v: EngineVersion, keep: Record<string, unknown>[] | null, columns: readonly string[] = ENGINE_COLUMNS): AsyncGenerator<string[]> {
    for await (const page of this.cases.pages(region, from, to, columns)) {
      if (keep) for (const r of page) keep.push(r);
      yield page.map((r) => {
        const h = v.hospitals.get(String(r.hospital_code));
        if (h === undefined) throw new JobInputError('unknown-hospital', `case ${String(r.case_id)}: hospital ${String(r.hospital_code)} is not registered in region ${region}`);
        return packStoredCase(r, h.coefficient, h.level);
      });
    }
  }

  /**
   * Groups and scores a case file (CSV or JSON lines, the import format) without storing
   * anything: every row is validated as an import would (spec §2), a bad row is reported through
   * `reject` and the others are valued; results reach `take` in file order.
   */
  async groupFile(input: Readable, format: 'csv' | 'jsonl', v: EngineVersion, take: (results: CaseResult[]) => void, reject: (line: number, field: string, reason: string) => void): Promise<void> {
    const gate = new ByteGate(this.env.MAX_UPLOAD_BYTES);
    const rows = format === 'csv' ? csvRows(input, gate) : jsonLinesRows(input, gate);
    const diagnoses = await this.codeTables.entries(v.region, 'diagnosis');
    const ctx: CaseValidationContext = { hasHospital: (code) => v.hospitals.has(code), hasDiagnosis: diagnoses ? (code) => diagnoses.has(code) : undefined };
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
    await withEnginePool(v.setup, this.env.WORKERS, (pool) => pool.runAll(packedBatches(valid(), packCase, BATCH_CASES), (text) => take(unpackResults(text))));
  }

  async get(id: string): Promise<GroupingRun> {
    const r = (await this.db.execute('SELECT * FROM grouping_run WHERE id = ?', [id])).rows[0];
    if (!r) throw new NotFoundException({ error: 'unknown-grouping', message: `no grouping run ${id}` });
    return {
      id,
      region: String(r.region_code),
      from: String(r.period_from),
      to: String(r.period_to),
      catalogueId: String(r.catalogue_id),
      policyHash: String(r.policy_hash),
      engineHash: String(r.engine_hash),
      cases: Number(r.cases),
      noScoreCases: Number(r.no_score_cases),
      specialReviewCases: Number(r.special_review_cases),
      points: String(r.points),
      createdBy: String(r.created_by),
      createdAt: fromSqlDatetime(r.created_at),
    };
  }

  /** A page of a run's case results, in caseId order, optionally of one hospital. */
  async results(id: string, hospital: string | undefined, offset: number, limit: number): Promise<{ total: number; items: CaseResult[] }> {
    await this.get(id);
    const where = hospital === undefined ? 'run_id = ?' : 'run_id = ? AND hospital_code = ?';
    const params = hospital === undefined ? [id] : [id, hospital];
    const total = Number((await this.db.execute(`SELECT COUNT(*) AS n FROM case_result WHERE ${where}`, params)).rows[0].n);
    const rows = (await this.db.execute(`SELECT * FROM case_result WHERE ${where} ORDER BY case_id LIMIT ${limit} OFFSET ${offset}`, params)).rows;
    return { total, items: rows.map(resultOfRow) };
  }

  /**
   * One case of a run with its full explanation (every factor, spec §5–§6): the stored result,
   * and the engine's valuation of the case as stored now, recomputed with the run's own version.
   * `changedSinceRun` says whether the two differ (the case was replaced after the run).
   */
  async explain(id: string, caseId: string) {
    const run = await this.get(id);
    const stored = (await this.db.execute('SELECT * FROM case_result WHERE run_id = ? AND case_id = ?', [id, caseId])).rows[0];
    if (!stored) throw new NotFoundException({ error: 'unknown-case', message: `grouping run ${id} has no case ${caseId}` });
    const result = resultOfRow(stored);
    const row = (await this.db.execute(`SELECT case_id, ${ENGINE_COLUMNS.join(', ')} FROM dip_case WHERE region_code = ? AND case_id = ?`, [run.region, caseId])).rows[0];
    if (!row) return { result, explanation: null, changedSinceRun: true };
    const v = await this.version(run.catalogueId, 'api');
    const e = this.engine(v.engineHash, v.setup);
    const c = engineCaseOfRow(row, result.coefficient, v.hospitals.get(String(row.hospital_code))?.level ?? null);
    const valuation = valueCase(e.index, c, e.typeOf, { scoring: e.scoring, coefficient: c.coefficient, level: c.level, severity: e.severity });
    const now = caseResultOf(c, valuation);
    return { result, explanation: valuation, changedSinceRun: v.engineHash !== run.engineHash || JSON.stringify(now) !== JSON.stringify(result) };
  }
}

const orNull = (v: unknown): string | null => (v === null ? null : String(v));

function resultOfRow(r: Record<string, unknown>): CaseResult {
  return {
    caseId: String(r.case_id),
    hospitalCode: String(r.hospital_code),
    group: orNull(r.group_code),
    key: orNull(r.group_key),
    kind: orNull(r.kind) as CaseResult['kind'],
    rule: String(r.rule),
    caseKey: orNull(r.case_key),
    treatmentType: r.treatment_type as CaseResult['treatmentType'],
    tieBreak: orNull(r.tie_break),
    score: orNull(r.score),
    auxFactor: orNull(r.aux_factor),
    severityClass: Number(r.severity_class),
    coefficient: String(r.coefficient),
    ratio: orNull(r.ratio),
    outlier: String(r.outlier),
    points: String(r.points),
    specialReview: Number(r.special_review) === 1,
  };
}
