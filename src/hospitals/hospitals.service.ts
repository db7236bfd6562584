import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import Papa from 'papaparse';
import { Readable } from 'node:stream';
import { auditStatement } from '../audit/audit';
import { Hospital, HospitalBonus, validateHospital } from '../domain/hospital';
import { DatabaseService, Statement, StatementResult } from '../persistence/database.service';

export interface HospitalUpsertResult {
  created: number;
  updated: number;
  unchanged: number;
}

const BONUS_COLUMNS: Record<HospitalBonus, string> = {
  primaryCare: 'bonus_primary_care',
  tcm: 'bonus_tcm',
  keyDisciplineNational: 'bonus_key_discipline_national',
  keyDisciplineProvincial: 'bonus_key_discipline_provincial',
};

/** Registers and updates hospitals; every change is audited in the same transaction. */
@Injectable()
export class HospitalsService {
  constructor(private readonly db: DatabaseService) {}

  /**
   * Creates or updates hospitals. Hospital lists are small and every one of them matters for
   * payment, so any bad row refuses the whole list, naming each problem by row and field.
   */
  async upsert(rows: Record<string, unknown>[], actor: string, rowBase = 0): Promise<HospitalUpsertResult> {
    const problems: { line: number; field: string; reason: string }[] = [];
    const hospitals: Hospital[] = [];
    const seen = new Map<string, number>();
    rows.forEach((raw, i) => {
      const v = validateHospital(raw);
      if ('errors' in v) v.errors.forEach((e) => problems.push({ line: i + rowBase, ...e }));
      else if (seen.has(v.hospital.code)) problems.push({ line: i + rowBase, field: 'code', reason: `repeats row ${seen.get(v.hospital.code)}` });
      else {
        seen.set(v.hospital.code, i + rowBase);
        hospitals.push(v.hospital);
      }
    });
    if (problems.length > 0) throw new UnprocessableEntityException({ error: 'invalid-hospitals', message: `${problems.length} problem(s); nothing stored`, problems });
    if (hospitals.length === 0) throw new UnprocessableEntityException({ error: 'invalid-hospitals', message: 'no hospitals given', problems: [] });

    return this.db.transaction(function* (): Generator<Statement, HospitalUpsertResult, StatementResult> {
      const result = { created: 0, updated: 0, unchanged: 0 };
      const at = new Date();
      for (const h of hospitals) {
        const region = (yield { sql: 'SELECT code FROM region WHERE code = ?', params: [h.region] }).rows[0];
        if (!region) {
          yield { sql: 'INSERT INTO region (code, name, created_at) VALUES (?, ?, ?)', params: [h.region, h.region, at] };
          yield auditStatement({ at, actor, action: 'region.create', entity: 'region', entityId: h.region, before: null, after: { code: h.region } });
        }
        const row = (yield { sql: 'SELECT * FROM hospital WHERE code = ?', params: [h.code] }).rows[0];
        const before = row ? hospitalOfRow(row) : null;
        const flags = (Object.keys(BONUS_COLUMNS) as HospitalBonus[]).map((b) => h.bonuses.includes(b));
        if (!before) {
          yield {
            sql: `INSERT INTO hospital (code, region_code, name, level, ${Object.values(BONUS_COLUMNS).join(', ')}, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            params: [h.code, h.region, h.name, h.level, ...flags, at, at],
          };
          yield auditStatement({ at, actor, action: 'hospital.create', entity: 'hospital', entityId: h.code, before: null, after: h });
          result.created++;
        } else if (JSON.stringify(before) !== JSON.stringify(h)) {
          yield {
            sql: `UPDATE hospital SET region_code = ?, name = ?, level = ?, ${Object.values(BONUS_COLUMNS).map((c) => `${c} = ?`).join(', ')}, updated_at = ? WHERE code = ?`,
            params: [h.region, h.name, h.level, ...flags, at, h.code],
          };
          yield auditStatement({ at, actor, action: 'hospital.update', entity: 'hospital', entityId: h.code, before, after: h });
          result.updated++;
        } else result.unchanged++;
      }
      return result;
    });
  }

  /** Reads a hospital file: CSV (`code,name,region,level,bonuses`) or a JSON array. */
  async upsertFile(input: Readable, format: 'csv' | 'json', actor: string): Promise<HospitalUpsertResult> {
    if (format === 'json') {
      let text = '';
      for await (const chunk of input) text += String(chunk);
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (err) {
        throw new UnprocessableEntityException({ error: 'invalid-hospitals', message: `not valid JSON: ${(err as Error).message}`, problems: [] });
      }
      if (!Array.isArray(doc)) throw new UnprocessableEntityException({ error: 'invalid-hospitals', message: 'expected a JSON array of hospitals', problems: [] });
      return this.upsert(doc as Record<string, unknown>[], actor);
    }
    let text = '';
    for await (const chunk of input) text += String(chunk);
    const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: 'greedy', transform: (v) => v.trim() });
    if (parsed.errors.length > 0) {
      const problems = parsed.errors.map((e) => ({ line: (e.row ?? 0) + 2, field: '*', reason: e.message }));
      throw new UnprocessableEntityException({ error: 'invalid-hospitals', message: 'the CSV cannot be read; nothing stored', problems });
    }
    const rows: Record<string, unknown>[] = parsed.data;
    // Row numbers are file lines: the header is line 1.
    return this.upsert(rows, actor, 2);
  }

  async list(region?: string): Promise<Hospital[]> {
    const { rows } = region
      ? await this.db.execute('SELECT * FROM hospital WHERE region_code = ? ORDER BY code', [region])
      : await this.db.execute('SELECT * FROM hospital ORDER BY code');
    return rows.map(hospitalOfRow);
  }

  async get(code: string): Promise<Hospital | null> {
    const row = (await this.db.execute('SELECT * FROM hospital WHERE code = ?', [code])).rows[0];
    return row ? hospitalOfRow(row) : null;
  }
}

function hospitalOfRow(r: Record<string, unknown>): Hospital {
  return {
    code: String(r.code),
    name: String(r.name),
    region: String(r.region_code),
    level: r.level as Hospital['level'],
    bonuses: (Object.keys(BONUS_COLUMNS) as HospitalBonus[]).filter((b) => Number(r[BONUS_COLUMNS[b]]) === 1),
  };
}
