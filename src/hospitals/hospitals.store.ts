import { Injectable } from '@nestjs/common';
import { auditStatement } from '../audit/audit.store';
import { Hospital, HospitalBonus } from '../domain/hospital';
import { DatabaseService, Statement, StatementResult } from '../persistence/database.service';

export interface HospitalUpsertResult {
  created: number;
  updated: number;
  unchanged: number;
}

/** The statements that give a newly registered region its starting data (its default code tables). */
export type RegionSeed = (region: string, at: Date) => Generator<Statement, void, StatementResult>;

const BONUS_COLUMNS: Record<HospitalBonus, string> = {
  primaryCare: 'bonus_primary_care',
  tcm: 'bonus_tcm',
  keyDisciplineNational: 'bonus_key_discipline_national',
  keyDisciplineProvincial: 'bonus_key_discipline_provincial',
};

/** The hospital register (`hospital`) and the regions its hospitals belong to (`region`). */
@Injectable()
export class HospitalsStore {
  constructor(private readonly db: DatabaseService) {}

  /**
   * Creates or updates hospitals in one transaction, every change audited; a region met for the
   * first time is registered, with what `seed` gives it, in the same transaction.
   */
  upsert(hospitals: readonly Hospital[], actor: string, seed: RegionSeed): Promise<HospitalUpsertResult> {
    return this.db.transaction(function* (): Generator<Statement, HospitalUpsertResult, StatementResult> {
      const result: HospitalUpsertResult = { created: 0, updated: 0, unchanged: 0 };
      const at = new Date();
      for (const h of hospitals) {
        const region = (yield { sql: 'SELECT code FROM region WHERE code = ?', params: [h.region] }).rows[0];
        if (!region) {
          yield { sql: 'INSERT INTO region (code, name, created_at) VALUES (?, ?, ?)', params: [h.region, h.region, at] };
          yield auditStatement({
            at,
            actor,
            action: 'region.create',
            entity: 'region',
            entityId: h.region,
            before: null,
            after: { code: h.region },
          });
          yield* seed(h.region, at);
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
            sql: `UPDATE hospital SET region_code = ?, name = ?, level = ?, ${Object.values(BONUS_COLUMNS)
              .map((c) => `${c} = ?`)
              .join(', ')}, updated_at = ? WHERE code = ?`,
            params: [h.region, h.name, h.level, ...flags, at, h.code],
          };
          yield auditStatement({ at, actor, action: 'hospital.update', entity: 'hospital', entityId: h.code, before, after: h });
          result.updated++;
        } else result.unchanged++;
      }
      return result;
    });
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

  async regionExists(region: string): Promise<boolean> {
    return (await this.db.execute('SELECT code FROM region WHERE code = ?', [region])).rows.length > 0;
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
