import { actorOf, Principal, seesHospital } from '../domain/access';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { MAX_CASES_PER_REQUEST } from '../cases/case-import.service';
import { CodeTablesService } from '../codes/code-tables.service';
import { Environment } from '../config/environment';
import { CaseRecord, CaseValidationContext, FieldError, RawCase } from '../domain/case-record';
import { CaseResult, EngineCase, packCase, unpackResults } from '../domain/engine/batch';
import { Factor } from '../domain/engine';
import { badRequest, DipError, invalid } from '../domain/errors';
import {
  alternativesOf,
  choosePointValue,
  estimatedPayment,
  MonthlyRunPointValues,
  pointsDifference,
  ProjectionPointValue,
  validateProjectionCase,
} from '../domain/projection';
import { BATCH_CASES, EnginePool, packedBatches } from '../engine-pool/engine-pool';
import { EngineVersion, GroupingService } from '../grouping/grouping.service';
import { HospitalsService } from '../hospitals/hospitals.service';
import { MonthlyRunRow, ProjectionStore } from './projection.store';

/**
 * How long the setup of a projection is reused before it is read again (in the background, while
 * the kept one still answers): the registered hospitals (their region, coefficient and level), the
 * regions' diagnosis tables, and each catalogue's engine version (its policy and code tables). A
 * request that names a hospital not in the kept list reads the list again at once. The active
 * catalogue and the monthly runs are read for every request.
 */
export const SETUP_TTL_MS = 30_000;
/** A batch's pool of workers (one per engine version) is closed after this long unused. */
const POOL_IDLE_MS = 60_000;
const MAX_POOLS = 2;
const MAX_KEPT_REPORTS = 256;
/** Catalogue versions kept (each holds its catalogue: tens of megabytes for 10,000 groups). */
const MAX_KEPT_VERSIONS = 8;
const MAX_KEPT_REGIONS = 256;

/** What a projection says of one case (the result of a grouping run, with the point value and estimate). */
export interface Projection extends CaseResult {
  pool: string;
  region: string;
  catalogueId: string;
  /** What r was measured against (single projections only; the pool's results do not carry it). */
  reference?: string | null;
  /** Every factor of the points, in order (single projections only). */
  factors?: Factor[];
  pointValue: ProjectionPointValue;
  estimatedPayment: string;
  alternatives?: ProjectedAlternative[];
}

export interface ProjectedAlternative {
  group: string;
  key: string;
  kind: 'core' | 'composite';
  treatmentType: string;
  rule: string;
  keyProcedures: string[];
  score: string | null;
  auxFactor: string | null;
  ratio: string | null;
  outlier: string;
  points: string;
  /** The alternative's points − the case's points. */
  pointsDifference: string;
  estimatedPayment: string;
}

/** One case of a batch: its projection, or why it cannot be projected. */
export type BatchItem =
  { index: number; caseId: string | null; projection: Projection } | { index: number; caseId: string | null; errors: FieldError[] };

interface RegionSetup {
  regionOf: Map<string, string>;
  diagnoses: Map<string, Map<string, string> | null>;
}

interface Kept<T> {
  value: T;
  /** When its read began. */
  at: number;
}

interface KeptPool {
  pool: EnginePool;
  /** Batches running on it now. */
  busy: number;
  timer: NodeJS.Timeout | undefined;
}

/** A case that passed validation, with what its projection needs. */
interface ReadyCase {
  index: number;
  record: CaseRecord;
  region: string;
  year: number;
}

/**
 * Projections (issue 12): a case's group, points and estimated payment before settlement, from
 * the active catalogue of its region and discharge year, and the latest point value of its pool.
 * A single case is valued in this process with its full explanation (GroupingService.valueOne,
 * the path of a run's per-case explanation); a batch goes to a pool of engine workers kept per
 * engine version. Nothing is stored.
 */
