import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { CaseStore } from '../cases/case.store';
import { ENGINE_COLUMNS, packStoredCase } from '../cases/stored-cases';
import { CodeTablesService } from '../codes/code-tables.service';
import { Environment } from '../config/environment';
import { budgetPointValue, YearTotals } from '../domain/catalogue/budget-point-value';
import { Catalogue } from '../domain/catalogue/catalogue';
import {
  catalogueFileName,
  catalogueHash,
  catalogueToCsv,
  catalogueToJson,
  CatalogueFormatError,
  parseCatalogueCsv,
  parseCatalogueJson,
} from '../domain/catalogue/exchange';
import { EngineSetup } from '../domain/engine/batch';
import { DipError, invalid } from '../domain/errors';
import { forbidden } from '../domain/access';
import { HospitalLevel } from '../domain/hospital';
import { BATCH_CASES, BatchesByYear, withEnginePool } from '../engine-pool/engine-pool';
import { HospitalsService } from '../hospitals/hospitals.service';
import { parseJson, readText } from '../io/text-input';
import { JobProgress, JobsService, Started } from '../jobs/jobs.service';
import { PoliciesService, ResolvedPolicy } from '../policies/policies.service';
import { BuildSetup, BuildThread } from './build-thread';
import { CatalogueStore } from './catalogue.store';

export interface BuildOutcome {
  catalogueId: string;
  created: boolean;
  hash: string;
  cases: number;
  coreGroups: number;
  compositeGroups: number;
  pvBudget: string;
}

export interface ImportOutcome {
  catalogueId: string;
  created: boolean;
  hash: string;
  groups: number;
  /** Imported without a hash (or stored so before): not activated nor used by a run until accepted. */
  unverified: boolean;
  /** An unverified catalogue accepted for use (by this import's flag, or before). */
  accepted: boolean;
}

export interface ImportOptions {
  /** Accept a catalogue without a hash for use as it is (audited); a catalogue with a hash needs nothing. */
  acceptUnverified?: boolean;
  /** The one region the actor may import for (an agency user's); absent: any (the CLI). */
  region?: string;
}

export type CatalogueFileFormat = 'json' | 'csv';

/**
 * Catalogues (病种目录库): builds from the stored history (spec §4) and imports of official ones.
 * A build streams the window's cases once, packed (domain/engine/batch.ts), into the pure builder
 * on a thread of its own; keeps the packed cases for the second pass, which values them with the
 * new catalogue on the worker pool for the budget point value (§4.9); then stores the version.
 */
@Injectable()
export class CatalogueService {
  constructor(
    private readonly cases: CaseStore,
    private readonly codeTables: CodeTablesService,
    private readonly store: CatalogueStore,
    private readonly policies: PoliciesService,
    private readonly hospitals: HospitalsService,
    private readonly jobs: JobsService,
    private readonly env: Environment,
  ) {}

  /**
   * Starts building the catalogue of a region and settlement year as a job, with the policy
   * given (a document, validated and stored) or the region's own. Refusals of the request (a bad
   * or missing policy) are thrown here; those of the build end the job.
   */
  async startBuild(
    region: string,
    year: number,
    policyDoc: unknown,
    actor: string,
    observer?: JobProgress,
  ): Promise<Started<BuildOutcome>> {
    await this.hospitals.requireRegion(region);
    const policy = await this.policies.resolve(region, year, actor, policyDoc);
    return this.jobs.start(
      'catalogue.build',
      region,
      { region, year, policyHash: policy.hash },
      actor,
      (p) => this.build(region, year, policy, actor, p),
      { observer },
    );
  }

