import { Injectable, OnModuleInit, UnprocessableEntityException } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CaseReader } from '../cases/case-reader';
import { CodeTablesService } from '../codes/code-tables.service';
import { budgetPointValue, YearTotals } from '../domain/catalog/budget-point-value';
import { CatalogueError } from '../domain/catalog/build';
import { CodeSetup, EngineSetup } from '../domain/engine/batch';
import { ENGINE_COLUMNS, packStoredCase } from '../grouping/stored-cases';
import { BATCH_CASES, BatchesByYear, withEnginePool } from '../engine-pool/engine-pool';
import { Environment } from '../config/environment';
import { HospitalLevel } from '../domain/hospital';
import { HospitalsService } from '../hospitals/hospitals.service';
import { Catalogue } from '../domain/catalog/catalogue';
import { CatalogueFormatError, catalogueHash, parseCatalogueCsv, parseCatalogueJson } from '../domain/catalog/exchange';
import { IcdRange, IcdRanges, parseRangeTable } from '../domain/catalog/ranges';
import { SeverityLists } from '../domain/catalog/severity';
import { Policy } from '../domain/policy';
import { JobInputError, JobProgress } from '../jobs/jobs.service';
import { BuildSetup, BuildThread } from './build-thread';
import { CatalogueStore } from './catalogue.store';
import { CATALOGS_DIR } from './policies.service';

export interface BuildOutcome {
  catalogueId: string;
  created: boolean;
  hash: string;
  cases: number;
  coreGroups: number;
  compositeGroups: number;
  pvBudget: string;
}

/**
 * Builds catalogues from the stored history (spec §4): streams the window's cases once, packed
 * (domain/engine/batch.ts), into the pure builder on a thread of its own; keeps the packed cases
 * for the second pass, which values them with the new catalogue on the worker pool for the
 * budget point value (§4.9); then stores the version. Also imports official catalogues.
 */
@Injectable()
export class CatalogueService implements OnModuleInit {
  private chapters: IcdRange[] = [];

  constructor(
    private readonly cases: CaseReader,
    private readonly codeTables: CodeTablesService,
    private readonly store: CatalogueStore,
    private readonly env: Environment,
    private readonly hospitals: HospitalsService,
  ) {}

  async onModuleInit(): Promise<void> {
    this.chapters = parseRangeTable(await readFile(join(CATALOGS_DIR, 'icd10-chapters.tsv'), 'utf8'));
  }

  /** The region's ranges: the shipped chapters, and its blocks when it loaded a block table. */
  async ranges(region: string): Promise<IcdRanges> {
    const blocks = await this.codeTables.entries(region, 'icdBlocks');
    return { chapters: this.chapters, blocks: [...(blocks?.keys() ?? [])].map((k) => ({ lower: k.slice(0, 3), upper: k.slice(4) })) };
  }

  async severityLists(region: string): Promise<SeverityLists> {
    const [severe, moderate] = await Promise.all([this.codeTables.entries(region, 'severeSecondary'), this.codeTables.entries(region, 'moderateSecondary')]);
    return { severe: new Set(severe?.keys() ?? []), moderate: new Set(moderate?.keys() ?? []) };
  }

  /** The region's code tables as the engine and the builder's thread take them. */
  async codeSetup(region: string): Promise<CodeSetup> {
    const [ranges, severity, procedures] = await Promise.all([this.ranges(region), this.severityLists(region), this.codeTables.procedureTables(region)]);
    return { ranges, severe: [...severity.severe].sort(), moderate: [...severity.moderate].sort(), procedureTypes: procedures.types, procedureNames: procedures.names };
  }

  /** What the engine needs to value cases of the catalogue's region with it and a policy (spec §5–§7). */
  async engineSetup(catalogue: Catalogue, policy: Policy): Promise<EngineSetup> {
    return { catalogue, policy, ...(await this.codeSetup(catalogue.region)) };
  }

