import { Injectable } from '@nestjs/common';
import { auditStatement } from '../audit/audit.store';
import { conflict } from '../domain/errors';
import { NO_PERSONS } from '../domain/schemes/person-table';
import { InputRow, InputValue, PersonFigures, PersonTable, ProviderFigures, SchemeId } from '../domain/schemes/scheme';
import { DatabaseService, fromSqlDatetime, Statement, StatementResult } from '../persistence/database.service';
import { personChunks, unpackPersonChunk } from './person-chunks';

type Work<T> = Generator<Statement, T, StatementResult>;

/** Supersedes a table's current import of the year, if it has one: that import's id and sha256. */
function* supersedeCurrent(k: SchemeYearKey, table: string, at: Date): Work<{ id: string; sha256: string } | null> {
  const before = (yield {
    sql: 'SELECT id, sha256 FROM scheme_input WHERE scheme = ? AND region_code = ? AND year = ? AND table_name = ? AND superseded_at IS NULL',
    params: [k.scheme, k.region, k.year, table],
  }).rows[0];
  if (!before) return null;
  yield { sql: 'UPDATE scheme_input SET superseded_at = ? WHERE id = ?', params: [at, String(before.id)] };
  return { id: String(before.id), sha256: String(before.sha256) };
}

/** Whether the year's current imports are exactly the ones a run used. */
function* inputsAre(k: SchemeYearKey, used: readonly string[]): Work<boolean> {
  const current = (yield {
    sql: 'SELECT id FROM scheme_input WHERE scheme = ? AND region_code = ? AND year = ? AND superseded_at IS NULL',
    params: [k.scheme, k.region, k.year],
  }).rows.map((r) => String(r.id));
  return current.length === used.length && used.every((id) => current.includes(id));
}

/** Person chunks are inserted about this many bytes a statement. */
const PERSON_BATCH_BYTES = 1 << 20;

/** Input rows are stored this many to a chunk. */
const CHUNK_ROWS = 5_000;

/** A chunk of rows: the column names once, then each row's cells in that order (about half the size of objects). */
function packChunk(rows: readonly InputRow[]): string {
  const columns = rows.length ? Object.keys(rows[0]) : [];
  return JSON.stringify({ columns, rows: rows.map((r) => columns.map((c) => r[c] ?? null)) });
}

function unpackChunk(data: string, out: InputRow[]): void {
  const { columns, rows } = JSON.parse(data) as { columns: string[]; rows: InputValue[][] };
  for (const cells of rows) {
    const row: Record<string, InputValue> = {};
    columns.forEach((c, i) => (row[c] = cells[i]));
    out.push(row);
  }
}

/** What identifies a scheme's year: every input, run and finalise of it locks its row first. */
export interface SchemeYearKey {
  scheme: SchemeId;
  region: string;
  year: number;
}

/** An imported input table, without its rows. */
export interface StoredInput {
  id: string;
  table: string;
  sha256: string;
  rows: number;
  source: 'csv' | 'json';
  importedBy: string;
  importedAt: string;
}

/** What a run used of an input. */
export interface UsedInput {
  table: string;
  inputId: string;
  sha256: string;
  rows: number;
}

export type SchemeRunStatus = 'draft' | 'final';

export interface SchemeRunHead extends SchemeYearKey {
  id: string;
  status: SchemeRunStatus;
  policyHash: string;
  inputs: UsedInput[];
  inputsHash: string;
  createdBy: string;
  createdAt: string;
  finalisedBy: string | null;
  finalisedAt: string | null;
}

export interface StoredSchemeRun extends SchemeRunHead {
  regionFigures: Record<string, unknown>;
  providers: ProviderFigures[];
}

/**
 * The schemes' SQL (migration 1733500000000): policies by hash, input tables with their rows in
 * chunks, and each year's one run (a draft replaced by the next run, or final), its providers'
 * figures. Every change of a year locks its `scheme_year` row first, so an import, a run and a
 * finalise of the same year never interleave (a run computed on inputs that changed meanwhile
 * is refused instead of stored).
 */
@Injectable()
export class SchemesStore {
  constructor(private readonly db: DatabaseService) {}

