import { Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { auditStatement } from '../audit/audit';
import { CodeTableEntry, CodeTableKind, parseCodeTableLine } from '../domain/code-table';
import { procedureTyper, ProcedureTypeOf, parseProcedureType, TreatmentType } from '../domain/codes';
import { DatabaseService, fromSqlDatetime, Statement, StatementResult } from '../persistence/database.service';

export interface CodeTableInfo {
  region: string;
  kind: CodeTableKind;
  source: string;
  contentHash: string;
  entries: number;
  loadedAt: string;
}

const INSERT_CHUNK = 400;

/** The region's official code tables: loading them (replace as a whole, audited) and lookups. */
@Injectable()
export class CodeTablesService {
  constructor(private readonly db: DatabaseService) {}

  /**
   * Replaces the region's table of this kind. Any bad line refuses the whole table, with every
   * bad line named: a half-loaded official table would reject good cases.
   */
  async load(region: string, kind: CodeTableKind, input: Readable, source: string, actor: string): Promise<CodeTableInfo> {
    const hash = createHash('sha256');
    const entries = new Map<string, CodeTableEntry>();
    const problems: { line: number; reason: string }[] = [];
    let lineNo = 0;
    input.on('data', (chunk: Buffer | string) => hash.update(chunk));
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      lineNo++;
      const parsed = parseCodeTableLine(kind, line);
      if (parsed === null) continue;
      if ('error' in parsed) problems.push({ line: lineNo, reason: parsed.error });
      else if (entries.has(parsed.code) && entries.get(parsed.code)!.value !== parsed.value) problems.push({ line: lineNo, reason: `code ${parsed.code} appears twice with different values` });
      else entries.set(parsed.code, parsed);
    }
    if (problems.length > 0) throw new UnprocessableEntityException({ error: 'invalid-code-table', message: `${problems.length} bad line(s); nothing loaded`, problems: problems.slice(0, 1000) });
    if (entries.size === 0) throw new UnprocessableEntityException({ error: 'invalid-code-table', message: 'the table is empty; nothing loaded', problems: [] });

    const info: CodeTableInfo = { region, kind, source, contentHash: hash.digest('hex'), entries: entries.size, loadedAt: new Date().toISOString() };
    const list = [...entries.values()];
    const found = await this.db.transaction(function* (): Generator<Statement, boolean, StatementResult> {
      const exists = (yield { sql: 'SELECT code FROM region WHERE code = ?', params: [region] }).rows.length > 0;
      if (!exists) return false;
      const before = (yield { sql: 'SELECT source, content_hash, entries, loaded_at FROM code_table WHERE region_code = ? AND kind = ?', params: [region, kind] }).rows[0] ?? null;
      yield { sql: 'DELETE FROM code_entry WHERE region_code = ? AND kind = ?', params: [region, kind] };
      yield { sql: 'DELETE FROM code_table WHERE region_code = ? AND kind = ?', params: [region, kind] };
      for (let i = 0; i < list.length; i += INSERT_CHUNK) {
        const part = list.slice(i, i + INSERT_CHUNK);
        yield { sql: `INSERT INTO code_entry (region_code, kind, code, value) VALUES ${part.map(() => '(?, ?, ?, ?)').join(', ')}`, params: part.flatMap((e) => [region, kind, e.code, e.value]) };
      }
      yield { sql: 'INSERT INTO code_table (region_code, kind, source, content_hash, entries, loaded_at) VALUES (?, ?, ?, ?, ?, ?)', params: [region, kind, source, info.contentHash, info.entries, new Date(info.loadedAt)] };
      yield auditStatement({ at: new Date(info.loadedAt), actor, action: 'codeTable.load', entity: 'codeTable', entityId: `${region}/${kind}`, before, after: { source, contentHash: info.contentHash, entries: info.entries } });
      return true;
    });
    if (!found) throw new NotFoundException({ error: 'unknown-region', message: `region ${region} is not registered; register its hospitals first` });
    return info;
  }

  async list(region: string): Promise<CodeTableInfo[]> {
    const { rows } = await this.db.execute('SELECT region_code, kind, source, content_hash, entries, loaded_at FROM code_table WHERE region_code = ? ORDER BY kind', [region]);
    return rows.map((r) => ({ region: String(r.region_code), kind: r.kind as CodeTableKind, source: String(r.source), contentHash: String(r.content_hash), entries: Number(r.entries), loadedAt: fromSqlDatetime(r.loaded_at) }));
  }

  /** Codes of the region's table of this kind, or null when none is loaded. */
  async entries(region: string, kind: CodeTableKind): Promise<Map<string, string> | null> {
    const loaded = (await this.db.execute('SELECT entries FROM code_table WHERE region_code = ? AND kind = ?', [region, kind])).rows.length > 0;
    if (!loaded) return null;
    const { rows } = await this.db.execute('SELECT code, value FROM code_entry WHERE region_code = ? AND kind = ?', [region, kind]);
    return new Map(rows.map((r) => [String(r.code), String(r.value)]));
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
}