@Injectable()
export class ProjectionsService implements OnModuleDestroy {
  private readonly logger = new Logger(ProjectionsService.name);
  private readonly hospitalRegions = new Map<string, Kept<Map<string, string>>>();
  private readonly diagnosisTables = new Map<string, Kept<Map<string, string> | null>>();
  /** By `version\t<catalogueId>`. */
  private readonly versions = new Map<string, Kept<EngineVersion>>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly reports = new Map<string, MonthlyRunPointValues['pools'] | null>();
  private readonly pools = new Map<string, KeptPool>();
  private closing = false;

  constructor(
    private readonly grouping: GroupingService,
    private readonly hospitals: HospitalsService,
    private readonly codeTables: CodeTablesService,
    private readonly store: ProjectionStore,
    private readonly env: Environment,
  ) {}

  /** One case (spec §2 fields; fundPayment may be absent), valued with its full explanation; alternatives on request. */
  async project(raw: unknown, opts: { alternatives: boolean; principal: Principal }): Promise<Projection> {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw badRequest('not-an-object', 'expected a JSON object with the case fields');
    const code = (raw as RawCase).hospitalCode;
    const setup = await this.regionSetup(typeof code === 'string' ? [code.trim()] : []);
    const checked = this.validate(raw as RawCase, setup, opts.principal);
    if ('errors' in checked)
      throw invalid(
        'invalid-case',
        `the case breaks ${checked.errors.length} rule(s)`,
        checked.errors.map((e) => ({ field: e.field, reason: e.reason })),
      );
    const { record, region } = checked;
    const current = await this.current(region, Number(record.dischargeDate.slice(0, 4)));
    const v = await this.version(current.catalogueId, region, [record.hospitalCode]);
    const c = this.engineCase(record, v);
    const { result, valuation } = this.grouping.valueOne(v, c);
    const pointValue = choosePointValue(await this.pointValues(current.runs), record.pool, {
      id: v.catalogueId,
      pvBudget: v.setup.catalogue.pvBudget,
    });
    const projection: Projection = {
      ...this.projectionOf(result, record, v, pointValue),
      reference: valuation.points.reference,
      factors: valuation.points.factors,
    };
    if (!opts.alternatives) return projection;

    // The case is of the caller's scope (validate): a hospital user's own, an agency user's region.
    const e = this.grouping.compiled(v);
    const alternatives = alternativesOf(e.index, c, valuation.grouping, {
      scoring: e.scoring,
      coefficient: c.coefficient,
      level: c.level,
      severity: e.severity,
    });
    projection.alternatives = alternatives.map((a) => ({
      group: a.group.code,
      key: a.group.key,
      kind: a.group.kind,
      treatmentType: a.treatmentType,
      rule: a.rule,
      keyProcedures: [...a.keyProcedures],
      score: a.points.score,
      auxFactor: a.points.auxFactor,
      ratio: a.points.ratio,
      outlier: a.points.rule,
      points: a.points.points,
      pointsDifference: pointsDifference(a.points.points, result.points),
      estimatedPayment: estimatedPayment(a.points.points, pointValue.value),
    }));
    // Never the patientId (nor any other field of the case beyond what places it).
    this.logger.log(
      `projection alternatives: actor ${actorOf(opts.principal)}, hospital ${record.hospitalCode}, case ${record.caseId}, region ${region}, catalogue ${v.catalogueId}, group ${result.key ?? 'none'}, ${alternatives.length} alternative(s)`,
    );
    return projection;
  }