  private get forUpdate(): string {
    return this.db.engine === 'mysql' ? ' FOR UPDATE' : '';
  }

  /** Creates the year's lock row, outside any transaction (no shared-lock upgrade inside one). */
  async ensureYear(k: SchemeYearKey): Promise<void> {
    const insert = this.db.engine === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    await this.db.execute(`${insert} INTO scheme_year (scheme, region_code, year) VALUES (?, ?, ?)`, [k.scheme, k.region, k.year]);
  }

  /** Locks the year and refuses when its run is final. */
  private *lockOpenYear(k: SchemeYearKey, what: string): Work<void> {
    const y = (yield {
      sql: `SELECT year FROM scheme_year WHERE scheme = ? AND region_code = ? AND year = ?${this.forUpdate}`,
      params: [k.scheme, k.region, k.year],
    }).rows[0];
    if (!y) throw new Error(`scheme_year ${k.scheme}/${k.region}/${k.year} is missing: ensureYear first`);
    const final = (yield {
      sql: `SELECT id FROM scheme_run WHERE scheme = ? AND region_code = ? AND year = ? AND status = 'final'`,
      params: [k.scheme, k.region, k.year],
    }).rows[0];
    if (final) throw conflict('finalised', `the ${k.scheme} run of ${k.region} ${k.year} is final (${String(final.id)}); ${what} refused`);
  }

  /** The year's final run, if it has one: its id, inputs' hash and region's figures (not its providers'). */
  async finalRun(k: SchemeYearKey): Promise<{ id: string; inputsHash: string; regionFigures: Record<string, unknown> } | null> {
    const r = (
      await this.db.execute(
        `SELECT id, inputs_hash, region_figures FROM scheme_run WHERE scheme = ? AND region_code = ? AND year = ? AND status = 'final'`,
        [k.scheme, k.region, k.year],
      )
    ).rows[0];
    return r
      ? {
          id: String(r.id),
          inputsHash: String(r.inputs_hash),
          regionFigures: JSON.parse(String(r.region_figures)) as Record<string, unknown>,
        }
      : null;
  }

  // ------------------------------------------------------------------ policies

