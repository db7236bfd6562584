import {
  CASE_FIELDS,
  CaseRecord,
  CaseValidationContext,
  caseContentHash,
  chinaToday,
  epochDay,
  FieldError,
  LIST_COLUMN_CHARS,
  MAX_DEPARTMENT_CHARS,
  MAX_DIAGNOSIS_CHARS,
  MAX_LIST_CODES,
  MAX_PROCEDURE_CHARS,
  RawCase,
  REQUIRED_CASE_FIELDS,
  validateCase,
} from '../../src/domain/case-record';

const HOSPITALS = new Set(['H001', 'H002']);
const ctx: CaseValidationContext = { hasHospital: (code) => HOSPITALS.has(code) };

/** A valid case as it comes from a CSV file: every value a string, lists '|'-separated. */
function csvRow(over: Record<string, string> = {}): RawCase {
  return {
    caseId: 'C0001',
    hospitalCode: 'H001',
    pool: 'employee',
    patientId: 'P-778812',
    sex: 'M',
    age: '45',
    ageDays: '',
    admissionDate: '2024-03-01',
    dischargeDate: '2024-03-08',
    losDays: '',
    dischargeMode: '1',
    principalDiagnosis: ' k80.100 ',
    secondaryDiagnoses: 'i10.X00|e11.900',
    principalProcedure: '51.2300',
    otherProcedures: '88.7400 | 96.0400',
    totalCost: '12345.6',
    fundPayment: '8000',
    outOfCatalogSelfPay: '12.5',
    daySurgery: 'false',
    externalExpert: '1',
    newTechnology: '',
    ...over,
  };
}

/** The record csvRow() must give, worked out by hand from spec §2 and §3. */
const EXPECTED: CaseRecord = {
  caseId: 'C0001',
  hospitalCode: 'H001',
  pool: 'employee',
  patientId: 'P-778812',
  sex: 'M',
  age: 45,
  ageDays: null,
  admissionDate: '2024-03-01',
  dischargeDate: '2024-03-08',
  losDays: 7, // 1 → 8 March
  dischargeMode: '1',
  principalDiagnosis: 'K80.100',
  secondaryDiagnoses: ['I10.x00', 'E11.900'],
  principalProcedure: '51.2300',
  otherProcedures: ['88.7400', '96.0400'],
  totalCost: '12345.60',
  fundPayment: '8000.00',
  outOfCatalogSelfPay: '12.50',
  daySurgery: false,
  externalExpert: true,
  newTechnology: false,
  department: null, // issue 12: optional, none given
};

function recordOf(raw: RawCase, context: CaseValidationContext = ctx): CaseRecord {
  const result = validateCase(raw, context);
  if ('errors' in result) throw new Error(`expected a valid case, got ${JSON.stringify(result.errors)}`);
  return result.record;
}

function errorsOf(raw: RawCase, context: CaseValidationContext = ctx): FieldError[] {
  const result = validateCase(raw, context);
  if ('record' in result) throw new Error('expected the case to be rejected');
  return result.errors;
}

/** Asserts exactly one error, on `field`, whose reason matches `reason`. */
function expectOnlyError(raw: RawCase, field: FieldError['field'], reason: RegExp): void {
  expect(errorsOf(raw)).toEqual([{ field, reason: expect.stringMatching(reason) }]);
}

function without(raw: RawCase, field: string): RawCase {
  const copy = { ...raw };
  delete copy[field];
  return copy;
}

