import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  categoryOf,
  combinationOf,
  fallbackProcedureType,
  groupingCode,
  normaliseDiagnosis,
  normaliseProcedure,
  parseProcedureType,
  procedureTyper,
  ProcedureTypeOf,
  subcategoryOf,
  TreatmentType,
} from '../../src/domain/codes';
import { CODES } from '../support/paths';

type ProcedureType = Exclude<TreatmentType, 'conservative'>;

/** First token of every non-blank line of an official code file. */
function codesOf(file: string): string[] {
  return fs
    .readFileSync(path.join(CODES, file), 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => line.split(/\s+/)[0]);
}

/** A procedure typer from an explicit table only (no fallback is expected to be consulted). */
const tableTyper = (entries: Record<string, ProcedureType>): ProcedureTypeOf => procedureTyper(new Map(Object.entries(entries)));

describe('normaliseDiagnosis', () => {
  it.each([
    ['K80.100', 'K80.100'],
    [' k80.000X002 ', 'K80.000x002'],
    ['i10.X00', 'I10.x00'],
    ['I10.x00', 'I10.x00'],
    ['a01.000x005+j17.0*', 'A01.000x005+J17.0*'],
    ['A01.000X005+J17.0*', 'A01.000x005+J17.0*'],
    ['X59.900', 'X59.900'],
    ['x59.900', 'X59.900'],
    ['x59.900X001', 'X59.900x001'],
    ['\tK35.800\n', 'K35.800'],
  ])('%j → %j', (raw, expected) => {
    expect(normaliseDiagnosis(raw)).toBe(expected);
  });

  it.each([
    '',
    '   ',
    'K80',
    'K80.',
    'K8.100',
    '80.100',
    'K80100',
    'KK0.100',
    'K80.1000',
    'K80.100x',
    'K80.100x12',
    'K80.100x12345',
    'K80.100y002',
    'K80.100 x002',
    'K80.100+J17.0',
    'K80.100+17.0*',
    'K80.100|K81.000',
    '51.2300',
  ])('rejects %j', (raw) => {
    expect(normaliseDiagnosis(raw)).toBeNull();
  });

  it('leaves every code of the official ICD-10 医保版 table as it is', () => {
    const codes = codesOf('icd10-yb2.dat');
    expect(codes.length).toBeGreaterThan(30_000);
    const changed = codes.filter((c) => normaliseDiagnosis(c) !== c);
    expect(changed).toEqual([]);
  });
});

describe('normaliseProcedure', () => {
  it.each([
    ['51.2300', '51.2300'],
    [' 51.2300 ', '51.2300'],
    ['96.0800X005', '96.0800x005'],
    ['60.5X02', '60.5x02'],
    ['99.999c9', '99.999C9'],
    ['86.700x0013', '86.700x0013'],
  ])('%j → %j', (raw, expected) => {
    expect(normaliseProcedure(raw)).toBe(expected);
  });

  it.each([
    '',
    '51',
    '51.',
    '5.2300',
    '512300',
    '51.2',
    'A1.2300',
    '51.2300x',
    '51.2300x12',
    '51.230000x001',
    'K80.100',
    '51.2300+47.0900',
  ])('rejects %j', (raw) => {
    expect(normaliseProcedure(raw)).toBeNull();
  });

  it('leaves every code of the official ICD-9-CM-3 医保版 table as it is', () => {
    const codes = codesOf('icd9cm3-yb2.dat');
    expect(codes.length).toBeGreaterThan(13_000);
    const changed = codes.filter((c) => normaliseProcedure(c) !== c);
    expect(changed).toEqual([]);
  });
});

describe('category, subcategory and grouping code', () => {
  it.each([
    ['K80.100', 'K80', 'K80.1'],
    ['K80.000x002', 'K80', 'K80.0'],
    ['I10.x00', 'I10', 'I10.x'],
    ['X59.900', 'X59', 'X59.9'],
  ])('%s → category %s, subcategory %s', (code, category, subcategory) => {
    expect(categoryOf(code)).toBe(category);
    expect(subcategoryOf(code)).toBe(subcategory);
  });

  it('groups a dagger/asterisk pair by the part before "+"', () => {
    expect(groupingCode('A01.000x005+J17.0*')).toBe('A01.000x005');
    expect(subcategoryOf(groupingCode('A01.000x005+J17.0*'))).toBe('A01.0');
  });

  it('leaves a plain code as its own grouping code', () => {
    expect(groupingCode('K80.100')).toBe('K80.100');
  });
});

