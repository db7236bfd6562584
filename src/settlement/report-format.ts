import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { SettlementReport } from './settlement.store';

/** The hospital columns of a report, by kind, in the documented order (docs/settlement-report.md). */
export const HOSPITAL_COLUMNS = {
  month: ['hospitalCode', 'cases', 'points', 'nonFund', 'bookkeeping', 'entitlement', 'prepay'],
  year: [
    'hospitalCode',
    'cases',
    'points',
    'nonFund',
    'bookkeeping',
    'entitlement',
    'assessmentDeduction',
    'violations',
    'overspend',
    'compensation',
    'final',
    'prepaid',
    'revolvingFund',
    'balance',
  ],
} as const;

type Row = Record<string, string | number>;

export type ReportFormat = 'json' | 'csv' | 'xlsx';

/** The report of a run in a format: its file name, media type and content. */
export async function settlementReportFile(
  r: SettlementReport,
  format: ReportFormat,
): Promise<{ name: string; type: string; body: string | Buffer }> {
  const name = `settlement-${r.run.region}-${r.run.period}-${r.run.kind}.${format}`;
  if (format === 'csv') return { name, type: 'text/csv', body: settlementCsv(r) };
  if (format === 'xlsx')
    return { name, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body: await settlementXlsx(r) };
  return { name, type: 'application/json', body: `${JSON.stringify(r, null, 2)}\n` };
}

/** A pool's own figures, flat: `fund`, `pointValue`, … and the annual `reserve.remainder`, … */
function poolFigures(p: SettlementReport['pools'][number]): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(p)) {
    if (k === 'pool' || k === 'hospitals') continue;
    if (v !== null && typeof v === 'object') for (const [k2, v2] of Object.entries(v)) out.push([`${k}.${k2}`, String(v2)]);
    else out.push([k, String(v)]);
  }
  return out;
}

const runFigures = (r: SettlementReport): [string, string][] =>
  Object.entries(r.run).map(([k, v]) => [k, Array.isArray(v) ? v.join(' ') : String(v ?? '')]);

/**
 * The report as CSV for people: `#name=value` lines for the run and each pool's figures
 * (`#employee.pointValue=…`), then one table of hospital rows with their pool. Decimals as stored.
 */
export function settlementCsv(r: SettlementReport): string {
  const cols = HOSPITAL_COLUMNS[r.run.kind];
  const head = runFigures(r).map(([k, v]) => `#${k}=${v}`);
  const pools = r.pools.flatMap((p) => poolFigures(p).map(([k, v]) => `#${p.pool}.${k}=${v}`));
  const table = Papa.unparse(
    {
      fields: ['pool', ...cols],
      data: r.pools.flatMap((p) => p.hospitals.map((h) => [p.pool, ...cols.map((c) => (h as unknown as Row)[c])])),
    },
    { newline: '\n' },
  );
  return [...head, ...pools, table].join('\n') + '\n';
}

/**
 * The report as an Excel workbook: a "run" sheet (run and pool figures) and one sheet of hospital
 * rows per pool. Decimals are written as text, exactly as reported (a spreadsheet number is a
 * binary float); the columns are right-aligned so that they still read as figures.
 */
export async function settlementXlsx(r: SettlementReport): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'dip-settlement';
  const run = book.addWorksheet('run');
  run.columns = [
    { header: 'figure', key: 'k', width: 34 },
    { header: 'value', key: 'v', width: 40 },
  ];
  for (const [k, v] of runFigures(r)) run.addRow({ k, v });
  for (const p of r.pools) for (const [k, v] of poolFigures(p)) run.addRow({ k: `${p.pool}.${k}`, v });
  run.getColumn('v').alignment = { horizontal: 'right' };
  const cols = HOSPITAL_COLUMNS[r.run.kind];
  for (const p of r.pools) {
    const sheet = book.addWorksheet(p.pool);
    sheet.columns = cols.map((c) => ({
      header: c,
      key: c,
      width: Math.max(12, c.length + 2),
      style: c === 'hospitalCode' ? {} : { alignment: { horizontal: 'right' } },
    }));
    for (const h of p.hospitals) sheet.addRow(Object.fromEntries(cols.map((c) => [c, (h as unknown as Row)[c]])));
    sheet.views = [{ state: 'frozen', ySplit: 1 }];
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** A few lines for a terminal: point value per pool and the hospital table. */
export function settlementSummary(r: SettlementReport): string {
  const cols = HOSPITAL_COLUMNS[r.run.kind];
  const lines = [
    `${r.run.kind} settlement ${r.run.id} of ${r.run.region} ${r.run.period} (${r.run.status}); catalogue ${r.run.catalogueId}, grouping run ${r.run.groupingRun}`,
  ];
  for (const p of r.pools) {
    lines.push(
      '',
      `${p.pool}: fund ${p.fund}, city bookkeeping ${p.cityBookkeeping}, ${p.points} points, non-fund ${p.nonFund} → point value ${p.pointValue} yuan a point, residual ${p.residual}`,
    );
    const rows = [cols as readonly string[], ...p.hospitals.map((h) => cols.map((c) => String((h as unknown as Row)[c])))];
    const width = cols.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
    for (const row of rows) lines.push('  ' + row.map((v, i) => (i === 0 ? v.padEnd(width[i]) : v.padStart(width[i]))).join('  '));
  }
  return lines.join('\n') + '\n';
}