describe('validateCase: a valid CSV row', () => {
  it('gives the exact normalised record', () => {
    expect(recordOf(csvRow())).toEqual(EXPECTED);
  });

  it.each([
    ['0', '0.00'],
    ['12.5', '12.50'],
    ['12', '12.00'],
    ['0.05', '0.05'],
    ['007.10', '7.10'],
    [' 99.99 ', '99.99'],
  ])('formats money %j as %j', (given, expected) => {
    const r = recordOf(csvRow({ totalCost: '100000', fundPayment: given }));
    expect(r.fundPayment).toBe(expected);
  });

  it('takes an absent outOfCatalogSelfPay as 0.00', () => {
    expect(recordOf(without(csvRow(), 'outOfCatalogSelfPay')).outOfCatalogSelfPay).toBe('0.00');
    expect(recordOf(csvRow({ outOfCatalogSelfPay: '' })).outOfCatalogSelfPay).toBe('0.00');
  });

  it('takes fundPayment = totalCost and outOfCatalogSelfPay = totalCost − fundPayment', () => {
    const r = recordOf(csvRow({ totalCost: '100.00', fundPayment: '60.00', outOfCatalogSelfPay: '40.00' }));
    expect([r.totalCost, r.fundPayment, r.outOfCatalogSelfPay]).toEqual(['100.00', '60.00', '40.00']);
    expect(recordOf(csvRow({ totalCost: '100', fundPayment: '100', outOfCatalogSelfPay: '0' })).fundPayment).toBe('100.00');
  });

  it.each([
    ['2024-03-01', '2024-03-01', 0],
    ['2024-02-28', '2024-03-01', 2], // 2024 is a leap year
    ['2023-02-28', '2023-03-01', 1],
    ['2023-12-30', '2024-01-02', 3],
    ['2024-01-01', '2024-12-31', 365],
  ])('derives losDays from %s → %s as %i when blank', (admissionDate, dischargeDate, los) => {
    expect(recordOf(csvRow({ admissionDate, dischargeDate, losDays: '' })).losDays).toBe(los);
    expect(recordOf(without(csvRow({ admissionDate, dischargeDate }), 'losDays')).losDays).toBe(los);
  });

  it('accepts a given losDays that agrees with the dates', () => {
    expect(recordOf(csvRow({ losDays: '7' })).losDays).toBe(7);
  });

  it('accepts losDays 1 and 0 for a same-day stay', () => {
    const sameDay = { admissionDate: '2024-05-10', dischargeDate: '2024-05-10' };
    expect(recordOf(csvRow({ ...sameDay, losDays: '1' })).losDays).toBe(1);
    expect(recordOf(csvRow({ ...sameDay, losDays: '0' })).losDays).toBe(0);
  });

  it('requires ageDays when age is 0 and keeps it', () => {
    expectOnlyError(csvRow({ age: '0', ageDays: '' }), 'ageDays', /required/);
    expect(recordOf(csvRow({ age: '0', ageDays: '12' }))).toMatchObject({ age: 0, ageDays: 12 });
    expect(recordOf(csvRow({ age: '0', ageDays: '0' }))).toMatchObject({ age: 0, ageDays: 0 });
  });

  it('keeps an ageDays given for an older patient and accepts the age limits 0 and 150', () => {
    expect(recordOf(csvRow({ age: '1', ageDays: '30' }))).toMatchObject({ age: 1, ageDays: 30 });
    expect(recordOf(csvRow({ age: '150' })).age).toBe(150);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['false', false],
    ['0', false],
    ['', false],
  ])('reads the flag %j as %s', (given, expected) => {
    expect(recordOf(csvRow({ daySurgery: given })).daySurgery).toBe(expected);
  });

  it('accepts every discharge mode 1..5 and 9, and every sex M, F, U', () => {
    for (const mode of ['1', '2', '3', '4', '5', '9']) expect(recordOf(csvRow({ dischargeMode: mode })).dischargeMode).toBe(mode);
    for (const sex of ['M', 'F', 'U']) expect(recordOf(csvRow({ sex })).sex).toBe(sex);
  });

  it('takes empty lists and no principal procedure', () => {
    const r = recordOf(csvRow({ secondaryDiagnoses: '', principalProcedure: '', otherProcedures: '' }));
    expect(r).toMatchObject({ secondaryDiagnoses: [], principalProcedure: null, otherProcedures: [] });
  });

  it('accepts a caseId of exactly 64 characters', () => {
    expect(recordOf(csvRow({ caseId: 'A'.repeat(64) })).caseId).toBe('A'.repeat(64));
  });

  it('normalises a dagger/asterisk principal diagnosis', () => {
    expect(recordOf(csvRow({ principalDiagnosis: 'a01.000x005+j17.0*' })).principalDiagnosis).toBe('A01.000x005+J17.0*');
  });
});

