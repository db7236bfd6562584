import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { Dec } from '../domain/decimal';
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
    // The approved special cases (spec §9), already in `points`; empty for a hospital without any.
    'specialCases.cases',
    'specialCases.rulePoints',
    'specialCases.approvedPoints',
  ],
} as const;

type Row = Record<string, unknown>;

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

/** The columns of a report's hospital table (CSV, XLSX): the figures of the kind, the hospital's name beside its code. */
export const tableColumns = (kind: SettlementReport['run']['kind']): string[] => [
  'hospitalCode',
  'hospitalName',
  ...HOSPITAL_COLUMNS[kind].slice(1),
];

/** How a figure is shown: money 2 dp, points 4 dp, point values (and factors) 6 dp, counts whole; text as it is. */
type FigureKind = 'money' | 'points' | 'pointValue' | 'count' | 'text';

/** The number format of each kind of figure in the workbook. */
export const NUMBER_FORMATS: Record<Exclude<FigureKind, 'text'>, string> = {
  money: '#,##0.00',
  points: '0.0000',
  pointValue: '0.000000',
  count: '#,##0',
};
const DECIMALS: Record<Exclude<FigureKind, 'text'>, number> = { money: 2, points: 4, pointValue: 6, count: 0 };

/**
 * The report's fields in the terms of a DIP agency (spec glossary; 淄博 seed), with how each is
 * shown. A field not listed here (a figure added later) is shown as text under its JSON name.
 */
const FIELDS: Record<string, { zh: string; kind: FigureKind }> = {
  // hospital rows
  hospitalCode: { zh: '医院编码', kind: 'text' },
  hospitalName: { zh: '医院名称', kind: 'text' },
  cases: { zh: '病例数', kind: 'count' },
  points: { zh: '总点数', kind: 'points' },
  nonFund: { zh: '非统筹基金支付费用', kind: 'money' },
  bookkeeping: { zh: '统筹基金记账金额', kind: 'money' },
  entitlement: { zh: '应得统筹基金', kind: 'money' },
  prepay: { zh: '月度预结算金额', kind: 'money' },
  assessmentDeduction: { zh: '考核扣减', kind: 'money' },
  violations: { zh: '违规扣款', kind: 'money' },
  overspend: { zh: '合理超支金额', kind: 'money' },
  compensation: { zh: '超支分担补偿', kind: 'money' },
  final: { zh: '年度结算金额', kind: 'money' },
  prepaid: { zh: '已预结算金额', kind: 'money' },
  revolvingFund: { zh: '周转金', kind: 'money' },
  balance: { zh: '年终清算应拨(负数应退)', kind: 'money' },
  'specialCases.cases': { zh: '特病单议病例数', kind: 'count' },
  'specialCases.rulePoints': { zh: '特病单议病例原点数', kind: 'points' },
  'specialCases.approvedPoints': { zh: '特病单议核定点数', kind: 'points' },
  // pool figures
  monthlyBudget: { zh: '月度预算', kind: 'money' },
  dipBudget: { zh: 'DIP年度预算', kind: 'money' },
  cityBookkeeping: { zh: '统筹区记账总额', kind: 'money' },
  fund: { zh: '可分配基金总额', kind: 'money' },
  pointValue: { zh: '点值(元/点)', kind: 'pointValue' },
  residual: { zh: '尾差', kind: 'money' },
  adjustmentFund: { zh: '调节金', kind: 'money' },
  compensationClaimed: { zh: '超支补偿申请合计', kind: 'money' },
  compensationScale: { zh: '超支补偿折算系数', kind: 'pointValue' },
  'reserve.shortfall': { zh: '风险调剂金弥补缺口', kind: 'money' },
  'reserve.remainder': { zh: '风险调剂金结余', kind: 'money' },
  'reserve.toDipFund': { zh: '结余转入DIP基金', kind: 'money' },
  'reserve.adjustmentFund': { zh: '结余转入调节金', kind: 'money' },
  'reserve.uncovered': { zh: '未弥补缺口', kind: 'money' },
};

/** The run's fields, in Chinese (all shown as text). */
const RUN_FIELDS: Record<string, string> = {
  id: '结算批次号',
  region: '统筹区',
  period: '结算期间',
  kind: '结算类型',
  catalogueId: '病种目录版本',
  policyHash: '政策版本(哈希)',
  groupingRun: '分组批次号',
  status: '状态',
  createdBy: '创建人',
  createdAt: '创建时间',
  finalisedAt: '定稿时间',
  monthsPrepaid: '已计入预结算的月份',
  'specialCases.revision': '特病单议决定版本',
  'specialCases.applied': '已计入的特病单议病例数',
  'specialCases.notInRun': '未计入的特病单议病例',
};

