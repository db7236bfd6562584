import Papa from 'papaparse';
import { SettlementReport } from './settlement.service';

/** Pool figures in the order people read them. */
const POOL_FIGURES = ['monthlyBudget', 'cityBookkeeping', 'fund', 'points', 'nonFund', 'pointValue', 'residual'] as const;
const HOSPITAL_COLUMNS = ['hospitalCode', 'cases', 'points', 'nonFund', 'bookkeeping', 'entitlement', 'prepay'] as const;

/**
 * The report as CSV for people (docs/settlement-report.md): `#name=value` lines for the run and
 * each pool's figures, then one table of hospital rows with their pool. Decimals as stored.
 */
export function settlementCsv(r: SettlementReport): string {
  const head = Object.entries(r.run).map(([k, v]) => `#${k}=${v ?? ''}`);
  const pools = r.pools.flatMap((p) => POOL_FIGURES.map((f) => `#${p.pool}.${f}=${p[f]}`));
  const table = Papa.unparse({ fields: ['pool', ...HOSPITAL_COLUMNS], data: r.pools.flatMap((p) => p.hospitals.map((h) => [p.pool, ...HOSPITAL_COLUMNS.map((c) => h[c])])) }, { newline: '\n' });
  return [...head, ...pools, table].join('\n') + '\n';
}

/** A few lines for a terminal: point value per pool and the hospital table. */
export function settlementSummary(r: SettlementReport): string {
  const lines = [`${r.run.kind} settlement ${r.run.id} of ${r.run.region} ${r.run.period} (${r.run.status}); catalogue ${r.run.catalog}, grouping run ${r.run.groupingRun}`];
  for (const p of r.pools) {
    lines.push('', `${p.pool}: fund ${p.fund} (budget ${p.monthlyBudget}, city bookkeeping ${p.cityBookkeeping}), ${p.points} points, non-fund ${p.nonFund} → point value ${p.pointValue} yuan, residual ${p.residual}`);
    const rows = [HOSPITAL_COLUMNS as readonly string[], ...p.hospitals.map((h) => HOSPITAL_COLUMNS.map((c) => String(h[c])))];
    const width = HOSPITAL_COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
    for (const row of rows) lines.push('  ' + row.map((v, i) => (i === 0 ? v.padEnd(width[i]) : v.padStart(width[i]))).join('  '));
  }
  return lines.join('\n') + '\n';
}
