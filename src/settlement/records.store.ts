import { Injectable } from '@nestjs/common';
import { auditStatement } from '../audit/audit.store';
import {
  AssessmentRecord,
  BudgetActualRecord,
  RecordKind,
  RevolvingFundRecord,
  SettlementRecord,
  ViolationRecord,
} from '../domain/settlement/records';
import { DatabaseService, Statement, StatementResult } from '../persistence/database.service';

/** The agency's records for the annual settlement: assessments, violations, revolving funds, budget actuals. */
@Injectable()
export class RecordsStore {
  constructor(private readonly db: DatabaseService) {}

  /** Stores records in one transaction, each audited: scores, advances and actuals replace the one they supersede; violations add up. */
  async save(kind: RecordKind, records: readonly SettlementRecord[], actor: string): Promise<void> {
    await this.db.transaction(function* (): Generator<Statement, void, StatementResult> {
      const at = new Date();
      for (const r of records) {
        const { where, params, insert } = statementsOf(kind, r);
        const before = where ? (yield { sql: `SELECT * FROM ${TABLE[kind]} WHERE ${where}`, params }).rows[0] : undefined;
        if (before) yield { sql: `DELETE FROM ${TABLE[kind]} WHERE ${where}`, params };
        yield { ...insert, params: [...insert.params!, actor, at] };
        yield auditStatement({
          at,
          actor,
          action: `record.${kind}`,
          entity: kind,
          entityId: params.join('/') || `${(r as ViolationRecord).year}/${(r as ViolationRecord).hospitalCode}`,
          before: before ?? null,
          after: r,
        });
      }
    });
  }
}

const TABLE: Record<RecordKind, string> = {
  assessment: 'assessment',
  violation: 'violation_deduction',
  revolvingFund: 'revolving_fund',
  budgetActual: 'budget_actual',
};

/** The key of the record it supersedes (none for violations, which add up) and its insert. */
function statementsOf(kind: RecordKind, r: SettlementRecord): { where: string | null; params: (string | number)[]; insert: Statement } {
  switch (kind) {
    case 'assessment': {
      const a = r as AssessmentRecord;
      return {
        where: 'year = ? AND hospital_code = ?',
        params: [a.year, a.hospitalCode],
        insert: {
          sql: 'INSERT INTO assessment (year, hospital_code, score, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?)',
          params: [a.year, a.hospitalCode, a.score],
        },
      };
    }
    case 'revolvingFund': {
      const f = r as RevolvingFundRecord;
      return {
        where: 'year = ? AND pool = ? AND hospital_code = ?',
        params: [f.year, f.pool, f.hospitalCode],
        insert: {
          sql: 'INSERT INTO revolving_fund (year, pool, hospital_code, amount, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
          params: [f.year, f.pool, f.hospitalCode, f.amount],
        },
      };
    }
    case 'budgetActual': {
      const b = r as BudgetActualRecord;
      return {
        where: 'region_code = ? AND year = ? AND pool = ? AND line = ?',
        params: [b.region, b.year, b.pool, b.line],
        insert: {
          sql: 'INSERT INTO budget_actual (region_code, year, pool, line, amount, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          params: [b.region, b.year, b.pool, b.line, b.amount],
        },
      };
    }
    case 'violation': {
      const v = r as ViolationRecord;
      return {
        where: null,
        params: [],
        insert: {
          sql: 'INSERT INTO violation_deduction (year, pool, hospital_code, amount, reason, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          params: [v.year, v.pool, v.hospitalCode, v.amount, v.reason],
        },
      };
    }
  }
}