const POOL_NAMES: Record<string, string> = { employee: '职工医保', resident: '居民医保' };

/** The workbook's sheet of the run's parameters. */
export const PARAMETERS_SHEET = '参数 Parameters';
/** A pool's sheet in the workbook: `职工医保 employee`, `居民医保 resident`. */
export const poolSheetName = (pool: string): string => (POOL_NAMES[pool] ? `${POOL_NAMES[pool]} ${pool}` : pool);
/** The label of a pool's totals row (first column). */
export const TOTALS_LABEL = '合计 Total';

const fieldOf = (key: string) => FIELDS[key] ?? { zh: key, kind: 'text' as const };

/** A hospital row, flat: a nested figure (`specialCases`) as `specialCases.cases`, … */
function flat(h: object): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(h)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) for (const [k2, v2] of Object.entries(v)) out[`${k}.${k2}`] = v2;
    else out[k] = v;
  }
  return out;
}

/** A pool's own figures, flat: `fund`, `pointValue`, … and the annual `reserve.remainder`, … */
function poolFigures(p: SettlementReport['pools'][number]): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(p)) {
    if (k === 'pool' || k === 'hospitals') continue;
    if (v !== null && typeof v === 'object') for (const [k2, v2] of Object.entries(v)) out.push([`${k}.${k2}`, v2]);
    else out.push([k, v]);
  }
  return out;
}

/**
 * The report as CSV: one plain table, a header line of the JSON field names (`pool`, then the
 * hospital columns with `hospitalName` beside `hospitalCode`) and one line per hospital and pool.
 * Decimals exactly as in the JSON. The run's parameters and the pools' figures are in the JSON
 * report and on the workbook's parameters sheet, not here.
 */
export function settlementCsv(r: SettlementReport): string {
  const cols = tableColumns(r.run.kind);
  const table = Papa.unparse(
    {
      fields: ['pool', ...cols],
      data: r.pools.flatMap((p) => p.hospitals.map((h) => flat(h)).map((h) => [p.pool, ...cols.map((c) => h[c] ?? '')])),
    },
    { newline: '\n' },
  );
  return table + '\n';
}

/** A cell's value: a number for a figure (the JSON's exact decimal, read into a double only here), text otherwise. */
function cellValue(v: unknown, kind: FigureKind): string | number | null {
  if (v === null || v === undefined) return null;
  if (kind === 'text') return Array.isArray(v) ? v.join(' ') : String(v);
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : String(v);
}

/** Width of text in a column, a CJK character counting two. */
const textWidth = (s: string): number => [...s].reduce((w, c) => w + (c.codePointAt(0)! >= 0x2e80 ? 2 : 1), 0);

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };

/** Two header rows: the Chinese terms (row 1), the JSON field names (row 2); frozen below them. */
function addHeaders(sheet: ExcelJS.Worksheet, zh: string[], en: string[]): void {
  const top = sheet.addRow(zh);
  top.font = { bold: true };
  const names = sheet.addRow(en);
  names.font = { italic: true, color: { argb: 'FF595959' } };
  for (const row of [top, names])
    row.eachCell((c) => {
      c.fill = HEADER_FILL;
      c.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    });
}

/**
 * The report as an Excel workbook for analysts. The sheet `参数 Parameters` holds the run and each
 * pool's figures as key/value rows (项目 / field / value); then one sheet per pool (`职工医保
 * employee`, `居民医保 resident`) with a row per hospital, its name beside its code, and a totals
 * row. Every sheet has two header rows, the Chinese terms over the JSON field names, frozen.
 * Figures are numbers with their number format (money `#,##0.00`, points `0.0000`, point values
 * `0.000000`, counts `#,##0`): a spreadsheet keeps a binary double, so the exact figures are the
 * JSON report's; the totals are summed exactly from its decimal strings, not from the doubles.
 */
