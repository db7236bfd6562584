import { normaliseDiagnosis, normaliseProcedure, parseProcedureType } from './codes';

/**
 * The kinds of table a region loads: official codes (spec §3), the secondary-diagnosis lists
 * that type severity (§4.8), and the ICD-10 block ranges of the composite merge (§4.3).
 */
export const CODE_TABLE_KINDS = ['diagnosis', 'procedure', 'procedureType', 'severeSecondary', 'moderateSecondary', 'icdBlocks'] as const;
export type CodeTableKind = (typeof CODE_TABLE_KINDS)[number];

export interface CodeTableEntry {
  code: string;
  /** The official name (diagnosis, procedure) or the procedure type. */
  value: string;
}

const TYPE_WORDS: Record<string, string> = {
  手术: 'surgery',
  介入治疗: 'surgery',
  介入: 'surgery',
  治疗性操作: 'therapeutic',
  诊断性操作: 'diagnostic',
};

/**
 * One line of a table: `CODE NAME` (diagnosis, procedure), `CODE TYPE` (procedureType, where
 * TYPE is surgery | interventional | therapeutic | diagnostic or the Chinese 手术 / 介入治疗 /
 * 治疗性操作 / 诊断性操作), `CODE` (severeSecondary, moderateSecondary: one diagnosis a line), or
 * `LOWER UPPER [LEVEL] [NAME]` (icdBlocks, e.g. `K80 K87 2 胆囊、胆道和胰疾患`; lines of level 1
 * are chapters, which the product ships, and are skipped, as is a header line). Blank lines
 * are skipped (null).
 */
export function parseCodeTableLine(kind: CodeTableKind, line: string): CodeTableEntry | null | { error: string } {
  const text = line.replace(/^\uFEFF/, '').trim();
  if (text === '') return null;
  if (kind === 'icdBlocks') return parseBlockLine(text);
  if (kind === 'severeSecondary' || kind === 'moderateSecondary') {
    const raw = text.split(/\s+/)[0];
    const code = normaliseDiagnosis(raw);
    return code ? { code, value: '' } : { error: `"${raw}" is not an ICD-10 医保版 diagnosis code` };
  }
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

const CATEGORY = /^[A-Z]\d{2}$/;

function parseBlockLine(text: string): CodeTableEntry | null | { error: string } {
  const [lower, upper, level, ...name] = text.split(/\s+/);
  if (!CATEGORY.test(lower)) return /^[a-z_]+$/i.test(lower) ? null : { error: `"${lower}" is not an ICD-10 category like K80` };
  if (!upper || !CATEGORY.test(upper) || upper < lower) return { error: 'expected "LOWER UPPER" categories, lower first (like K80 K87)' };
  if (level === '1') return null;
  const label = /^\d+$/.test(level ?? '') ? name.join(' ') : [level, ...name].filter(Boolean).join(' ');
  return { code: `${lower}-${upper}`, value: label };
}
