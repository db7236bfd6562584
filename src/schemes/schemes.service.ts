import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Papa from 'papaparse';
import { CATALOGS_DIR } from '../config/catalogs';
import { Environment } from '../config/environment';
import { Principal } from '../domain/access';
import { badRequest, conflict, excerpt, invalid, notFound, Problem } from '../domain/errors';
import { JobProgress, JobsService, Started } from '../jobs/jobs.service';
import { canonicalJson } from '../domain/policy';
import { schemeOf, SCHEMES } from '../domain/schemes';
import {
  InputRow,
  PersonFigures,
  ProviderFigures,
  SchemeDefinition,
  SchemeId,
  SchemeInputs,
  SchemeOutcome,
  SchemePolicyBase,
} from '../domain/schemes/scheme';
import { headerProblems, RawCell, readTable, tableSpec } from '../domain/schemes/scheme-input';
import { readText } from '../io/text-input';
import { SchemeRunHead, SchemesStore, SchemeYearKey, StoredInput } from './schemes.store';

/** A run as reported: its head (with every input's hash), the region's figures (the agency's only) and the providers' rows in scope. */
export interface SchemeReport {
  run: SchemeRunHead & { title: string; seed: string };
  region: Record<string, unknown> | null;
  providers: ProviderFigures[];
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** sha256 of the rows' canonical JSON array, fed row by row (a million rows never make one string). */
function rowsHash(rows: readonly InputRow[]): string {
  const h = createHash('sha256').update('[');
  rows.forEach((r, i) => h.update(i ? `,${canonicalJson(r)}` : canonicalJson(r)));
  return h.update(']').digest('hex');
}

/**
 * The payment schemes besides DIP (issue 15, SCHEMES.md), every one the same way: input tables
 * imported with the case import's standard (row, field, reason; all or nothing), a policy by
 * content hash, one pure run of the scheme's domain definition, stored as the year's draft with
 * every input's hash, finalised once. A run is a pure function of its policy and inputs, so
 * running the year again gives the same figures.
 */
@Injectable()
export class SchemesService {
  constructor(
    private readonly store: SchemesStore,
    private readonly env: Environment,
    private readonly jobs: JobsService,
  ) {}

  /** The schemes with their input tables, for the API's listing and the CLI. */
  definitions(): { id: SchemeId; title: string; seed: string; tables: SchemeDefinition['tables'] }[] {
    return Object.values(SCHEMES).map((d) => ({ id: d.id, title: d.title, seed: d.seed, tables: d.tables }));
  }

  private key(scheme: string, region: string, year: number): { def: SchemeDefinition; k: SchemeYearKey } {
    const def = schemeOf(scheme);
    if (!/^\d{6}$/.test(region)) throw badRequest('bad-region', 'region must be a 6-digit region code');
    if (!Number.isInteger(year) || year < 2000 || year > 2100) throw badRequest('bad-year', 'year must be a year such as 2024');
    return { def, k: { scheme: def.id, region, year } };
  }

  // ------------------------------------------------------------------ policies

  /**
   * Stores a policy the agency gives for a year (validated; by content hash) and returns its
   * hash. It is the year's policy from then on.
   */
  async givePolicy(
    scheme: string,
    doc: unknown,
    actor: string,
    region: string | null,
  ): Promise<{ hash: string; policy: SchemePolicyBase }> {
    const def = schemeOf(scheme);
    const policy = def.parsePolicy(doc);
    if (region !== null && policy.region !== region)
      throw invalid('policy-mismatch', `the policy is for region ${policy.region}; yours is ${region}`);
    const text = canonicalJson(policy);
    const hash = sha256(text);
    await this.store.savePolicy({ scheme: def.id, region: policy.region, year: policy.year }, hash, text, actor);
    return { hash, policy };
  }