export async function settlementXlsx(r: SettlementReport): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'dip-settlement';
  book.created = new Date(r.run.createdAt);
  book.modified = new Date(r.run.finalisedAt ?? r.run.createdAt);
  parametersSheet(book, r);
  for (const p of r.pools) poolSheet(book, r.run.kind, p);
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** `参数 Parameters`: the run's fields, then each pool's figures (`employee.pointValue`, …). */
function parametersSheet(book: ExcelJS.Workbook, r: SettlementReport): void {
  const sheet = book.addWorksheet(PARAMETERS_SHEET, { views: [{ state: 'frozen', ySplit: 2 }] });
  addHeaders(sheet, ['项目', '字段', '值'], ['item', 'field', 'value']);
  const rows: { zh: string; key: string; value: string | number | null; kind: FigureKind }[] = [];
  for (const [k, v] of Object.entries(flat(r.run)))
    rows.push({ zh: RUN_FIELDS[k] ?? k, key: `run.${k}`, value: cellValue(v, 'text'), kind: 'text' });
  for (const p of r.pools)
    for (const [k, v] of poolFigures(p)) {
      const f = fieldOf(k);
      rows.push({ zh: `${POOL_NAMES[p.pool] ?? p.pool} ${f.zh}`, key: `${p.pool}.${k}`, value: cellValue(v, f.kind), kind: f.kind });
    }
  for (const x of rows) {
    const row = sheet.addRow([x.zh, x.key, x.value]);
    if (x.kind !== 'text' && typeof x.value === 'number') row.getCell(3).numFmt = NUMBER_FORMATS[x.kind];
    else row.getCell(3).alignment = { horizontal: 'left' };
  }
  sheet.getColumn(1).width = Math.max(12, ...rows.map((x) => textWidth(x.zh) + 2));
  sheet.getColumn(2).width = Math.max(12, ...rows.map((x) => x.key.length + 2));
  sheet.getColumn(3).width = Math.max(16, ...rows.map((x) => (typeof x.value === 'string' ? x.value.length + 2 : 0)));
}

/** A pool's sheet: the hospital rows, then the totals of every figure column, summed exactly (decimal.js) from the report's strings. */
function poolSheet(book: ExcelJS.Workbook, kind: SettlementReport['run']['kind'], p: SettlementReport['pools'][number]): void {
  const cols = tableColumns(kind);
  const fields = cols.map(fieldOf);
  const sheet = book.addWorksheet(poolSheetName(p.pool), {
    views: [{ state: 'frozen', xSplit: 2, ySplit: 2, topLeftCell: 'C3', activeCell: 'C3' }],
  });
  addHeaders(
    sheet,
    fields.map((f) => f.zh),
    cols,
  );
  const hospitals = p.hospitals.map(flat);
  const sums = cols.map(() => new Dec(0));
  for (const h of hospitals) {
    const row = sheet.addRow(cols.map((c, i) => cellValue(h[c], fields[i].kind)));
    fields.forEach((f, i) => {
      if (f.kind === 'text') return;
      row.getCell(i + 1).numFmt = NUMBER_FORMATS[f.kind];
      if (h[cols[i]] !== undefined && h[cols[i]] !== null) sums[i] = sums[i].plus(String(h[cols[i]]));
    });
  }
  const totals = sheet.addRow(
    fields.map((f, i) => (i === 0 ? TOTALS_LABEL : f.kind === 'text' ? null : Number(sums[i].toFixed(DECIMALS[f.kind])))),
  );
  totals.font = { bold: true };
  fields.forEach((f, i) => {
    const c = totals.getCell(i + 1);
    c.border = { top: { style: 'thin' }, bottom: { style: 'double' } };
    if (f.kind !== 'text') c.numFmt = NUMBER_FORMATS[f.kind];
  });
  if (hospitals.length > 0) sheet.autoFilter = { from: { row: 2, column: 1 }, to: { row: 2 + hospitals.length, column: cols.length } };
  cols.forEach((c, i) => {
    const values = hospitals.map((h) => String(h[c] ?? ''));
    const widest = Math.max(0, ...values.map((v) => textWidth(v) + (fields[i].kind === 'text' ? 0 : Math.floor(v.length / 3))));
    sheet.getColumn(i + 1).width = Math.min(
      48,
      Math.max(10, textWidth(fields[i].zh) + 2, c.length + 2, widest + 2, i === 0 ? textWidth(TOTALS_LABEL) + 3 : 0),
    );
  });
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
    const rows = [cols as readonly string[], ...p.hospitals.map(flat).map((h) => cols.map((c) => String(h[c] ?? '')))];
    const width = cols.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
    for (const row of rows) lines.push('  ' + row.map((v, i) => (i === 0 ? v.padEnd(width[i]) : v.padStart(width[i]))).join('  '));
  }
  return lines.join('\n') + '\n';
}
