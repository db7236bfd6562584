import { Injectable } from '@nestjs/common';
import { auditStatement } from '../audit/audit.store';
import { CodeTableEntry, CodeTableKind } from '../domain/code-table';
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

/** The regions' code tables (`code_table`, `code_entry`). */
@Injectable()
export class CodeTablesStore {
  constructor(private readonly db: DatabaseService) {}

  /**
   * The statements that replace a region's table of this kind (audited with the one it
   * replaces), to run inside a unit of work: a load of its own, or a new region's seeding.
   */
  *replaceStatements(info: CodeTableInfo, entries: readonly CodeTableEntry[], actor: string): Generator<Statement, void, StatementResult> {
    const { region, kind } = info;
    const before =
      (yield {
        sql: 'SELECT source, content_hash, entries, loaded_at FROM code_table WHERE region_code = ? AND kind = ?',
        params: [region, kind],
      }).rows[0] ?? null;
    yield { sql: 'DELETE FROM code_entry WHERE region_code = ? AND kind = ?', params: [region, kind] };
    yield { sql: 'DELETE FROM code_table WHERE region_code = ? AND kind = ?', params: [region, kind] };
    for (let i = 0; i < entries.length; i += INSERT_CHUNK) {
      const part = entries.slice(i, i + INSERT_CHUNK);
      yield {
        sql: `INSERT INTO code_entry (region_code, kind, code, value) VALUES ${part.map(() => '(?, ?, ?, ?)').join(', ')}`,
        params: part.flatMap((e) => [region, kind, e.code, e.value]),
      };
    }
    const at = new Date(info.loadedAt);
    yield {
      sql: 'INSERT INTO code_table (region_code, kind, source, content_hash, entries, loaded_at) VALUES (?, ?, ?, ?, ?, ?)',
      params: [region, kind, info.source, info.contentHash, info.entries, at],
    };
    yield auditStatement({
      at,
      actor,
      action: 'codeTable.load',
      entity: 'codeTable',
      entityId: `${region}/${kind}`,
      before,
      after: { source: info.source, contentHash: info.contentHash, entries: info.entries },
    });
  }

  /** Replaces the table of a registered region; false when the region is not registered. */
  replace(info: CodeTableInfo, entries: readonly CodeTableEntry[], actor: string): Promise<boolean> {
    const replace = this.replaceStatements.bind(this);
    return this.db.transaction(function* (): Generator<Statement, boolean, StatementResult> {
      const exists = (yield { sql: 'SELECT code FROM region WHERE code = ?', params: [info.region] }).rows.length > 0;
      if (!exists) return false;
      yield* replace(info, entries, actor);
      return true;
    });
  }

  async list(region: string): Promise<CodeTableInfo[]> {
    const { rows } = await this.db.execute(
      'SELECT region_code, kind, source, content_hash, entries, loaded_at FROM code_table WHERE region_code = ? ORDER BY kind',
      [region],
    );
    return rows.map((r) => ({
      region: String(r.region_code),
      kind: r.kind as CodeTableKind,
      source: String(r.source),
      contentHash: String(r.content_hash),
      entries: Number(r.entries),
      loadedAt: fromSqlDatetime(r.loaded_at),
    }));
  }

  /** Codes of the region's table of this kind (code → value), or null when none is loaded. */
  async entries(region: string, kind: CodeTableKind): Promise<Map<string, string> | null> {
    const loaded =
      (await this.db.execute('SELECT entries FROM code_table WHERE region_code = ? AND kind = ?', [region, kind])).rows.length > 0;
    if (!loaded) return null;
    const { rows } = await this.db.execute('SELECT code, value FROM code_entry WHERE region_code = ? AND kind = ?', [region, kind]);
    return new Map(rows.map((r) => [String(r.code), String(r.value)]));
  }
}
