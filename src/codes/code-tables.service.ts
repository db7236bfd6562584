import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CATALOGS_DIR, CODES_DIR, SHIPPED_CODE_TABLES } from '../config/catalogs';
import { Environment } from '../config/environment';
import { IcdRange, IcdRanges, parseRangeTable } from '../domain/catalogue/ranges';
import { CodeTableEntry, CodeTableKind, parseCodeTableLine } from '../domain/code-table';
import { CodeSetup } from '../domain/engine/batch';
import { parseProcedureType, procedureTyper, ProcedureTypeOf, TreatmentType } from '../domain/codes';
import { invalid, notFound, Problem } from '../domain/errors';
import { readText } from '../io/text-input';
import { Statement, StatementResult } from '../persistence/database.service';
import { CodeTableInfo, CodeTablesStore } from './code-tables.store';

export type { CodeTableInfo } from './code-tables.store';

/** A parsed table, ready to store. */
interface ParsedTable {
  entries: CodeTableEntry[];
  contentHash: string;
}

/**
 * The regions' official code tables: loading them (replace as a whole, audited), the tables a
 * new region starts with (the shipped 医保版 2.0 tables, unless DEFAULT_CODE_TABLES=none), and
 * lookups.
 */
@Injectable()
export class CodeTablesService {
  private chapters: Promise<IcdRange[]> | null = null;
  private shipped: Promise<{ kind: CodeTableKind; file: string; table: ParsedTable }[]> | null = null;

  constructor(
    private readonly store: CodeTablesStore,
    private readonly env: Environment,
  ) {}

  /**
   * Replaces the region's table of this kind from a text stream (through the byte gate). Any bad
   * line refuses the whole table, with every bad line named: a half-loaded official table would
   * reject good cases.
   */
  async load(region: string, kind: CodeTableKind, input: Readable, source: string, actor: string): Promise<CodeTableInfo> {
    const { text, contentHash } = await readText(input, this.env.MAX_UPLOAD_BYTES);
    const table = parseTable(kind, text, contentHash);
    const info = infoOf(region, kind, source, table);
    if (!(await this.store.replace(info, table.entries, actor)))
      throw notFound('unknown-region', `region ${region} is not registered; register its hospitals first`);
    return info;
  }

  /** The statements that give a new region the shipped tables (none under DEFAULT_CODE_TABLES=none). */
  async seedFor(actor: string): Promise<(region: string, at: Date) => Generator<Statement, void, StatementResult>> {
    const tables = this.env.DEFAULT_CODE_TABLES === 'shipped' ? await this.shippedTables() : [];
    const store = this.store;
    return function* (region: string, at: Date) {
      for (const t of tables)
        yield* store.replaceStatements(
          { ...infoOf(region, t.kind, `catalogs/codes/${t.file}`, t.table), loadedAt: at.toISOString() },
          t.table.entries,
          actor,
        );
    };
  }

  /** The shipped tables, read and checked once. */
  private shippedTables() {
    this.shipped ??= Promise.all(
      Object.entries(SHIPPED_CODE_TABLES).map(async ([kind, file]) => {
        const bytes = await readFile(join(CODES_DIR, file));
        return {
          kind: kind as CodeTableKind,
          file,
          table: parseTable(
            kind as CodeTableKind,
            bytes.toString('utf8').replace(/^\uFEFF/, ''),
            createHash('sha256').update(bytes).digest('hex'),
          ),
        };
      }),
    );
    return this.shipped;
  }

  list(region: string): Promise<CodeTableInfo[]> {
    return this.store.list(region);
  }

  /** Codes of the region's table of this kind, or null when none is loaded. */
  entries(region: string, kind: CodeTableKind): Promise<Map<string, string> | null> {
    return this.store.entries(region, kind);
  }

  /** The region's procedure-type table and official procedure names (spec §3), as loaded. */
  async procedureTables(region: string): Promise<{ types: [string, Exclude<TreatmentType, 'conservative'>][]; names: [string, string][] }> {
    const [types, names] = await Promise.all([this.entries(region, 'procedureType'), this.entries(region, 'procedure')]);
    return { types: [...(types ?? [])].map(([code, t]) => [code, parseProcedureType(t)!]), names: [...(names ?? [])] };
  }

  /** The region's procedure typing: its type table, then the fallback rule with official names. */
  async procedureTyper(region: string): Promise<ProcedureTypeOf> {
    const { types, names } = await this.procedureTables(region);
    return procedureTyper(new Map(types), new Map(names));
  }

  /** The region's ICD-10 ranges (spec §4.3): the shipped chapters, and its blocks when it has a block table. */
  async ranges(region: string): Promise<IcdRanges> {
    this.chapters ??= readFile(join(CATALOGS_DIR, 'icd10-chapters.tsv'), 'utf8').then(parseRangeTable);
    const [chapters, blocks] = await Promise.all([this.chapters, this.entries(region, 'icdBlocks')]);
    return { chapters, blocks: [...(blocks?.keys() ?? [])].map((k) => ({ lower: k.slice(0, 3), upper: k.slice(4) })) };
  }

  /** The region's code tables as the engine and the catalogue builder take them (plain JSON). */
  async codeSetup(region: string): Promise<CodeSetup> {
    const [ranges, severe, moderate, procedures] = await Promise.all([
      this.ranges(region),
      this.entries(region, 'severeSecondary'),
      this.entries(region, 'moderateSecondary'),
      this.procedureTables(region),
    ]);
    return {
      ranges,
      severe: [...(severe?.keys() ?? [])].sort(),
      moderate: [...(moderate?.keys() ?? [])].sort(),
      procedureTypes: procedures.types,
      procedureNames: procedures.names,
    };
  }
}

/** Every line of a table, or the refusal naming each bad line. */
function parseTable(kind: CodeTableKind, text: string, contentHash: string): ParsedTable {
  const entries = new Map<string, CodeTableEntry>();
  const problems: Problem[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const parsed = parseCodeTableLine(kind, line);
    if (parsed === null) return;
    if ('error' in parsed) problems.push({ line: i + 1, reason: parsed.error });
    else if (entries.has(parsed.code) && entries.get(parsed.code)!.value !== parsed.value)
      problems.push({ line: i + 1, reason: `code ${parsed.code} appears twice with different values` });
    else entries.set(parsed.code, parsed);
  });
  if (problems.length > 0) throw invalid('invalid-code-table', `${problems.length} bad line(s); nothing loaded`, problems.slice(0, 1000));
  if (entries.size === 0) throw invalid('invalid-code-table', 'the table is empty; nothing loaded');
  return { entries: [...entries.values()], contentHash };
}

const infoOf = (region: string, kind: CodeTableKind, source: string, t: ParsedTable): CodeTableInfo => ({
  region,
  kind,
  source,
  contentHash: t.contentHash,
  entries: t.entries.length,
  loadedAt: new Date().toISOString(),
});
