import { BadRequestException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import Papa from 'papaparse';
import { auditStatement } from '../audit/audit';
import { BudgetActualRecord, RecordKind, RevolvingFundRecord, SettlementRecord, validateRecord, ViolationRecord, AssessmentRecord } from '../domain/settlement/records';
import { DatabaseService, Statement, StatementResult } from '../persistence/database.service';

/** Parses a CSV of records (header = field names) into row objects; row numbers are file lines. */
export function recordRowsOfCsv(text: string): Record<string, unknown>[] {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true });
  if (parsed.errors.length > 0) throw new BadRequestException({ error: 'bad-csv', message: `line ${(parsed.errors[0].row ?? 0) + 2}: ${parsed.errors[0].message}` });
  return parsed.data;
}

/**
 * The agency's records for the annual settlement (spec §8.1, §8.4). A batch is checked whole
 * (every problem with its index and field, 422) and stored in one transaction, each record
 * audited: scores, advances and actuals replace the one they supersede; violations add up.
 */
@Injectable()
export class RecordsService {
  constructor(private readonly db: DatabaseService) {}

  async record(kind: RecordKind, rows: Record<string, unknown>[], actor: string, rowBase = 0): Promise<{ kind: RecordKind; recorded: number }> {
    const problems: { row: number; field: string; reason: string }[] = [];
    const records: SettlementRecord[] = [];
    const hospitals = new Set((await this.db.execute('SELECT code FROM hospital')).rows.map((r) => String(r.code)));
    rows.forEach((raw, i) => {
      const v = validateRecord(kind, raw);
      if ('errors' in v) for (const e of v.errors) problems.push({ row: rowBase + i, ...e });
      else if ('hospitalCode' in v.record && !hospitals.has(v.record.hospitalCode)) problems.push({ row: rowBase + i, field: 'hospitalCode', reason: `hospital "${v.record.hospitalCode}" is not registered` });
      else records.push(v.record);
    });
    if (rows.length === 0) problems.push({ row: rowBase, field: '*', reason: 'no records' });
    if (problems.length > 0) throw new UnprocessableEntityException({ error: 'invalid-records', message: `${problems.length} problem(s); nothing recorded`, problems });
    await this.db.transaction(function* (): Generator<Statement, void, StatementResult> {
      const at = new Date();
      for (const r of records) {
        const { where, params, insert } = statementsOf(kind, r);
        const before = where ? (yield { sql: `SELECT * FROM ${table(kind)} WHERE ${where}`, params }).rows[0] : undefined;
        if (before) yield { sql: `DELETE FROM ${table(kind)} WHERE ${where}`, params };
        yield { ...insert, params: [...insert.params!, actor, at] };
        yield auditStatement({ at, actor, action: `record.${kind}`, entity: kind, entityId: params.join('/') || `${(r as ViolationRecord).year}/${(r as ViolationRecord).hospitalCode}`, before: before ?? null, after: r });
      }
    });
    return { kind, recorded: records.length };
  }
}

const table = (kind: RecordKind): string => ({ assessment: 'assessment', violation: 'violation_deduction', revolvingFund: 'revolving_fund', budgetActual: 'budget_actual' })[kind];

/** The key of the record it supersedes (none for violations, which add up) and its insert. */
function statementsOf(kind: RecordKind, r: SettlementRecord): { where: string | null; params: (string | number)[]; insert: Statement } {
  switch (kind) {
    case 'assessment': {
      const a = r as AssessmentRecord;
      return { where: 'year = ? AND hospital_code = ?', params: [a.year, a.hospitalCode], insert: { sql: 'INSERT INTO assessment (year, hospital_code, score, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?)', params: [a.year, a.hospitalCode, a.score] } };
    }
    case 'revolvingFund': {
      const f = r as RevolvingFundRecord;
      return { where: 'year = ? AND pool = ? AND hospital_code = ?', params: [f.year, f.pool, f.hospitalCode], insert: { sql: 'INSERT INTO revolving_fund (year, pool, hospital_code, amount, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)', params: [f.year, f.pool, f.hospitalCode, f.amount] } };
    }
    case 'budgetActual': {
      const b = r as BudgetActualRecord;
      return { where: 'region_code = ? AND year = ? AND pool = ? AND line = ?', params: [b.region, b.year, b.pool, b.line], insert: { sql: 'INSERT INTO budget_actual (region_code, year, pool, line, amount, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)', params: [b.region, b.year, b.pool, b.line, b.amount] } };
    }
    case 'violation': {
      const v = r as ViolationRecord;
      return { where: null, params: [], insert: { sql: 'INSERT INTO violation_deduction (year, pool, hospital_code, amount, reason, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)', params: [v.year, v.pool, v.hospitalCode, v.amount, v.reason] } };
    }
  }
}