  async savePolicy(k: SchemeYearKey, hash: string, document: string, actor: string): Promise<void> {
    const insert = this.db.engine === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    await this.db.execute(
      `${insert} INTO scheme_policy (hash, scheme, region_code, year, document, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [hash, k.scheme, k.region, k.year, document, actor, new Date()],
    );
  }

  /** The policy given last for the year, if any. */
  async latestPolicy(k: SchemeYearKey): Promise<unknown> {
    const r = (
      await this.db.execute(
        'SELECT document FROM scheme_policy WHERE scheme = ? AND region_code = ? AND year = ? ORDER BY created_at DESC, hash LIMIT 1',
        [k.scheme, k.region, k.year],
      )
    ).rows[0];
    return r ? (JSON.parse(String(r.document)) as unknown) : null;
  }

  async policy(hash: string): Promise<unknown> {
    const r = (await this.db.execute('SELECT document FROM scheme_policy WHERE hash = ?', [hash])).rows[0];
    return r ? (JSON.parse(String(r.document)) as unknown) : null;
  }

  // ------------------------------------------------------------------ inputs

  /**
   * Stores an input table in one transaction (its rows as arrays in column order), superseding
   * the table's previous import; audited. Refused once the year's run is final.
   */
  saveInput(
    k: SchemeYearKey,
    input: { id: string; table: string; sha256: string; source: 'csv' | 'json'; rows: readonly InputRow[] },
    actor: string,
  ): Promise<{ replaced: string | null }> {
    const lockOpenYear = (k2: SchemeYearKey, what: string) => this.lockOpenYear(k2, what);
    return this.db.transaction(function* (): Work<{ replaced: string | null }> {
      yield* lockOpenYear(k, `a new ${input.table} table is`);
      const at = new Date();
      const before = yield* supersedeCurrent(k, input.table, at);
      yield {
        sql: 'INSERT INTO scheme_input (id, scheme, region_code, year, table_name, sha256, row_count, source, imported_by, imported_at, superseded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)',
        params: [input.id, k.scheme, k.region, k.year, input.table, input.sha256, input.rows.length, input.source, actor, at],
      };
      for (let seq = 0; seq * CHUNK_ROWS < input.rows.length; seq++)
        yield {
          sql: 'INSERT INTO scheme_input_chunk (input_id, seq, data) VALUES (?, ?, ?)',
          params: [input.id, seq, packChunk(input.rows.slice(seq * CHUNK_ROWS, (seq + 1) * CHUNK_ROWS))],
        };
      yield auditStatement({
        at,
        actor,
        action: 'scheme.input',
        entity: 'scheme',
        entityId: `${k.scheme}/${k.region}/${k.year}/${input.table}`,
        before: before ? { inputId: before.id, sha256: before.sha256 } : null,
        after: { inputId: input.id, sha256: input.sha256, rows: input.rows.length, source: input.source },
      });
      return { replaced: before?.id ?? null };
    });
  }

  /**
   * Withdraws a table of a year (an optional table that should not count any more): its current
   * import is superseded by none. Audited; refused once the year's run is final. The id
   * withdrawn, or null when the table had no import.
   */
  withdrawInput(k: SchemeYearKey, table: string, actor: string): Promise<string | null> {
    const lockOpenYear = (k2: SchemeYearKey, what: string) => this.lockOpenYear(k2, what);
    return this.db.transaction(function* (): Work<string | null> {
      yield* lockOpenYear(k, `withdrawing the ${table} table is`);
      const at = new Date();
      const before = yield* supersedeCurrent(k, table, at);
      if (!before) return null;
      yield auditStatement({
        at,
        actor,
        action: 'scheme.input.withdraw',
        entity: 'scheme',
        entityId: `${k.scheme}/${k.region}/${k.year}/${table}`,
        before: { inputId: before.id, sha256: before.sha256 },
        after: null,
      });
      return before.id;
    });
  }

  /** The current (not superseded) input tables of a year. */
  async currentInputs(k: SchemeYearKey): Promise<StoredInput[]> {
    const rows = (
      await this.db.execute(
        `SELECT id, table_name, sha256, row_count, source, imported_by, imported_at FROM scheme_input
          WHERE scheme = ? AND region_code = ? AND year = ? AND superseded_at IS NULL ORDER BY table_name`,
        [k.scheme, k.region, k.year],
      )
    ).rows;
    return rows.map((r) => ({
      id: String(r.id),
      table: String(r.table_name),
      sha256: String(r.sha256),
      rows: Number(r.row_count),
      source: String(r.source) as 'csv' | 'json',
      importedBy: String(r.imported_by),
      importedAt: fromSqlDatetime(r.imported_at),
    }));
  }

  /** The rows of an input, as they were read, chunk by chunk. */
  async inputRows(inputId: string): Promise<InputRow[]> {
    const out: InputRow[] = [];
    const chunks = (await this.db.execute('SELECT data FROM scheme_input_chunk WHERE input_id = ? ORDER BY seq', [inputId])).rows;
    for (const c of chunks) unpackChunk(String(c.data), out);
    return out;
  }

  // ------------------------------------------------------------------ runs

  /**
   * Stores a run as the year's draft, replacing the previous draft, in one transaction (audited).
   * Refused when the year is final, or when an input it used was superseded while it ran.
   */
  replaceDraft(
    run: SchemeRunHead,
    regionFigures: Record<string, unknown>,
    providers: readonly ProviderFigures[],
    persons: PersonTable = NO_PERSONS,
  ): Promise<{ replaced: string | null }> {
    const lockOpenYear = (k2: SchemeYearKey, what: string) => this.lockOpenYear(k2, what);
    const forUpdate = this.forUpdate;
    return this.db.transaction(function* (): Work<{ replaced: string | null }> {
      yield* lockOpenYear(run, 'a new run is');
      if (
        !(yield* inputsAre(
          run,
          run.inputs.map((i) => i.inputId),
        ))
      )
        throw conflict(
          'inputs-changed',
          `an input table of ${run.scheme} ${run.region} ${run.year} was imported while the run worked; nothing stored, run again`,
        );
      const before = (yield {
        sql: `SELECT id FROM scheme_run WHERE scheme = ? AND region_code = ? AND year = ?${forUpdate}`,
        params: [run.scheme, run.region, run.year],
      }).rows[0];
      if (before) {
        yield { sql: 'DELETE FROM scheme_person_chunk WHERE run_id = ?', params: [String(before.id)] };
        yield { sql: 'DELETE FROM scheme_provider WHERE run_id = ?', params: [String(before.id)] };
        yield { sql: 'DELETE FROM scheme_run WHERE id = ?', params: [String(before.id)] };
      }
      const at = new Date(run.createdAt);
      yield {
        sql: `INSERT INTO scheme_run (id, scheme, region_code, year, status, policy_hash, inputs, inputs_hash, region_figures, created_by, created_at)
              VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?)`,
        params: [
          run.id,
          run.scheme,
          run.region,
          run.year,
          run.policyHash,
          JSON.stringify(run.inputs),
          run.inputsHash,
          JSON.stringify(regionFigures),
          run.createdBy,
          at,
        ],
      };
      // A hundred providers a statement: a run of thousands of institutions is tens of round trips.
      for (let i = 0; i < providers.length; i += 100) {
        const batch = providers.slice(i, i + 100);
        yield {
          sql: `INSERT INTO scheme_provider (run_id, provider, name, visible_to, figures) VALUES ${batch.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
          params: batch.flatMap((p) => [run.id, p.provider, p.name.slice(0, 200), JSON.stringify(p.visibleTo), JSON.stringify(p.figures)]),
        };
      }
      // Person chunks about a megabyte a statement (far below any max_allowed_packet): a round trip per chunk costs more than its bytes.
      let batch: [string, number, Buffer][] = [];
      let bytes = 0;
      const insertBatch = (): Statement => {
        const statement = {
          sql: `INSERT INTO scheme_person_chunk (run_id, provider, seq, data) VALUES ${batch.map(() => '(?, ?, ?, ?)').join(', ')}`,
          params: batch.flatMap(([provider, seq, data]) => [run.id, provider, seq, data]),
        };
        batch = [];
        bytes = 0;
        return statement;
      };
      for (const chunk of personChunks(persons)) {
        batch.push(chunk);
        bytes += chunk[2].length;
        if (bytes >= PERSON_BATCH_BYTES) yield insertBatch();
      }
      if (batch.length) yield insertBatch();
      yield auditStatement({
        at,
        actor: run.createdBy,
        action: 'scheme.run',
        entity: 'scheme',
        entityId: `${run.scheme}/${run.region}/${run.year}`,
        before: before ? { runId: String(before.id) } : null,
        after: { runId: run.id, policyHash: run.policyHash, inputsHash: run.inputsHash, providers: providers.length },
      });
      return { replaced: before ? String(before.id) : null };
    });
  }

  /**
   * Freezes the year's draft (audited). Refused when it is not the year's draft any more, or
   * when an input was imported after it (its figures would not be the inputs' now).
   */
  finalise(id: string, k: SchemeYearKey, actor: string): Promise<void> {
    const lockOpenYear = (k2: SchemeYearKey, what: string) => this.lockOpenYear(k2, what);
    return this.db.transaction(function* (): Work<void> {
      yield* lockOpenYear(k, 'finalising again is');
      const run = (yield { sql: 'SELECT inputs FROM scheme_run WHERE id = ?', params: [id] }).rows[0];
      if (!run) throw conflict('replaced', `run ${id} was replaced by a newer run of ${k.scheme} ${k.region} ${k.year}; finalise that one`);
      if (
        !(yield* inputsAre(
          k,
          (JSON.parse(String(run.inputs)) as UsedInput[]).map((i) => i.inputId),
        ))
      )
        throw conflict('inputs-changed', `an input table was imported after run ${id}; run the year again, then finalise`);
      const at = new Date();
      yield {
        sql: `UPDATE scheme_run SET status = 'final', finalised_by = ?, finalised_at = ? WHERE id = ? AND status = 'draft'`,
        params: [actor, at, id],
      };
      yield auditStatement({
        at,
        actor,
        action: 'scheme.finalise',
        entity: 'scheme',
        entityId: id,
        before: { status: 'draft' },
        after: { status: 'final' },
      });
    });
  }

  private head(r: Record<string, unknown>): SchemeRunHead {
    return {
      id: String(r.id),
      scheme: String(r.scheme) as SchemeId,
      region: String(r.region_code),
      year: Number(r.year),
      status: String(r.status) as SchemeRunStatus,
      policyHash: String(r.policy_hash),
      inputs: JSON.parse(String(r.inputs)) as UsedInput[],
      inputsHash: String(r.inputs_hash),
      createdBy: String(r.created_by),
      createdAt: fromSqlDatetime(r.created_at),
      finalisedBy: r.finalised_by === null ? null : String(r.finalised_by),
      finalisedAt: r.finalised_at === null ? null : fromSqlDatetime(r.finalised_at),
    };
  }

  private static readonly HEAD =
    'id, scheme, region_code, year, status, policy_hash, inputs, inputs_hash, created_by, created_at, finalised_by, finalised_at';

  /** The runs of a region (a scheme, a year), newest year first. */
  async runs(region: string, filter: { scheme?: SchemeId; year?: number } = {}): Promise<SchemeRunHead[]> {
    const where = ['region_code = ?'];
    const params: (string | number)[] = [region];
    if (filter.scheme) {
      where.push('scheme = ?');
      params.push(filter.scheme);
    }
    if (filter.year !== undefined) {
      where.push('year = ?');
      params.push(filter.year);
    }
    const rows = (
      await this.db.execute(`SELECT ${SchemesStore.HEAD} FROM scheme_run WHERE ${where.join(' AND ')} ORDER BY year DESC, scheme`, params)
    ).rows;
    return rows.map((r) => this.head(r));
  }

  async runHead(id: string): Promise<SchemeRunHead | null> {
    const r = (await this.db.execute(`SELECT ${SchemesStore.HEAD} FROM scheme_run WHERE id = ?`, [id])).rows[0];
    return r ? this.head(r) : null;
  }

  /** The per-person figures of a run, of one provider or (null) of all, in provider order, chunk by chunk. */
  async *persons(runId: string, provider: string | null): AsyncGenerator<PersonFigures[]> {
    const where = provider === null ? '' : ' AND provider = ?';
    const keys = (
      await this.db.execute(
        `SELECT provider, seq FROM scheme_person_chunk WHERE run_id = ?${where} ORDER BY provider, seq`,
        provider === null ? [runId] : [runId, provider],
      )
    ).rows;
    for (const k of keys) {
      const r = (
        await this.db.execute('SELECT data FROM scheme_person_chunk WHERE run_id = ? AND provider = ? AND seq = ?', [
          runId,
          String(k.provider),
          Number(k.seq),
        ])
      ).rows[0];
      yield unpackPersonChunk(String(k.provider), r.data as Buffer);
    }
  }

  /** Who may read each provider row of a run (its figures not read). */
  async providerScopes(runId: string): Promise<{ provider: string; visibleTo: string[] }[]> {
    const rows = (await this.db.execute('SELECT provider, visible_to FROM scheme_provider WHERE run_id = ? ORDER BY provider', [runId]))
      .rows;
    return rows.map((r) => ({ provider: String(r.provider), visibleTo: JSON.parse(String(r.visible_to)) as string[] }));
  }

  async run(id: string): Promise<StoredSchemeRun | null> {
    const r = (await this.db.execute(`SELECT ${SchemesStore.HEAD}, region_figures FROM scheme_run WHERE id = ?`, [id])).rows[0];
    if (!r) return null;
    const providers = (
      await this.db.execute('SELECT provider, name, visible_to, figures FROM scheme_provider WHERE run_id = ? ORDER BY provider', [id])
    ).rows.map((p) => ({
      provider: String(p.provider),
      name: String(p.name),
      visibleTo: JSON.parse(String(p.visible_to)) as string[],
      figures: JSON.parse(String(p.figures)) as Record<string, unknown>,
    }));
    return { ...this.head(r), regionFigures: JSON.parse(String(r.region_figures)) as Record<string, unknown>, providers };
  }
}