  /** The year's policy: the last one given, else the file the product ships (stored on first use). */
  private async resolvePolicy(def: SchemeDefinition, k: SchemeYearKey, actor: string): Promise<{ policy: SchemePolicyBase; hash: string }> {
    let doc = await this.store.latestPolicy(k);
    const shipped = doc === null;
    if (shipped) {
      const text = await readFile(join(CATALOGS_DIR, 'schemes', def.id, `${k.region}-${k.year}.json`), 'utf8').catch(() => null);
      if (text === null)
        throw notFound(
          'no-policy',
          `no ${def.id} policy for region ${k.region} and year ${k.year}: give one (PUT /api/v1/schemes/${def.id}/policy, or dip scheme policy ${def.id} FILE)`,
        );
      doc = JSON.parse(text) as unknown;
    }
    const policy = def.parsePolicy(doc);
    if (policy.region !== k.region || policy.year !== k.year)
      throw invalid('policy-mismatch', `the policy is for region ${policy.region}, year ${policy.year}; asked for ${k.region}, ${k.year}`);
    const text = canonicalJson(policy);
    const hash = sha256(text);
    // A policy given is stored already; the shipped one is stored on first use.
    if (shipped) await this.store.savePolicy(k, hash, text, actor);
    return { policy, hash };
  }

  // ------------------------------------------------------------------ inputs

  /**
   * Imports an input table from objects (a JSON array; problems by row index from 0) or CSV
   * (problems by file line). Every row is read by its column's kind; any problem refuses the
   * whole table (422 `invalid-rows`), nothing stored. The hash is of the rows as read, so the
   * same table sent as CSV or JSON has the same hash.
   */
  async importRows(
    scheme: string,
    table: string,
    region: string,
    year: number,
    raws: readonly unknown[],
    actor: string,
    source: 'csv' | 'json' = 'json',
    where: (i: number) => { line: number } | { row: number } = (i) => ({ row: i }),
  ): Promise<StoredInput & { replaced: string | null }> {
    const { def, k } = this.key(scheme, region, year);
    const spec = tableSpec(def.tables, table);
    const problems: Problem[] = [];
    raws.forEach((r, i) => {
      if (typeof r !== 'object' || r === null || Array.isArray(r))
        problems.push({ ...where(i), field: '*', reason: 'must be an object with the table’s fields' });
    });
    if (problems.length)
      throw invalid('invalid-rows', `the ${spec.name} table has ${problems.length} problem(s); nothing of it was stored`, problems);
    const rows = readTable(spec, raws as Record<string, RawCell>[], where);
    const hash = rowsHash(rows);
    await this.store.ensureYear(k);
    const id = randomUUID();
    const { replaced } = await this.store.saveInput(k, { id, table: spec.name, sha256: hash, source, rows }, actor);
    return {
      id,
      table: spec.name,
      sha256: hash,
      rows: rows.length,
      source,
      importedBy: actor,
      importedAt: new Date().toISOString(),
      replaced,
    };
  }

