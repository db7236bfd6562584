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
 * Reads a region's stored cases of a range of settlement months, a page at a time; memory holds
 * one page. The order is not part of the contract. SQLite reads by keyset pagination (each page one
 * short query: its single connection must stay free for other statements between pages).
 */
@Injectable()
export class CaseReader {
  constructor(private readonly db: DatabaseService) {}

  async *pages(region: string, fromMonth: string, toMonth: string, columns: readonly string[]): AsyncGenerator<Record<string, unknown>[]> {
    const cols = ['settlement_month', 'case_id', ...columns.filter((c) => c !== 'settlement_month' && c !== 'case_id')].join(', ');
    if (this.db.engine === 'mysql') {
      yield* this.streamMysql(cols, region, fromMonth, toMonth);
      return;
    }
    // SQLite: month by month, then by caseId within the month: every page is a plain range of the
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

  /**
   * MySQL: one query streamed row by row on its own connection, with backpressure, handed on a
   * page at a time; the order of the rows is the server's (the build does not depend on it). Paging with LIMIT would make the
   * server find its place again for every page.
   */
  private async *streamMysql(cols: string, region: string, fromMonth: string, toMonth: string): AsyncGenerator<Record<string, unknown>[]> {
    const qr = this.db.dataSource.createQueryRunner();
    try {
      // No ORDER BY: the server reads the primary-key range in order anyway, and sorting three
      // years of cases first (as MariaDB would) only delays the first row.
      const rows = await qr.stream(`SELECT ${cols} FROM dip_case WHERE region_code = ? AND settlement_month >= ? AND settlement_month <= ?`, [region, fromMonth, toMonth]);
      let page: Record<string, unknown>[] = [];
      for await (const row of rows as AsyncIterable<Record<string, unknown>>) {
        page.push(row);
        if (page.length === PAGE) {
          yield page;
          page = [];
        }
      }
      if (page.length > 0) yield page;
    } finally {
      await qr.release();
    }
  }
}