describe('parseProcedureType', () => {
  it.each([
    ['surgery', 'surgery'],
    ['interventional', 'surgery'],
    [' Interventional ', 'surgery'],
    ['THERAPEUTIC', 'therapeutic'],
    ['diagnostic', 'diagnostic'],
  ])('%j → %s', (word, expected) => {
    expect(parseProcedureType(word)).toBe(expected);
  });

  it.each(['', 'conservative', 'operation', '手术'])('rejects %j', (word) => {
    expect(parseProcedureType(word)).toBeNull();
  });
});

describe('fallbackProcedureType (ICD-9-CM-3 chapter rule)', () => {
  it.each([
    ['00.0100', 'surgery'],
    ['01.0900', 'surgery'],
    ['51.2300', 'surgery'],
    ['86.0400', 'surgery'],
    ['87.0300', 'diagnostic'],
    ['88.7400', 'diagnostic'],
    ['92.0100', 'diagnostic'],
    ['93.0100', 'therapeutic'],
    ['96.0400', 'therapeutic'],
    ['99.2900', 'therapeutic'],
  ])('%s without a name → %s', (code, expected) => {
    expect(fallbackProcedureType(code)).toBe(expected);
  });

  it('makes a biopsy (活检 / 活组织检查) in chapters 00–86 diagnostic', () => {
    expect(fallbackProcedureType('00.0100', '某部位活检术')).toBe('diagnostic');
    expect(fallbackProcedureType('50.1100', '闭合性[经皮][针吸]肝活组织检查')).toBe('diagnostic');
    expect(fallbackProcedureType('86.1100', '皮肤和皮下组织的闭合性活组织检查')).toBe('diagnostic');
  });

  it('keeps a surgery a surgery when its name is not a biopsy', () => {
    expect(fallbackProcedureType('51.2300', '腹腔镜下胆囊切除术')).toBe('surgery');
    expect(fallbackProcedureType('51.2300', '')).toBe('surgery');
  });

  it('applies the biopsy rule only to chapters 00–86', () => {
    expect(fallbackProcedureType('93.0100', '活检')).toBe('therapeutic');
    expect(fallbackProcedureType('87.0300', '活组织检查')).toBe('diagnostic');
  });
});

describe('procedureTyper', () => {
  it('prefers the table over the chapter fallback', () => {
    // 51.2300 is surgery by chapter, 96.0400 therapeutic, 88.7400 diagnostic: the table says otherwise.
    const typeOf = procedureTyper(
      new Map<string, ProcedureType>([
        ['51.2300', 'therapeutic'],
        ['96.0400', 'surgery'],
        ['88.7400', 'therapeutic'],
      ]),
    );
    expect(typeOf('51.2300')).toBe('therapeutic');
    expect(typeOf('96.0400')).toBe('surgery');
    expect(typeOf('88.7400')).toBe('therapeutic');
  });

  it('falls back to the chapter rule for codes missing from the table', () => {
    const typeOf = procedureTyper(new Map<string, ProcedureType>([['51.2300', 'therapeutic']]));
    expect(typeOf('47.0900')).toBe('surgery');
    expect(typeOf('87.0300')).toBe('diagnostic');
    expect(typeOf('99.2900')).toBe('therapeutic');
  });

  it('uses the official name for the biopsy rule', () => {
    const typeOf = procedureTyper(new Map(), new Map([['50.1100', '闭合性肝活组织检查']]));
    expect(typeOf('50.1100')).toBe('diagnostic');
    expect(typeOf('50.2200')).toBe('surgery');
  });

  it('takes an interventional procedure of the table as surgery (via parseProcedureType)', () => {
    const word = parseProcedureType('interventional');
    expect(word).toBe('surgery');
    const typeOf = procedureTyper(new Map<string, ProcedureType>([['99.1000', word as ProcedureType]]));
    expect(typeOf('99.1000')).toBe('surgery');
  });

  it('answers the same on repeated look-ups (memoised)', () => {
    const typeOf = procedureTyper(new Map(), new Map([['86.1100', '皮肤活检']]));
    expect(typeOf('86.1100')).toBe('diagnostic');
    expect(typeOf('86.1100')).toBe('diagnostic');
    expect(typeOf('86.2200')).toBe('surgery');
    expect(typeOf('86.2200')).toBe('surgery');
  });
});