  /** An input table from CSV (header = the column names; UTF-8 through the byte gate). */
  async importCsv(scheme: string, table: string, region: string, year: number, input: Readable, actor: string) {
    const { def } = this.key(scheme, region, year);
    const spec = tableSpec(def.tables, table);
    const { text } = await readText(input, this.env.MAX_UPLOAD_BYTES);
    const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: 'greedy' });
    if (parsed.errors.length > 0) throw badRequest('bad-csv', `line ${(parsed.errors[0].row ?? 0) + 2}: ${parsed.errors[0].message}`);
    const header = headerProblems(spec, parsed.meta.fields ?? []);
    if (header.length) throw invalid('header', `the header of the ${spec.name} table is not right; nothing stored`, header);
    return this.importRows(scheme, table, region, year, parsed.data, actor, 'csv', (i) => ({ line: i + 2 }));
  }

  /** Withdraws a table of a year (nothing of it counts in the next run); 404 when it has no import. */
  async withdrawInput(
    scheme: string,
    table: string,
    region: string,
    year: number,
    actor: string,
  ): Promise<{ table: string; withdrawn: string }> {
    const { def, k } = this.key(scheme, region, year);
    const spec = tableSpec(def.tables, table);
    await this.store.ensureYear(k);
    const withdrawn = await this.store.withdrawInput(k, spec.name, actor);
    if (!withdrawn) throw notFound('no-input', `the ${spec.name} table of ${def.id} ${region} ${year} has no import to withdraw`);
    return { table: spec.name, withdrawn };
  }

  /** The year's current input tables (without rows). */
  async inputs(scheme: string, region: string, year: number): Promise<StoredInput[]> {
    const { k } = this.key(scheme, region, year);
    return this.store.currentInputs(k);
  }

  // ------------------------------------------------------------------ runs

  /**
   * Starts a run of a scheme's year as a job whose id is the run's. What can be refused at once is
   * (an unknown scheme, no policy, a required table not imported, a final year: 4xx before any
   * work); the job then reads the current inputs, runs the scheme's pure function and stores the
   * result as the year's draft, replacing the previous draft.
   */
  async start(scheme: string, region: string, year: number, actor: string, observer?: JobProgress): Promise<Started<SchemeReport>> {
    const { def, k } = this.key(scheme, region, year);
    await this.store.ensureYear(k);
    const final = await this.store.finalRun(k);
    if (final) throw conflict('finalised', `the ${def.id} run of ${region} ${year} is final (${final.id}); a new run is refused`);
    const policy = await this.resolvePolicy(def, k, actor);
    const stored = await this.store.currentInputs(k);
    const missing = def.tables.filter((t) => t.required && !stored.some((s) => s.table === t.name));
    if (missing.length)
      throw invalid(
        'missing-input',
        `the ${def.id} run of ${region} ${year} needs the ${missing.map((t) => t.name).join(', ')} table(s); import them first`,
        missing.map((t) => ({ field: t.name, reason: `table not imported: ${t.description}` })),
      );
    const id = randomUUID();
    return this.jobs.start(
      `scheme.${def.id}`,
      region,
      { scheme: def.id, year },
      actor,
      (p) => this.execute(id, def, k, policy, stored, actor, p),
      {
        id,
        observer,
        record: (r) => ({ runId: r.run.id, providers: r.providers.length, inputsHash: r.run.inputsHash }),
      },
    );
  }

  /** A run to its end (the CLI, tests): start() and its outcome. */
  async run(scheme: string, region: string, year: number, actor: string, observer?: JobProgress): Promise<SchemeReport> {
    return (await this.start(scheme, region, year, actor, observer)).done;
  }

  private async execute(
    id: string,
    def: SchemeDefinition,
    k: SchemeYearKey,
    { policy, hash }: { policy: SchemePolicyBase; hash: string },
    stored: StoredInput[],
    actor: string,
    progress: JobProgress,
  ): Promise<SchemeReport> {
    await progress.stage('reading', stored.length);
    let tables: Record<string, SchemeInputs[string]> | null = {};
    for (const [i, s] of stored.entries()) {
      tables[s.table] = await this.store.inputRows(s.id);
      await progress.advance(i + 1);
    }
    await progress.stage('computing', 1);
    const outcome = def.run(policy, tables, k.year);
    // The input rows (a million objects) are not needed any more: storing then collects them instead of marking them.
    tables = null;
    await progress.stage('storing', 1);
    const inputs = stored.map((s) => ({ table: s.table, inputId: s.id, sha256: s.sha256, rows: s.rows }));
    const head: SchemeRunHead = {
      id,
      ...k,
      status: 'draft',
      policyHash: hash,
      inputs,
      inputsHash: sha256(canonicalJson({ policy: hash, inputs: inputs.map((i) => ({ table: i.table, sha256: i.sha256 })) })),
      createdBy: actor,
      createdAt: new Date().toISOString(),
      finalisedBy: null,
      finalisedAt: null,
    };
    await this.store.replaceDraft(head, outcome.region, outcome.providers, outcome.persons);
    await progress.advance(1);
    return { run: { ...head, title: def.title, seed: def.seed }, region: outcome.region, providers: outcome.providers };
  }

  /**
   * The per-person figures of a run's provider (null: every provider; the agency and the CLI
   * only), within the principal's scope as its report is; chunk by chunk.
   */
  async persons(id: string, provider: string | null, p: Principal | null): Promise<AsyncGenerator<PersonFigures[]>> {
    const readable = await this.readableProviders(id, p);
    if (provider === null) {
      if (p && p.role !== 'agency') throw badRequest('provider-required', 'name the provider whose persons you want (?provider=)');
    } else if (!readable.includes(provider))
      throw notFound('unknown-provider', `run ${id} has no provider ${excerpt(provider)} you may read`);
    return this.store.persons(id, provider);
  }

  /** The region's figures of a year's final run of a scheme, if it has one (the DIP settlement reads zibo-budget's budget tree). */
  async finalOutcome(
    scheme: SchemeId,
    region: string,
    year: number,
  ): Promise<{ runId: string; inputsHash: string; outcome: Pick<SchemeOutcome, 'region'> } | null> {
    const run = await this.store.finalRun({ scheme, region, year });
    return run ? { runId: run.id, inputsHash: run.inputsHash, outcome: { region: run.regionFigures } } : null;
  }

  /** Finalises a draft run (agency of its region, or the CLI's operator with `region` null). */
  async finalise(id: string, actor: string, region: string | null): Promise<SchemeReport> {
    const head = await this.store.runHead(id);
    if (!head || (region !== null && head.region !== region)) throw notFound('unknown-run', `no scheme run ${id}`);
    await this.store.finalise(id, head, actor);
    return this.report(id, null);
  }

  /** The runs of a region; a hospital user sees only the runs with a row of theirs. */
  async runs(p: Principal | null, region: string, filter: { scheme?: string; year?: number }): Promise<SchemeRunHead[]> {
    const scheme = filter.scheme === undefined ? undefined : schemeOf(filter.scheme).id;
    const runs = await this.store.runs(region, { scheme, year: filter.year });
    if (!p || p.role === 'agency') return runs;
    const mine: SchemeRunHead[] = [];
    for (const r of runs) if ((await this.store.providerScopes(r.id)).some((x) => readsRow(p, x))) mine.push(r);
    return mine;
  }

  /**
   * A run's report within the principal's scope (null: the CLI's operator, everything). A
   * hospital user reads only the rows that name their hospital, never the region's figures; a
   * run of theirs without such a row, or of another region, is answered as not found.
   */
  async report(id: string, p: Principal | null): Promise<SchemeReport> {
    const run = await this.store.run(id);
    if (!run || (p && p.region !== run.region)) throw unknownRun(id);
    const def = schemeOf(run.scheme);
    const { regionFigures, providers, ...head } = run;
    const head2 = { ...head, title: def.title, seed: def.seed };
    if (!p || p.role === 'agency') return { run: head2, region: regionFigures, providers };
    const own = providers.filter((x) => readsRow(p, x));
    if (!own.length) throw unknownRun(id);
    return { run: head2, region: null, providers: own };
  }

  /** The providers of a run the principal may read, by the same rule as report(), without reading their figures. */
  private async readableProviders(id: string, p: Principal | null): Promise<string[]> {
    const head = await this.store.runHead(id);
    if (!head || (p && p.region !== head.region)) throw unknownRun(id);
    const scopes = await this.store.providerScopes(id);
    if (!p || p.role === 'agency') return scopes.map((x) => x.provider);
    const own = scopes.filter((x) => readsRow(p, x)).map((x) => x.provider);
    if (!own.length) throw unknownRun(id);
    return own;
  }
}

const unknownRun = (id: string) => notFound('unknown-run', `no scheme run ${id}`);

/** A hospital user reads the rows that name their hospital (a group's members, the institution itself). */
const readsRow = (p: Principal, row: { visibleTo: readonly string[] }): boolean =>
  p.hospital !== null && row.visibleTo.includes(p.hospital);
