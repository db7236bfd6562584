import { Injectable } from '@nestjs/common';
import { Pool } from '../domain/case-record';
import type { SettlementReport } from '../settlement/settlement.store';
import { DatabaseService } from '../persistence/database.service';

/** A stored monthly settlement run, without its report. */
export interface MonthlyRunRow {
  id: string;
  period: string;
  status: string;
}

/**
 * What projections read of the stored settlement runs (`settlement_run`, written by
 * settlement/settlement.store.ts): the monthly runs of a catalogue, and the point value of each
 * pool of a run's report. Read only.
 */
@Injectable()
export class ProjectionStore {
  constructor(private readonly db: DatabaseService) {}

  /**
   * The stored monthly runs (draft or final: a region's one current run per month) that valued
   * their cases with this catalogue, latest period first. A region has at most twelve a year.
   */
  async monthlyRuns(region: string, catalogueId: string): Promise<MonthlyRunRow[]> {
    const { rows } = await this.db.execute(
      `SELECT id, period, status FROM settlement_run WHERE region_code = ? AND kind = 'month' AND catalogue_id = ? ORDER BY period DESC`,
      [region, catalogueId],
    );
    return rows.map((r) => ({ id: String(r.id), period: String(r.period), status: String(r.status) }));
  }

  /**
   * The active catalogue of a region and year with its monthly runs (as monthlyRuns), in one read:
   * what every projection needs to know afresh. Null: no active catalogue. Reads the activation
   * (`catalogue_activation`, the catalogue module's) beside the runs, rather than two round trips.
   */
  async activeWithRuns(region: string, year: number): Promise<{ catalogueId: string; runs: MonthlyRunRow[] } | null> {
    const { rows } = await this.db.execute(
      `SELECT a.catalogue_id, r.id, r.period, r.status FROM catalogue_activation a
       LEFT JOIN settlement_run r ON r.region_code = a.region_code AND r.kind = 'month' AND r.catalogue_id = a.catalogue_id
       WHERE a.region_code = ? AND a.year = ? ORDER BY r.period DESC`,
      [region, year],
    );
    if (rows.length === 0) return null;
    return {
      catalogueId: String(rows[0].catalogue_id),
      runs: rows.filter((r) => r.id !== null).map((r) => ({ id: String(r.id), period: String(r.period), status: String(r.status) })),
    };
  }

  /** The pools of a run's report with their point value and points (null: the run is no longer stored). */
  async poolPointValues(runId: string): Promise<{ pool: Pool; pointValue: string; points: string }[] | null> {
    const r = (await this.db.execute('SELECT report FROM settlement_run WHERE id = ?', [runId])).rows[0];
    if (!r) return null;
    const { pools } = JSON.parse(String(r.report)) as { pools: SettlementReport['pools'] };
    return pools.map((p) => ({ pool: p.pool, pointValue: p.pointValue, points: p.points }));
  }
}
