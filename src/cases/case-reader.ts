import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../persistence/database.service';

const PAGE = 10_000;

/** `2021-11` … `2022-02` → 2021-11, 2021-12, 2022-01, 2022-02. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))];
  const [ty, tm] = [Number(to.slice(0, 4)), Number(to.slice(5, 7))];
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m === 13) [y, m] = [y + 1, 1];
  }
  return out;
}

/**
 * Reads a region's stored cases of a range of settlement months, page by page in primary-key
 * order (keyset pagination: each page is one short query, on both engines, so other statements
 * can run between pages and memory holds one page).
 */
@Injectable()
export class CaseReader {
  constructor(private readonly db: DatabaseService) {}

  async *pages(region: string, fromMonth: string, toMonth: string, columns: readonly string[]): AsyncGenerator<Record<string, unknown>[]> {
    const cols = ['settlement_month', 'case_id', ...columns.filter((c) => c !== 'settlement_month' && c !== 'case_id')].join(', ');
    // Month by month, then by caseId within the month: every page is a plain range of the
    // primary key (region, month, caseId), read in index order on both engines, never sorted.
    for (const month of monthsBetween(fromMonth, toMonth)) {
      let after = '';
      for (;;) {
        const { rows } = await this.db.execute(`SELECT ${cols} FROM dip_case WHERE region_code = ? AND settlement_month = ? AND case_id > ? ORDER BY case_id LIMIT ${PAGE}`, [region, month, after]);
        if (rows.length > 0) yield rows;
        if (rows.length < PAGE) break;
        after = String(rows[rows.length - 1].case_id);
      }
    }
  }

  async count(region: string, fromMonth: string, toMonth: string): Promise<number> {
    const { rows } = await this.db.execute('SELECT COUNT(*) AS n FROM dip_case WHERE region_code = ? AND settlement_month >= ? AND settlement_month <= ?', [region, fromMonth, toMonth]);
    return Number(rows[0].n);
  }
}
