import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCodeTableLine } from '../../src/domain/code-table';
import { CODES } from '../support/paths';

describe('severity lists and ICD-10 block tables', () => {
  it('reads one diagnosis a line for the severity lists, normalised', () => {
    expect(parseCodeTableLine('severeSecondary', ' a01.100 ')).toEqual({ code: 'A01.100', value: '' });
    expect(parseCodeTableLine('moderateSecondary', 'I10.X00')).toEqual({ code: 'I10.x00', value: '' });
    expect(parseCodeTableLine('severeSecondary', '51.2300')).toEqual({ error: '"51.2300" is not an ICD-10 医保版 diagnosis code' });
  });

  it('reads block ranges, skipping a header and chapter (level 1) lines', () => {
    expect(parseCodeTableLine('icdBlocks', 'code_lower_bound\tcode_upper_bound\tlevel\tcatalog')).toBeNull();
    expect(parseCodeTableLine('icdBlocks', 'K00\tK93\t1\t消化系统疾病')).toBeNull();
    expect(parseCodeTableLine('icdBlocks', 'K80\tK87\t2\t胆囊、胆道和胰疾患')).toEqual({ code: 'K80-K87', value: '胆囊、胆道和胰疾患' });
    expect(parseCodeTableLine('icdBlocks', 'K80 K87')).toEqual({ code: 'K80-K87', value: '' });
    expect(parseCodeTableLine('icdBlocks', 'K87\tK80')).toEqual({ error: 'expected "LOWER UPPER" categories, lower first (like K80 K87)' });
  });

  it('reads every block of the public ICD-10 range table (219 blocks, 19 chapter lines skipped)', () => {
    const lines = readFileSync(join(CODES, 'icd10-blocks.tsv'), 'utf8').split('\n');
    const parsed = lines.map((l) => parseCodeTableLine('icdBlocks', l));
    expect(parsed.filter((p) => p && 'error' in p)).toEqual([]);
    expect(parsed.filter((p) => p && 'code' in p)).toHaveLength(219);
    expect(parsed).toContainEqual({ code: 'A00-A09', value: '肠道传染病' });
  });
});