  /**
   * Up to MAX_CASES_PER_REQUEST cases: each one's projection (without the factor list) or its
   * errors (field and reason), in order. The valid cases of each catalogue go to that version's
   * worker pool in batches, as a grouping run's do.
   */
  async projectBatch(items: unknown[], principal: Principal): Promise<{ projected: number; rejected: number; items: BatchItem[] }> {
    if (items.length === 0) throw badRequest('empty', 'the array is empty');
    if (items.length > MAX_CASES_PER_REQUEST)
      throw new DipError('too-large', 'too-many-cases', `${items.length} cases; at most ${MAX_CASES_PER_REQUEST} per request`);
    const codes = new Set<string>();
    for (const x of items) if (isObject(x) && typeof x.hospitalCode === 'string') codes.add(x.hospitalCode.trim());
    const setup = await this.regionSetup([...codes]);

    const out: BatchItem[] = new Array(items.length);
    const fail = (index: number, raw: unknown, errors: FieldError[]) => {
      const id = isObject(raw) && typeof raw.caseId === 'string' ? raw.caseId.slice(0, 64) : null;
      out[index] = { index, caseId: id, errors };
    };
    const byYear = new Map<string, ReadyCase[]>();
    items.forEach((raw, index) => {
      if (!isObject(raw)) return fail(index, raw, [{ field: '*', reason: 'must be an object with the case fields' }]);
      const checked = this.validate(raw, setup, principal);
      if ('errors' in checked) return fail(index, raw, checked.errors);
      const year = Number(checked.record.dischargeDate.slice(0, 4));
      const key = `${checked.region}\t${year}`;
      let list = byYear.get(key);
      if (list === undefined) byYear.set(key, (list = []));
      list.push({ index, record: checked.record, region: checked.region, year });
    });

    for (const cases of byYear.values()) {
      const { region, year } = cases[0];
      let current: { catalogueId: string; runs: MonthlyRunRow[] };
      try {
        current = await this.current(region, year);
      } catch (err) {
        if (!(err instanceof DipError) || err.code !== 'no-active-catalogue') throw err;
        for (const c of cases) fail(c.index, c.record, [{ field: 'dischargeDate', reason: err.message }]);
        continue;
      }
      const v = await this.version(
        current.catalogueId,
        region,
        cases.map((c) => c.record.hospitalCode),
      );
      const runs = await this.pointValues(current.runs);
      const catalogue = { id: v.catalogueId, pvBudget: v.setup.catalogue.pvBudget };
      const pointValues = {
        employee: choosePointValue(runs, 'employee', catalogue),
        resident: choosePointValue(runs, 'resident', catalogue),
      };
      const engineCases = cases.map((c) => this.engineCase(c.record, v));
      let i = 0;
      await this.withPool(v, (pool) =>
        pool.runAll(packedBatches([engineCases], packCase, batchSize(engineCases.length, this.env.WORKERS)), (batch) => {
          for (const result of unpackResults(batch.results)) {
            const c = cases[i++];
            out[c.index] = {
              index: c.index,
              caseId: c.record.caseId,
              projection: this.projectionOf(result, c.record, v, pointValues[c.record.pool]),
            };
          }
        }),
      );
    }
    const rejected = out.filter((x) => 'errors' in x).length;
    return { projected: out.length - rejected, rejected, items: out };
  }