  async build(region: string, year: number, policy: Policy, policyHash: string, actor: string, progress?: JobProgress): Promise<BuildOutcome> {
    const lookback = policy.catalog.lookbackYears;
    const from = `${year - lookback}-01`;
    const to = `${year - 1}-12`;
    const levels = new Map((await this.hospitals.list(region)).map((h) => [h.code, h.level]));
    const codes = await this.codeSetup(region);
    const { partial, total, packed } = await this.aggregate({ region, year, policy, ...codes }, from, to, levels, progress);

    // Pass 2 (spec §4.9): every window case through the engine with the new catalogue and k = 1,
    // on the worker pool, a year at a time (so that each batch's points belong to one year). The
    // cases come from pass 1's packed copy, not from a second read of the window: turning rows
    // into objects is what the main thread spends its time on, and the workers would wait for it.
    await progress?.stage('budget point value', total);
    const setup: EngineSetup = { catalogue: { ...partial, pvBudget: '0' }, policy, ...codes };
    const years = new Map<number, YearTotals>();
    let done = 0;
    await withEnginePool(setup, this.env.WORKERS, async (pool) => {
      for (const y of partial.window) {
        const batches = packed.take(y);
        // Each batch is let go once sent, so that memory shrinks as the pass goes.
        const sent = async function* (): AsyncGenerator<Uint8Array> {
          for (let b = batches.shift(); b !== undefined; b = batches.shift()) {
            yield b.bytes;
            done += b.cases;
            await progress?.advance(done);
          }
        };
        years.set(y, await pool.totalsOf(sent()));
      }
    });
    const catalogue: Catalogue = { ...partial, pvBudget: budgetPointValue(years, year, policy) };
    const hash = catalogueHash(catalogue);
    await progress?.stage('storing');
    const saved = await this.store.save(catalogue, hash, { source: 'build', policyHash, actor });
    const core = catalogue.groups.filter((g) => g.kind === 'core').length;
    return { catalogueId: saved.id, created: saved.created, hash, cases: total, coreGroups: core, compositeGroups: catalogue.groups.length - core, pvBudget: catalogue.pvBudget };
  }

  /**
   * Pass 1 (spec §4 steps 1–8, 10): the window's cases packed with k = 1, each batch to the
   * builder's thread and kept for pass 2; counts them as it goes (a separate COUNT would read the
   * window once more). The main thread only reads and packs; the builder aggregates meanwhile.
   */
  private async aggregate(setup: BuildSetup, from: string, to: string, levels: ReadonlyMap<string, HospitalLevel>, progress?: JobProgress): Promise<{ partial: Omit<Catalogue, 'pvBudget'>; total: number; packed: BatchesByYear }> {
    const { region, year } = setup;
    const thread = new BuildThread(setup);
    try {
      await progress?.stage('aggregating cases');
      const packed = new BatchesByYear(BATCH_CASES);
      let total = 0;
      for await (const page of this.cases.pages(region, from, to, ENGINE_COLUMNS)) {
        for (const r of page) {
          // The settlement month's year, as the window is read by settlement month.
          const y = Number(String(r.settlement_month).slice(0, 4));
          const full = packed.add(y, packStoredCase(r, '1', levels.get(String(r.hospital_code)) ?? null));
          if (full !== undefined) await thread.add(y, full.bytes);
        }
        total += page.length;
        await progress?.advance(total);
      }
      for (const [y, last] of packed.closeAll()) await thread.add(y, last.bytes);
      if (total === 0) throw new JobInputError('empty-window', `region ${region} has no cases discharged ${from} … ${to}: nothing to build a ${year} catalogue from`);
      return { partial: await thread.finish(), total, packed };
    } catch (err) {
      if (err instanceof CatalogueError) throw new JobInputError('invalid-build', err.message);
      throw err;
    } finally {
      await thread.close();
    }
  }

  /** Stores an official catalogue given in the exchange format (JSON or CSV). */
  async import(text: string, format: 'json' | 'csv', actor: string): Promise<{ catalogueId: string; created: boolean; hash: string; groups: number }> {
    let parsed: Catalogue & { hash?: string };
    try {
      if (format === 'json') {
        let doc: unknown;
        try {
          doc = JSON.parse(text);
        } catch (err) {
          throw new CatalogueFormatError([{ path: '', reason: `not valid JSON: ${(err as Error).message}` }]);
        }
        parsed = parseCatalogueJson(doc);
      } else parsed = parseCatalogueCsv(text);
    } catch (err) {
      if (err instanceof CatalogueFormatError) throw new UnprocessableEntityException({ error: 'invalid-catalogue', message: err.message, problems: err.problems });
      throw err;
    }
    const { hash: given, ...catalogue } = parsed;
    const hash = catalogueHash(catalogue);
    if (given !== undefined && given !== hash) {
      throw new UnprocessableEntityException({ error: 'hash-mismatch', message: `the file says hash ${given}, its content hashes to ${hash}: it was changed after export`, problems: [] });
    }
    const saved = await this.store.save(catalogue, hash, { source: 'import', policyHash: null, actor });
    return { catalogueId: saved.id, created: saved.created, hash, groups: catalogue.groups.length };
  }
}