describe('combinationOf', () => {
  const typeOf = tableTyper({
    '51.2300': 'surgery', // 腹腔镜胆囊切除
    '51.8800': 'surgery',
    '47.0900': 'surgery',
    '87.5100': 'diagnostic',
    '88.7400': 'diagnostic',
    '96.0400': 'therapeutic',
    '99.2900': 'therapeutic',
  });

  it('a conservative case (no procedure) has key "K80.1|"', () => {
    expect(combinationOf('K80.100', null, [], typeOf)).toEqual({ treatmentType: 'conservative', keyProcedures: [], key: 'K80.1|' });
  });

  it('takes the principal procedure and every other surgery, sorted and de-duplicated', () => {
    // principal 51.8800 (surgery), others: 47.0900 (surgery), 88.7400 (diagnostic, not key),
    // 51.8800 again (duplicate), 51.2300 (surgery). Sorted: 47.0900 < 51.2300 < 51.8800.
    const c = combinationOf('K80.100', '51.8800', ['47.0900', '88.7400', '51.8800', '51.2300'], typeOf);
    expect(c).toEqual({
      treatmentType: 'surgery',
      keyProcedures: ['47.0900', '51.2300', '51.8800'],
      key: 'K80.1|47.0900+51.2300+51.8800',
    });
  });

  it('a principal surgery with another surgery and a diagnostic procedure', () => {
    const c = combinationOf('K80.100', '51.2300', ['47.0900', '87.5100'], typeOf);
    expect(c).toEqual({ treatmentType: 'surgery', keyProcedures: ['47.0900', '51.2300'], key: 'K80.1|47.0900+51.2300' });
  });

  it('a principal diagnostic procedure alone is key and makes the case diagnostic', () => {
    const c = combinationOf('K80.100', '87.5100', [], typeOf);
    expect(c).toEqual({ treatmentType: 'diagnostic', keyProcedures: ['87.5100'], key: 'K80.1|87.5100' });
  });

  it('a principal therapeutic procedure is key; the type is the highest of all procedures', () => {
    const c = combinationOf('K80.100', '96.0400', ['87.5100'], typeOf);
    expect(c).toEqual({ treatmentType: 'therapeutic', keyProcedures: ['96.0400'], key: 'K80.1|96.0400' });
  });

  it('only a non-principal therapeutic procedure: no key, type therapeutic', () => {
    expect(combinationOf('K80.100', null, ['96.0400'], typeOf)).toEqual({ treatmentType: 'therapeutic', keyProcedures: [], key: null });
    expect(combinationOf('K80.100', null, ['87.5100', '99.2900'], typeOf)).toEqual({
      treatmentType: 'therapeutic',
      keyProcedures: [],
      key: null,
    });
  });

  it('only a non-principal diagnostic procedure: no key procedures, key "K80.1|", type diagnostic', () => {
    expect(combinationOf('K80.100', null, ['88.7400'], typeOf)).toEqual({ treatmentType: 'diagnostic', keyProcedures: [], key: 'K80.1|' });
  });

  it('a non-principal surgery is key even without a principal procedure', () => {
    expect(combinationOf('K80.100', null, ['96.0400', '51.2300'], typeOf)).toEqual({
      treatmentType: 'surgery',
      keyProcedures: ['51.2300'],
      key: 'K80.1|51.2300',
    });
  });

  it('groups a dagger/asterisk principal diagnosis by the part before "+"', () => {
    expect(combinationOf('A01.000x005+J17.0*', null, [], typeOf).key).toBe('A01.0|');
    expect(combinationOf('A01.000x005+J17.0*', '51.2300', [], typeOf).key).toBe('A01.0|51.2300');
  });

  it('uses the subcategory with the lower-case x of the extension', () => {
    expect(combinationOf('I10.x00', null, [], typeOf).key).toBe('I10.x|');
  });

  it('uses the chapter fallback for procedures missing from the table', () => {
    // 45.2300 is chapter 45 → surgery; 93.0100 is chapter 93 → therapeutic.
    const fallbackOnly = procedureTyper(new Map());
    expect(combinationOf('K80.100', null, ['93.0100', '45.2300'], fallbackOnly)).toEqual({
      treatmentType: 'surgery',
      keyProcedures: ['45.2300'],
      key: 'K80.1|45.2300',
    });
  });
});
