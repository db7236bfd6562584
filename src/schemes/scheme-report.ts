import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { PersonFigures } from '../domain/schemes/scheme';
import { SchemeReport } from './schemes.service';

/**
 * A scheme run's report as a file. JSON is the report itself (the exact decimal strings). CSV
 * is one line per provider, its figures flattened to dotted names (`reconciliation.overspend`,
 * `claims.3`) in the order the scheme gives them. The workbook has a sheet of the run and the
 * region's figures (key / value; the agency's only) and a sheet of the providers.
 */

type Flat = Record<string, unknown>;

/** The report formats, as for DIP settlement runs. */
export type SchemeReportFormat = 'json' | 'csv' | 'xlsx';

/** Nested objects and arrays to dotted keys (`a.b`, `months.1`): one cell each. */
export function flatten(v: unknown, prefix = '', out: Flat = {}): Flat {
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== 'object')) out[prefix] = v.join('|');
    else v.forEach((x, i) => flatten(x, prefix ? `${prefix}.${i + 1}` : String(i + 1), out));
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out[prefix] = v;
  return out;
}

function providerTable(r: SchemeReport): { columns: string[]; rows: Flat[] } {
  const rows = r.providers.map((p) => ({ provider: p.provider, name: p.name, ...flatten(p.figures) }));
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of rows)
    for (const k of Object.keys(row))
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
  return { columns, rows };
}

export function schemeCsv(r: SchemeReport): string {
  const { columns, rows } = providerTable(r);
  return `${Papa.unparse({ fields: columns, data: rows.map((x) => columns.map((c) => x[c] ?? '')) }, { newline: '\n' })}\n`;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** A workbook cell: a decimal string as a number with its decimals kept in the format; text otherwise. */
function setCell(cell: ExcelJS.Cell, v: unknown): void {
  if (typeof v === 'string' && DECIMAL.test(v) && v.replace(/^-/, '').length <= 15) {
    const dp = v.includes('.') ? v.length - v.indexOf('.') - 1 : 0;
    cell.value = Number(v);
    cell.numFmt = dp === 0 ? '#,##0' : `#,##0.${'0'.repeat(dp)}`;
  } else cell.value = v === null || v === undefined ? null : typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
}

export async function schemeXlsx(r: SchemeReport): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'dip-settlement';
  book.created = new Date(r.run.createdAt);
  const params = book.addWorksheet('参数 Parameters', { views: [{ state: 'frozen', ySplit: 1 }] });
  params.addRow(['field', 'value']).font = { bold: true };
  const head = flatten({ run: r.run, ...(r.region ? { region: r.region } : {}) });
  for (const [k, v] of Object.entries(head)) setCell(params.addRow([k]).getCell(2), v);
  params.getColumn(1).width = Math.max(12, ...Object.keys(head).map((k) => k.length + 2));
  params.getColumn(2).width = 24;
  const { columns, rows } = providerTable(r);
  const sheet = book.addWorksheet('单位 Providers', { views: [{ state: 'frozen', xSplit: 2, ySplit: 1 }] });
  sheet.addRow(columns).font = { bold: true };
  for (const x of rows) {
    const row = sheet.addRow([]);
    columns.forEach((c, i) => setCell(row.getCell(i + 1), x[c]));
  }
  columns.forEach((c, i) => (sheet.getColumn(i + 1).width = Math.max(10, c.length + 2)));
  return Buffer.from(await book.xlsx.writeBuffer());
}

export async function schemeReportFile(
  r: SchemeReport,
  format: SchemeReportFormat,
): Promise<{ name: string; type: string; body: string | Buffer }> {
  const name = `scheme-${r.run.scheme}-${r.run.region}-${r.run.year}-${r.run.status}.${format}`;
  if (format === 'csv') return { name, type: 'text/csv', body: schemeCsv(r) };
  if (format === 'xlsx')
    return { name, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body: await schemeXlsx(r) };
  return { name, type: 'application/json', body: `${JSON.stringify(r, null, 2)}\n` };
}

/**
 * The per-person figures of a run as CSV, chunk by chunk (a million persons are never one
 * string): `provider,person,` then the figures flattened, the columns of the first person.
 */
export async function* personsCsv(chunks: AsyncIterable<PersonFigures[]>): AsyncGenerator<string> {
  let columns: string[] | null = null;
  for await (const chunk of chunks) {
    const rows: Flat[] = chunk.map((p) => ({ provider: p.provider, person: p.person, ...flatten(p.figures) }));
    let text = '';
    if (columns === null && rows.length) {
      columns = Object.keys(rows[0]);
      text = `${Papa.unparse([columns], { newline: '\n' })}\n`;
    }
    if (columns && rows.length)
      text += `${Papa.unparse({ fields: columns, data: rows.map((x) => columns!.map((c) => x[c] ?? '')) }, { newline: '\n', header: false })}\n`;
    if (text) yield text;
  }
}
