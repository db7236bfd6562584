import { normaliseDiagnosis, normaliseProcedure, parseProcedureType } from './codes';

/** The kinds of table a region loads (spec §3). */
export const CODE_TABLE_KINDS = ['diagnosis', 'procedure', 'procedureType'] as const;
export type CodeTableKind = (typeof CODE_TABLE_KINDS)[number];

export interface CodeTableEntry {
  code: string;
  /** The official name (diagnosis, procedure) or the procedure type. */
  value: string;
}

const TYPE_WORDS: Record<string, string> = { 手术: 'surgery', 介入治疗: 'surgery', 介入: 'surgery', 治疗性操作: 'therapeutic', 诊断性操作: 'diagnostic' };

/**
 * One line of an official table: `CODE NAME` (diagnosis, procedure) or `CODE TYPE`
 * (procedureType, where TYPE is surgery | interventional | therapeutic | diagnostic or the
 * Chinese 手术 / 介入治疗 / 治疗性操作 / 诊断性操作). Blank lines are skipped (null).
 */
export function parseCodeTableLine(kind: CodeTableKind, line: string): CodeTableEntry | null | { error: string } {
  const text = line.replace(/^\uFEFF/, '').trim();
  if (text === '') return null;
  const m = /^(\S+)\s+(.+)$/.exec(text);
  if (!m) return { error: 'expected "CODE NAME" (or "CODE TYPE")' };
  const [, rawCode, rest] = m;
  const value = rest.trim();
  if (kind === 'diagnosis') {
    const code = normaliseDiagnosis(rawCode);
    return code ? { code, value } : { error: `"${rawCode}" is not an ICD-10 医保版 diagnosis code` };
  }
  const code = normaliseProcedure(rawCode);
  if (!code) return { error: `"${rawCode}" is not an ICD-9-CM-3 procedure code` };
  if (kind === 'procedure') return { code, value };
  const type = parseProcedureType(TYPE_WORDS[value] ?? value);
  return type ? { code, value: type } : { error: `"${value}" is not a procedure type (surgery, interventional, therapeutic, diagnostic)` };
}