describe('validateCase: a valid JSON document', () => {
  it('takes arrays for lists, booleans and integer numbers, giving the same record as the CSV row', () => {
    const json: RawCase = {
      caseId: 'C0001',
      hospitalCode: 'H001',
      pool: 'employee',
      patientId: 'P-778812',
      sex: 'M',
      age: 45,
      admissionDate: '2024-03-01',
      dischargeDate: '2024-03-08',
      losDays: 7,
      dischargeMode: '1',
      principalDiagnosis: 'K80.100',
      secondaryDiagnoses: ['I10.x00', 'e11.900'],
      principalProcedure: '51.2300',
      otherProcedures: ['88.7400', '96.0400'],
      totalCost: '12345.60',
      fundPayment: '8000',
      outOfCatalogSelfPay: '12.5',
      daySurgery: false,
      externalExpert: true,
      newTechnology: false,
    };
    expect(recordOf(json)).toEqual(EXPECTED);
  });

  it('takes null for optional values', () => {
    const r = recordOf({
      ...csvRow(),
      ageDays: null,
      losDays: null,
      principalProcedure: null,
      secondaryDiagnoses: null,
      otherProcedures: null,
    });
    expect(r).toMatchObject({ ageDays: null, losDays: 7, principalProcedure: null, secondaryDiagnoses: [], otherProcedures: [] });
  });

  it('takes an integer ageDays and a numeric discharge mode', () => {
    expect(recordOf({ ...csvRow(), age: 0, ageDays: 3, dischargeMode: 5 })).toMatchObject({ age: 0, ageDays: 3, dischargeMode: '5' });
  });

  it.each([12.5, 0.1, 100])('rejects money given as the JSON number %p', (n) => {
    expectOnlyError({ ...csvRow(), totalCost: n }, 'totalCost', /not a JSON number/);
  });

  it('rejects a JSON number for fundPayment and outOfCatalogSelfPay too', () => {
    expectOnlyError({ ...csvRow(), fundPayment: 8000.5 }, 'fundPayment', /not a JSON number/);
    expectOnlyError({ ...csvRow(), outOfCatalogSelfPay: 0 }, 'outOfCatalogSelfPay', /not a JSON number/);
  });

  it.each([
    ['age', 45.5, /^must be a whole number; got 45.5$/],
    ['age', true, /must be a string, got boolean/],
    ['caseId', { id: 1 }, /must be a string, got object/],
    ['patientId', ['P1'], /must be a string, got an array/],
    ['admissionDate', 20240301, /calendar date/],
    ['secondaryDiagnoses', 5, /list of codes/],
    ['otherProcedures', ['88.7400', 96.04], /list of codes/],
    ['daySurgery', 'yes', /true or false/],
    ['externalExpert', 2, /true or false/],
    ['totalCost', true, /must be a string, got boolean/],
  ])('rejects %s given as %p', (field, value, reason) => {
    expectOnlyError({ ...csvRow(), [field]: value }, field as FieldError['field'], reason);
  });
});