  /** Closes the kept pools, after the reads in flight (none starts in the background from now on). */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.inFlight.values()]);
    const pools = [...this.pools.values()];
    this.pools.clear();
    for (const k of pools) clearTimeout(k.timer);
    await Promise.all(pools.map((k) => k.pool.close()));
  }

  /**
   * A result with its place, point value and estimate. Written out field by field rather than
   * spread: ten thousand of these make a batch, and objects of one literal shape are built and
   * serialised several times faster than spread copies.
   */
  private projectionOf(r: CaseResult, record: CaseRecord, v: EngineVersion, pointValue: ProjectionPointValue): Projection {
    return {
      caseId: r.caseId,
      hospitalCode: r.hospitalCode,
      pool: record.pool,
      region: v.region,
      catalogueId: v.catalogueId,
      group: r.group,
      key: r.key,
      kind: r.kind,
      rule: r.rule,
      caseKey: r.caseKey,
      treatmentType: r.treatmentType,
      tieBreak: r.tieBreak,
      score: r.score,
      auxFactor: r.auxFactor,
      severityClass: r.severityClass,
      coefficient: r.coefficient,
      ratio: r.ratio,
      outlier: r.outlier,
      points: r.points,
      specialReview: r.specialReview,
      pointValue,
      estimatedPayment: estimatedPayment(r.points, pointValue.value),
    };
  }

  /** What the engine reads of a case (EngineCase), field by field (see projectionOf). */
  private engineCase(record: CaseRecord, v: EngineVersion): EngineCase {
    const h = v.hospitals.get(record.hospitalCode)!;
    return {
      caseId: record.caseId,
      hospitalCode: record.hospitalCode,
      coefficient: h.coefficient,
      level: h.level,
      principalDiagnosis: record.principalDiagnosis,
      principalProcedure: record.principalProcedure,
      otherProcedures: record.otherProcedures,
      secondaryDiagnoses: record.secondaryDiagnoses,
      losDays: record.losDays,
      dischargeMode: record.dischargeMode,
      totalCost: record.totalCost,
      outOfCatalogSelfPay: record.outOfCatalogSelfPay,
      daySurgery: record.daySurgery,
      externalExpert: record.externalExpert,
      pool: record.pool,
      fundPayment: record.fundPayment,
    };
  }

  /** Spec §2 as an import checks it (no "today": a projection may be of a stay not yet ended), fundPayment optional. */
  /** A hospital outside the caller's scope is answered as unregistered (its existence is not revealed). */
  private validate(raw: RawCase, setup: RegionSetup, p: Principal): { record: CaseRecord; region: string } | { errors: FieldError[] } {
    const region = typeof raw.hospitalCode === 'string' ? setup.regionOf.get(raw.hospitalCode.trim()) : undefined;
    const diagnoses = region === undefined ? null : (setup.diagnoses.get(region) ?? null);
    const ctx: CaseValidationContext = {
      hasHospital: (code) => setup.regionOf.has(code) && seesHospital(p, code, setup.regionOf.get(code)!),
      hasDiagnosis: diagnoses ? (code) => diagnoses.has(code) : undefined,
    };
    const v = validateProjectionCase(raw, ctx);
    return 'errors' in v ? v : { record: v.record, region: region! };
  }

  /**
   * The regions of the registered hospitals (kept: see keep; read again at once when one of
   * `codes` is not in it: registered since, or not a hospital) and the diagnosis table of each
   * region among them (kept).
   */
  private async regionSetup(codes: readonly string[]): Promise<RegionSetup> {
    const regionOf = await this.keep(
      this.hospitalRegions,
      'hospitals',
      (m) => codes.every((c) => m.has(c)),
      async () => new Map((await this.hospitals.list()).map((h) => [h.code, h.region])),
    );
    const diagnoses = new Map<string, Map<string, string> | null>();
    for (const code of codes) {
      const region = regionOf.get(code);
      if (region !== undefined && !diagnoses.has(region))
        diagnoses.set(
          region,
          await this.keep(
            this.diagnosisTables,
            `diagnoses\t${region}`,
            () => true,
            () => this.codeTables.entries(region, 'diagnosis'),
            MAX_KEPT_REGIONS,
          ),
        );
    }
    return { regionOf, diagnoses };
  }

  /**
   * The active catalogue of a region and year (404 `no-active-catalogue`) and its stored monthly
   * runs, latest first: read for every request (one statement; concurrent requests share a read
   * in flight), so that an activation or a settlement run shows in the next projection.
   */
  private async current(region: string, year: number): Promise<{ catalogueId: string; runs: MonthlyRunRow[] }> {
    const found = await this.shared(`current\t${region}\t${year}`, () => this.store.activeWithRuns(region, year));
    if (found !== null) return found;
    const catalogueId = await this.grouping.catalogueFor(region, year); // throws no-active-catalogue
    return { catalogueId, runs: await this.store.monthlyRuns(region, catalogueId) };
  }

  /**
   * A catalogue's engine version (its policy, code tables, hospitals; kept: see keep), read again
   * at once when it does not know one of `hospitals` (registered since).
   */
  private async version(catalogueId: string, region: string, hospitals: readonly string[]): Promise<EngineVersion> {
    const knows = (v: EngineVersion) => hospitals.every((h) => v.hospitals.has(h));
    const v = await this.keep(this.versions, `version\t${catalogueId}`, knows, () => this.grouping.version(catalogueId, 'api'));
    const unknown = hospitals.find((h) => !v.hospitals.has(h));
    if (unknown !== undefined) throw invalid('invalid-case', `hospital ${unknown} is not registered in region ${region}`);
    return v;
  }

  /**
   * A value of the setup kept SETUP_TTL_MS. Older, it is still answered while it is read again in
   * the background (no request waits for that read: a catalogue's version takes a while); when
   * the kept value is not enough (`enough` false) or there is none, the request waits for a read.
   * Concurrent reads of a key are one. A failed read keeps what was kept.
   */
  private async keep<T>(
    slot: Map<string, Kept<T>>,
    key: string,
    enough: (v: T) => boolean,
    read: () => Promise<T>,
    limit = MAX_KEPT_VERSIONS,
  ): Promise<T> {
    const kept = slot.get(key);
    const reread = () =>
      this.shared(`keep\t${key}`, async () => {
        const at = Date.now();
        const value = await read();
        if (slot.size >= limit && !slot.has(key)) slot.delete(slot.keys().next().value!);
        slot.set(key, { value, at });
        return value;
      });
    if (kept !== undefined && enough(kept.value)) {
      if (!this.closing && Date.now() - kept.at >= SETUP_TTL_MS)
        reread().catch((err: unknown) => this.logger.warn(`re-reading ${key.split('\t')[0]}: ${String(err)}`));
      return kept.value;
    }
    return reread();
  }

  /** The pools' point values of monthly runs, latest first (a run's report is read once: it never changes). */
  private async pointValues(rows: readonly MonthlyRunRow[]): Promise<MonthlyRunPointValues[]> {
    const out: MonthlyRunPointValues[] = [];
    for (const r of rows) {
      let pools = this.reports.get(r.id);
      if (pools === undefined) {
        pools = await this.store.poolPointValues(r.id);
        if (this.reports.size >= MAX_KEPT_REPORTS) this.reports.delete(this.reports.keys().next().value!);
        this.reports.set(r.id, pools);
      }
      if (pools !== null) out.push({ runId: r.id, period: r.period, status: r.status, pools });
    }
    return out;
  }

  /**
   * Runs `work` on the version's worker pool, started on first use and kept for the next batch;
   * closed POOL_IDLE_MS after its last batch ends (or, idle, when MAX_POOLS others are kept).
   */
  private async withPool<T>(v: EngineVersion, work: (pool: EnginePool) => Promise<T>): Promise<T> {
    let kept = this.pools.get(v.engineHash);
    if (kept === undefined) {
      for (const [hash, k] of this.pools)
        if (this.pools.size >= MAX_POOLS && k.busy === 0) {
          this.pools.delete(hash);
          clearTimeout(k.timer);
          void k.pool.close();
        }
      kept = { pool: new EnginePool(v.setup, this.env.WORKERS), busy: 0, timer: undefined };
      this.pools.set(v.engineHash, kept);
    }
    const k = kept;
    clearTimeout(k.timer);
    k.busy++;
    try {
      return await work(k.pool);
    } finally {
      if (--k.busy === 0) {
        k.timer = setTimeout(() => {
          if (this.pools.get(v.engineHash) === k) this.pools.delete(v.engineHash);
          void k.pool.close();
        }, POOL_IDLE_MS);
        k.timer.unref();
      }
    }
  }

  /** One read at a time per key: concurrent requests share the read in flight. */
  private shared<T>(key: string, read: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running !== undefined) return running as Promise<T>;
    const p = read().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }
}

/**
 * Cases per batch sent to a worker: a request's cases spread over two batches a thread (every
 * thread busy, the main thread packing the next while the first are valued), at most BATCH_CASES.
 */
const batchSize = (cases: number, threads: number): number => Math.max(256, Math.min(BATCH_CASES, Math.ceil(cases / (2 * threads))));

const isObject = (x: unknown): x is RawCase => typeof x === 'object' && x !== null && !Array.isArray(x);