  private async build(
    region: string,
    year: number,
    { policy, hash: policyHash }: ResolvedPolicy,
    actor: string,
    progress: JobProgress,
  ): Promise<BuildOutcome> {
    const lookback = policy.catalog.lookbackYears;
    const from = `${year - lookback}-01`;
    const to = `${year - 1}-12`;
    const levels = new Map((await this.hospitals.list(region)).map((h) => [h.code, h.level]));
    const codes = await this.codeTables.codeSetup(region);
    const { partial, total, packed } = await this.aggregate({ region, year, policy, ...codes }, from, to, levels, progress);

    // Pass 2 (spec §4.9): every window case through the engine with the new catalogue and k = 1,
    // on the worker pool, a year at a time (so that each batch's points belong to one year). The
    // cases come from pass 1's packed copy, not from a second read of the window: turning rows
    // into objects is what the main thread spends its time on, and the workers would wait for it.
    await progress.stage('budget point value', total);
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
            await progress.advance(done);
          }
        };
        years.set(y, await pool.totalsOf(sent()));
      }
    });
    const catalogue: Catalogue = { ...partial, pvBudget: budgetPointValue(years, year, policy) };
    const hash = catalogueHash(catalogue);
    await progress.stage('storing', catalogue.groups.length);
    const saved = await this.store.save(catalogue, hash, { source: 'build', policyHash, actor });
    await progress.advance(catalogue.groups.length);
    const core = catalogue.groups.filter((g) => g.kind === 'core').length;
    return {
      catalogueId: saved.id,
      created: saved.created,
      hash,
      cases: total,
      coreGroups: core,
      compositeGroups: catalogue.groups.length - core,
      pvBudget: catalogue.pvBudget,
    };
  }

  /**
   * Pass 1 (spec §4 steps 1–8, 10): the window's cases packed with k = 1, each batch to the
   * builder's thread and kept for pass 2; counts them as it goes (a separate COUNT would read the
   * window once more). The main thread only reads and packs; the builder aggregates meanwhile.
   */
  private async aggregate(
    setup: BuildSetup,
    from: string,
    to: string,
    levels: ReadonlyMap<string, HospitalLevel>,
    progress: JobProgress,
  ): Promise<{ partial: Omit<Catalogue, 'pvBudget'>; total: number; packed: BatchesByYear }> {
    const { region, year } = setup;
    const thread = new BuildThread(setup);
    try {
      await progress.stage('aggregating cases');
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
        await progress.advance(total);
      }
      // The window's cases are known once read (no separate count).
      await progress.advance(total, total);
      for (const [y, last] of packed.closeAll()) await thread.add(y, last.bytes);
      if (total === 0)
        throw invalid(
          'empty-window',
          `region ${region} has no cases discharged ${from} … ${to}: nothing to build a ${year} catalogue from`,
        );
      await progress.stage('building groups');
      const partial = await thread.finish();
      await progress.advance(partial.groups.length, partial.groups.length);
      return { partial, total, packed };
    } finally {
      await thread.close();
    }
  }

  /**
   * A stored catalogue in the exchange format (docs/catalogue-format.md): its file name and text.
   * An unverified catalogue is exported without its hash, so that it arrives unverified elsewhere
   * too: this instance cannot vouch for content it could not check (accepting it is local).
   */
  async exportFile(id: string, format: CatalogueFileFormat): Promise<{ name: string; text: string }> {
    const meta = await this.store.meta(id);
    const c = await this.store.contents(id);
    const hash = meta.unverified ? null : meta.hash;
    return {
      name: catalogueFileName(c, meta.hash, format),
      text: format === 'csv' ? catalogueToCsv(c, id, hash) : `${JSON.stringify(catalogueToJson(c, id, hash), null, 2)}\n`,
    };
  }

  /** Stores an official catalogue given as a file in the exchange format (read through the byte gate). */
  async importFile(input: Readable, format: CatalogueFileFormat, actor: string, opts: ImportOptions = {}): Promise<ImportOutcome> {
    const { text } = await readText(input, this.env.MAX_UPLOAD_BYTES);
    if (format === 'csv') return this.importParsed(parseCatalogueCsv(text), actor, opts);
    return this.importDocument(parseJson(text, 'invalid-catalogue', 'the catalogue'), actor, opts);
  }

  /** Stores an official catalogue given as a parsed JSON document (an HTTP body). */
  importDocument(doc: unknown, actor: string, opts: ImportOptions = {}): Promise<ImportOutcome> {
    return this.importParsed(parseCatalogueJson(doc), actor, opts);
  }

  /**
   * The checks beyond the format (docs/decisions.md, "Catalogue import checks"): the region is
   * one of this instance's; a hash, when given, is the content's (else nothing is stored); without
   * one the catalogue is stored unverified, accepted for use only with `acceptUnverified`.
   */
  private async importParsed(parsed: Catalogue & { hash?: string }, actor: string, opts: ImportOptions): Promise<ImportOutcome> {
    const { hash: given, ...catalogue } = parsed;
    if (opts.region !== undefined && catalogue.region !== opts.region)
      throw forbidden(`the catalogue is of region ${catalogue.region}, outside your region ${opts.region}`);
    await this.requireKnownRegion(catalogue.region);
    const hash = catalogueHash(catalogue);
    if (given !== undefined && given !== hash)
      throw invalid('hash-mismatch', `the file says hash ${given}, its content hashes to ${hash}: it was changed after export`, [
        { path: 'hash', reason: `does not match the content, which hashes to ${hash}` },
      ]);
    const saved = await this.store.save(catalogue, hash, {
      source: 'import',
      policyHash: null,
      actor,
      unverified: given === undefined,
      acceptUnverified: opts.acceptUnverified === true,
    });
    return {
      catalogueId: saved.id,
      created: saved.created,
      hash,
      groups: catalogue.groups.length,
      unverified: saved.unverified,
      accepted: saved.accepted,
    };
  }

  /** A catalogue's region must be registered here: its hospitals are what the catalogue values. */
  private async requireKnownRegion(region: string): Promise<void> {
    try {
      await this.hospitals.requireRegion(region);
    } catch (err) {
      if (err instanceof DipError && err.code === 'unknown-region')
        throw new CatalogueFormatError([
          {
            path: 'region',
            reason: `region ${region} is not registered in this service: register its hospitals before importing its catalogue`,
          },
        ]);
      throw err;
    }
  }
}