describe('validateCase: each rule of spec §2 broken alone', () => {
  it.each(REQUIRED_CASE_FIELDS.map((f) => [f]))('requires %s (absent, empty or blank)', (field) => {
    expectOnlyError(without(csvRow(), field), field, /^is required$/);
    expectOnlyError(csvRow({ [field]: '' }), field, /^is required$/);
    expectOnlyError(csvRow({ [field]: '   ' }), field, /^is required$/);
  });

  it('names exactly the required fields of the spec', () => {
    expect([...REQUIRED_CASE_FIELDS].sort()).toEqual(
      [
        'caseId',
        'hospitalCode',
        'pool',
        'patientId',
        'sex',
        'age',
        'admissionDate',
        'dischargeDate',
        'dischargeMode',
        'principalDiagnosis',
        'totalCost',
        'fundPayment',
      ].sort(),
    );
  });

  it('rejects an unknown field, naming it', () => {
    expect(errorsOf(csvRow({ ward: '3B' }))).toEqual([{ field: '*', reason: 'unknown field "ward"' }]);
  });

  it('rejects a hospital that is not registered', () => {
    expectOnlyError(csvRow({ hospitalCode: 'H999' }), 'hospitalCode', /"H999" is not registered/);
  });

  it('rejects a discharge before the admission', () => {
    expectOnlyError(csvRow({ admissionDate: '2024-03-08', dischargeDate: '2024-03-07' }), 'dischargeDate', /before admission/);
  });

  it.each([
    ['admissionDate', '2024-02-30'],
    ['admissionDate', '2023-02-29'],
    ['dischargeDate', '2024-04-31'],
    ['dischargeDate', '2024-13-01'],
    ['admissionDate', '2024-3-1'],
    ['admissionDate', '2024/03/01'],
    ['dischargeDate', '20240308'],
  ])('rejects the impossible or malformed %s %j', (field, value) => {
    expectOnlyError(csvRow({ [field]: value }), field as FieldError['field'], /calendar date YYYY-MM-DD/);
  });

  it.each([
    ['5', '2024-03-01', '2024-03-08'], // 7 days
    ['8', '2024-03-01', '2024-03-08'],
    ['1', '2024-03-01', '2024-03-03'], // 2 days: 1 is only allowed for a same-day stay
    ['2', '2024-03-01', '2024-03-01'],
  ])('rejects losDays %s contradicting %s → %s', (losDays, admissionDate, dischargeDate) => {
    expectOnlyError(csvRow({ losDays, admissionDate, dischargeDate }), 'losDays', /contradicts the dates/);
  });

  it.each(['-1', '1.5', 'seven'])('rejects losDays %j', (losDays) => {
    expectOnlyError(csvRow({ losDays }), 'losDays', /whole number/);
  });

  it('rejects fundPayment above totalCost', () => {
    expectOnlyError(
      csvRow({ totalCost: '100.00', fundPayment: '100.01', outOfCatalogSelfPay: '' }),
      'fundPayment',
      /100\.01 exceeds totalCost 100\.00/,
    );
  });

  it('rejects outOfCatalogSelfPay above totalCost − fundPayment', () => {
    expectOnlyError(
      csvRow({ totalCost: '100.00', fundPayment: '60.00', outOfCatalogSelfPay: '40.01' }),
      'outOfCatalogSelfPay',
      /40\.01 exceeds totalCost − fundPayment = 40\.00/,
    );
  });

  it.each([
    ['totalCost', '-1'],
    ['fundPayment', '-0.01'],
    ['outOfCatalogSelfPay', '-5'],
  ])('rejects the negative %s %j', (field, value) => {
    expectOnlyError(csvRow({ [field]: value }), field as FieldError['field'], /must not be negative/);
  });

  it.each([
    ['1e3', /exponent notation/],
    ['1E3', /exponent notation/],
    ['0.1+0.2', /not a decimal number/],
    ['12.345', /3 decimal places; at most 2/],
    ['1,000.00', /not a decimal number/],
    ['¥100', /not a decimal number/],
    ['.5', /not a decimal number/],
    ['5.', /not a decimal number/],
    ['NaN', /not a decimal number/],
    ['Infinity', /not a decimal number/],
  ])('rejects the money text %j', (value, reason) => {
    expectOnlyError(csvRow({ outOfCatalogSelfPay: value }), 'outOfCatalogSelfPay', reason);
  });

  it('rejects money beyond DECIMAL(15,2)', () => {
    expectOnlyError(csvRow({ totalCost: '10000000000000.00' }), 'totalCost', /above the maximum/);
  });

  it.each([
    ['daySurgery', 'yes'],
    ['externalExpert', 'no'],
    ['newTechnology', 'Y'],
  ])('rejects the flag %s %j', (field, value) => {
    expectOnlyError(csvRow({ [field]: value }), field as FieldError['field'], /must be true or false/);
  });

  it.each([
    ['principalDiagnosis', 'K80', /"K80" is not an ICD-10/],
    ['principalDiagnosis', '51.2300', /is not an ICD-10/],
    ['secondaryDiagnoses', 'I10.x00|K8O.100', /"K8O.100" is not an ICD-10/],
    ['principalProcedure', '51', /"51" is not an ICD-9-CM-3/],
    ['otherProcedures', '88.7400|K80.100', /"K80.100" is not an ICD-9-CM-3/],
  ])('rejects the malformed code in %s %j', (field, value, reason) => {
    expectOnlyError(csvRow({ [field]: value }), field as FieldError['field'], reason);
  });

  it('reports every malformed code of a list', () => {
    expect(errorsOf(csvRow({ secondaryDiagnoses: 'BAD1|I10.x00|BAD2' }))).toEqual([
      { field: 'secondaryDiagnoses', reason: expect.stringContaining('"BAD1"') },
      { field: 'secondaryDiagnoses', reason: expect.stringContaining('"BAD2"') },
    ]);
  });

  it.each(['0', '6', '7', '10', 'A'])('rejects dischargeMode %j', (mode) => {
    expectOnlyError(csvRow({ dischargeMode: mode }), 'dischargeMode', /must be one of 1, 2, 3, 4, 5, 9/);
  });

  it.each(['X', 'male', 'm'])('rejects sex %j', (sex) => {
    expectOnlyError(csvRow({ sex }), 'sex', /must be one of M, F, U/);
  });

  it('rejects pool "staff"', () => {
    expectOnlyError(csvRow({ pool: 'staff' }), 'pool', /must be one of employee, resident/);
  });

  it('rejects age 151', () => {
    expectOnlyError(csvRow({ age: '151' }), 'age', /between 0 and 150/);
  });

  it.each(['-1', '45.0', '4 5', 'forty'])('rejects age %j', (age) => {
    expectOnlyError(csvRow({ age }), 'age', /whole number/);
  });

  it('rejects ageDays above 365', () => {
    expectOnlyError(csvRow({ age: '0', ageDays: '366' }), 'ageDays', /between 0 and 365/);
  });

  it('rejects a caseId of 65 characters', () => {
    expectOnlyError(csvRow({ caseId: 'A'.repeat(65) }), 'caseId', /1–64/);
  });

  it('rejects a caseId with a control character', () => {
    expectOnlyError(csvRow({ caseId: 'C\u00010001' }), 'caseId', /printable/);
  });

  it('rejects a principal diagnosis missing from a loaded diagnosis table', () => {
    const table = new Set(['K80.000', 'I10.x00']);
    const withTable: CaseValidationContext = { ...ctx, hasDiagnosis: (c) => table.has(c) };
    expect(errorsOf(csvRow(), withTable)).toEqual([
      { field: 'principalDiagnosis', reason: expect.stringMatching(/"K80.100" is not in the region's diagnosis table/) },
    ]);
  });

  it('accepts a principal diagnosis of the table, after normalising it', () => {
    const table = new Set(['K80.100']);
    const withTable: CaseValidationContext = { ...ctx, hasDiagnosis: (c) => table.has(c) };
    expect(recordOf(csvRow({ principalDiagnosis: ' k80.100 ' }), withTable).principalDiagnosis).toBe('K80.100');
  });

  it('accepts a dagger pair whose grouping part is in the table', () => {
    const table = new Set(['A01.000x005']);
    const withTable: CaseValidationContext = { ...ctx, hasDiagnosis: (c) => table.has(c) };
    expect(recordOf(csvRow({ principalDiagnosis: 'A01.000x005+J17.0*' }), withTable).principalDiagnosis).toBe('A01.000x005+J17.0*');
  });
});

describe('validateCase: several errors in one row', () => {
  it('reports all of them, each with its field', () => {
    const errors = errorsOf(
      csvRow({
        ward: '3B',
        hospitalCode: 'H999',
        sex: 'X',
        age: '151',
        dischargeDate: '2024-02-30',
        dischargeMode: '6',
        principalDiagnosis: 'K80',
        totalCost: '1e3',
        daySurgery: 'yes',
      }),
    );
    expect(errors.map((e) => e.field).sort()).toEqual(
      ['*', 'hospitalCode', 'sex', 'age', 'dischargeDate', 'dischargeMode', 'principalDiagnosis', 'totalCost', 'daySurgery'].sort(),
    );
  });

  it('reports a missing field and a bad one together', () => {
    const errors = errorsOf(without(csvRow({ fundPayment: '12.345' }), 'patientId'));
    expect(errors).toEqual([
      { field: 'patientId', reason: 'is required' },
      { field: 'fundPayment', reason: expect.stringMatching(/3 decimal places/) },
    ]);
  });
});

describe('caseContentHash', () => {
  const base = recordOf(csvRow());

  it('is a SHA-1 hex digest, the same for identical records', () => {
    const hash = caseContentHash(base);
    expect(hash).toMatch(/^[0-9a-f]{40}$/);
    expect(caseContentHash(recordOf(csvRow()))).toBe(hash);
    expect(caseContentHash({ ...base, secondaryDiagnoses: [...base.secondaryDiagnoses] })).toBe(hash);
  });

  it('is the same for the CSV and the equivalent JSON form of a case', () => {
    const json = recordOf({ ...csvRow(), age: 45, secondaryDiagnoses: ['I10.x00', 'E11.900'], daySurgery: false, externalExpert: true });
    expect(caseContentHash(json)).toBe(caseContentHash(base));
  });

  /** A different value of the same kind for every field. */
  function changed(field: (typeof CASE_FIELDS)[number]): CaseRecord {
    const v = base[field];
    const other = Array.isArray(v)
      ? [...v, 'Z99.900']
      : typeof v === 'number'
        ? v + 1
        : typeof v === 'boolean'
          ? !v
          : v === null
            ? '51.2200'
            : `${v}0`;
    return { ...base, [field]: other } as CaseRecord;
  }

  it.each(CASE_FIELDS.map((f) => [f]))('changes when %s changes', (field) => {
    expect(caseContentHash(changed(field))).not.toBe(caseContentHash(base));
  });

  it('tells the same code in a different list apart', () => {
    const a = { ...base, secondaryDiagnoses: ['I10.x00'], otherProcedures: [] };
    const b = { ...base, secondaryDiagnoses: [], otherProcedures: ['I10.x00'] };
    expect(caseContentHash(a)).not.toBe(caseContentHash(b));
  });
});

describe('validateCase: limits and ranges (issue 11)', () => {
  const longestDiagnosis = 'A01.000x0005+J17.000*';
  const longestProcedure = '86.700x0013';

  it('the longest code shapes are what MAX_*_CHARS say, and a full list fits its column', () => {
    expect(recordOf(csvRow({ secondaryDiagnoses: longestDiagnosis })).secondaryDiagnoses).toEqual([longestDiagnosis]);
    expect(recordOf(csvRow({ otherProcedures: longestProcedure })).otherProcedures).toEqual([longestProcedure]);
    expect(longestDiagnosis.length).toBe(MAX_DIAGNOSIS_CHARS);
    expect(longestProcedure.length).toBeLessThanOrEqual(MAX_PROCEDURE_CHARS);
    // 80 codes of 21 characters and 79 separators: 1,759 characters.
    expect(MAX_LIST_CODES * (MAX_DIAGNOSIS_CHARS + 1) - 1).toBeLessThanOrEqual(LIST_COLUMN_CHARS);
  });

  it('a list holds up to 80 codes; 81 is refused with the count', () => {
    const codes = (n: number) => Array.from({ length: n }, () => longestDiagnosis).join('|');
    expect(recordOf(csvRow({ secondaryDiagnoses: codes(80) })).secondaryDiagnoses).toHaveLength(80);
    expectOnlyError(csvRow({ secondaryDiagnoses: codes(81) }), 'secondaryDiagnoses', /^holds 81 codes; at most 80$/);
    expectOnlyError(csvRow({ otherProcedures: Array(300).fill('51.2300').join('|') }), 'otherProcedures', /^holds 300 codes; at most 80$/);
  });

  it('admission before 1998-01-01 is refused; 1998-01-01 itself is a case', () => {
    expect(recordOf(csvRow({ admissionDate: '1998-01-01', dischargeDate: '1998-01-03' })).losDays).toBe(2);
    expectOnlyError(csvRow({ admissionDate: '0001-01-01' }), 'admissionDate', /^0001-01-01 is before 1998-01-01/);
  });

  it('discharge after today is refused when the context knows today', () => {
    const today = epochDay('2026-11-30')!;
    expect(recordOf(csvRow({ admissionDate: '2026-11-20', dischargeDate: '2026-11-30' }), { ...ctx, today }).losDays).toBe(10);
    const errors = errorsOf(csvRow({ dischargeDate: '2099-01-01' }), { ...ctx, today });
    expect(errors).toEqual([{ field: 'dischargeDate', reason: '2099-01-01 is in the future' }]);
  });

  it('today is the date in China (UTC+8)', () => {
    expect(chinaToday(new Date('2026-11-29T16:00:00Z'))).toBe(epochDay('2026-11-30'));
    expect(chinaToday(new Date('2026-11-29T15:59:59Z'))).toBe(epochDay('2026-11-29'));
  });

  it.each([
    ['NUL', 'P\u00001'],
    ['tab', 'P\t1'],
    ['newline', 'P\n1'],
  ])('a patientId with a %s is refused without quoting it', (_name, patientId) => {
    const errors = errorsOf(csvRow({ patientId }));
    expect(errors).toEqual([{ field: 'patientId', reason: expect.stringMatching(/^must be printable/) }]);
    expect(JSON.stringify(errors)).not.toContain('P');
  });

  it('caseId with spaces around it is refused, not trimmed', () => {
    expectOnlyError(csvRow({ caseId: ' C0001 ' }), 'caseId', /must not begin or end with spaces/);
    expect(recordOf(csvRow({ caseId: 'C 0001' })).caseId).toBe('C 0001');
  });

  it('a JSON float for a text field says what it may be', () => {
    expectOnlyError({ ...csvRow(), caseId: 1.5 }, 'caseId', /^must be a whole number or a string; got the number 1\.5$/);
  });

  it('quotes at most 40 characters of a bad value', () => {
    const [e] = errorsOf(csvRow({ sex: 'X'.repeat(500) }));
    expect(e.reason).toBe(`must be one of M, F, U; got "${'X'.repeat(40)}…"`);
  });
});

describe('department (issue 12)', () => {
  it('is optional, not required by a CSV header, and last in the header order', () => {
    expect(CASE_FIELDS[CASE_FIELDS.length - 1]).toBe('department');
    expect(REQUIRED_CASE_FIELDS).not.toContain('department');
    expect(recordOf(csvRow()).department).toBeNull();
    expect(recordOf(csvRow({ department: '' })).department).toBeNull();
    expect(recordOf(csvRow({ department: '   ' })).department).toBeNull();
    expect(recordOf({ ...csvRow(), department: null }).department).toBeNull();
  });

  it('is trimmed; codes, Chinese names and inner spaces are kept as given', () => {
    expect(recordOf(csvRow({ department: ' 普外科 ' })).department).toBe('普外科');
    expect(recordOf(csvRow({ department: 'GS-01 二病区' })).department).toBe('GS-01 二病区');
    expect(recordOf({ ...csvRow(), department: 301 }).department).toBe('301');
  });

  it('holds up to 64 characters, counted as characters (code points), not UTF-16 units', () => {
    expect(MAX_DEPARTMENT_CHARS).toBe(64);
    expect(recordOf(csvRow({ department: '科'.repeat(64) })).department).toHaveLength(64);
    // 64 astral characters: 128 UTF-16 units, 64 characters as MySQL's VARCHAR(64) counts them.
    expect(recordOf(csvRow({ department: '𠀀'.repeat(64) })).department).toBe('𠀀'.repeat(64));
    expectOnlyError(csvRow({ department: 'D'.repeat(65) }), 'department', /^must be at most 64 characters; got 65$/);
  });

  it.each([
    ['tab', 'ICU\t2', '\\u0009'],
    ['newline', 'ICU\n2', '\\u000a'],
    ['NUL', 'ICU\u00002', '\\u0000'],
  ])('with a %s is refused, the character escaped in the reason', (_name, department, escaped) => {
    expectOnlyError(
      csvRow({ department }),
      'department',
      new RegExp(`^must be printable: no tab, line break or other control character; got "ICU\\${escaped}2"$`),
    );
  });

  it('never quotes the patientId (a shifted column)', () => {
    const shifted = errorsOf(csvRow({ patientId: 'PAT-1\u0001', department: 'PAT-1\u0001' }));
    expect(shifted.find((e) => e.field === 'department')?.reason).toMatch(/withheld: it is the patientId/);
    expect(JSON.stringify(shifted)).not.toContain('PAT-1');
  });

  it('is refused as a list or an object, like every text field', () => {
    expectOnlyError({ ...csvRow(), department: ['ICU'] }, 'department', /must be a string, got an array/);
  });

  it('leaves the content hash of a case without one as it was before the field existed', () => {
    // The hash of csvRow() computed before issue 12 (sha1 over the 21 original fields): stored
    // cases re-imported without a department stay a no-op.
    expect(caseContentHash(recordOf(csvRow()))).toBe('2b5edb9141109957d307f3f873d7f041a355123c');
    expect(caseContentHash(recordOf(csvRow({ department: '' })))).toBe('2b5edb9141109957d307f3f873d7f041a355123c');
  });

  it('changes the hash when given, and each department hashes apart', () => {
    const none = caseContentHash(recordOf(csvRow()));
    const a = caseContentHash(recordOf(csvRow({ department: '普外科' })));
    const b = caseContentHash(recordOf(csvRow({ department: '骨科' })));
    expect(new Set([none, a, b]).size).toBe(3);
    expect(caseContentHash(recordOf(csvRow({ department: ' 普外科 ' })))).toBe(a);
  });
});
