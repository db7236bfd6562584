import * as fs from 'node:fs';
import * as path from 'node:path';
import { procedureTyper, TreatmentType } from '../../src/domain/codes';
import { Catalogue, CatalogueGroup, groupCode } from '../../src/domain/catalogue/catalogue';
import { IcdRanges, parseRangeTable } from '../../src/domain/catalogue/ranges';
import { CatalogueIndex, groupCase, GroupingInput } from '../../src/domain/engine';

/** The shipped chapters and two hand-written blocks. */
const RANGES: IcdRanges = {
  chapters: parseRangeTable(fs.readFileSync(path.resolve(__dirname, '../../catalogs/icd10-chapters.tsv'), 'utf8')),
  blocks: [
    { lower: 'K80', upper: 'K87' },
    { lower: 'J09', upper: 'J18' },
  ],
};

/** Procedure types as a region's table gives them. */
const typeOf = procedureTyper(
  new Map<string, 'surgery' | 'therapeutic' | 'diagnostic'>([
    ['51.2100', 'surgery'],
    ['51.2200', 'surgery'],
    ['51.2300', 'surgery'],
    ['51.8800', 'surgery'],
    ['51.9900', 'surgery'],
    ['87.5400', 'diagnostic'],
    ['99.2900', 'therapeutic'],
  ]),
);

function core(key: string, avgCost: string, treatmentType: TreatmentType = 'surgery'): CatalogueGroup {
  const procs = key.slice(key.indexOf('|') + 1);
  const g: CatalogueGroup = {
    code: '',
    key,
    kind: 'core',
    category: key.slice(0, 3),
    treatmentType,
    procedures: procs === '' ? [] : procs.split('+'),
    cases: 100,
    avgCost,
    score: '1000.0000',
    auxiliary: {},
    flags: [],
  };
  g.code = groupCode(g);
  return g;
}

function composite(key: string, treatmentType: TreatmentType): CatalogueGroup {
  const range = key.slice(0, key.indexOf('~'));
  const g: CatalogueGroup = {
    code: '',
    key,
    kind: 'composite',
    category: /^[A-Z]\d{2}$/.test(range) ? range : null,
    treatmentType,
    procedures: [],
    cases: 40,
    avgCost: '9000.00',
    score: '1125.0000',
    auxiliary: {},
    flags: [],
  };
  g.code = groupCode(g);
  return g;
}

const GROUPS: CatalogueGroup[] = [
  core('K80.1|', '6000.00', 'conservative'),
  core('K80.1|51.2200', '20000.00'),
  core('K80.1|51.2300', '24000.00'),
  core('K80.1|51.8800', '22000.00'),
  core('K80.1|51.2200+51.2300', '30000.00'),
  core('K80.0|51.2300', '23000.00'),
  core('A01.0|', '5000.00', 'conservative'),
  core('J17.0|', '5000.00', 'conservative'),
  core('I10.x|', '4000.00', 'conservative'),
  composite('K80~surgery', 'surgery'),
  composite('K80~therapeutic', 'therapeutic'),
  composite('K80-K87~diagnostic', 'diagnostic'),
  composite('K00-K93~conservative', 'conservative'),
  composite('*~conservative', 'conservative'),
];

const CATALOGUE: Catalogue = {
  region: '370300',
  year: 2024,
  window: [2021, 2022, 2023],
  reference: { type: 'allCases', cost: '8000.00' },
  costPerPoint: '8.000000',
  pvBudget: '7.950000',
  groups: GROUPS,
};

const index = new CatalogueIndex(CATALOGUE, RANGES);

const kase = (
  principalDiagnosis: string,
  principalProcedure: string | null = null,
  otherProcedures: string[] = [],
  totalCost = '10000.00',
): GroupingInput => ({
  principalDiagnosis,
  principalProcedure,
  otherProcedures,
  totalCost,
});

const group = (c: GroupingInput) => groupCase(index, c, typeOf);

describe('groupCase, core groups (spec §5.2)', () => {
  it('puts a case into the core group of its own combination key', () => {
    const g = group(kase('K80.100', '51.2300'));
    expect(g).toEqual({ group: GROUPS[2], rule: 'core-exact', key: 'K80.1|51.2300', treatmentType: 'surgery' });
  });

  it('matches an exact key whatever the order of the procedures (the key is sorted)', () => {
    const g = group(kase('K80.101', '51.2300', ['51.2200']));
    expect(g.group?.key).toBe('K80.1|51.2200+51.2300');
    expect(g.rule).toBe('core-exact');
    expect(g.tieBreak).toBeUndefined();
  });

  it('among subset candidates takes the one with most key procedures', () => {
    // Key procedures {51.2200, 51.2300, 51.8800}: candidates 51.2200+51.2300 (2 procedures),
    // 51.2200, 51.2300, 51.8800 (1 each); the conservative group is out (surgery case).
    const g = group(kase('K80.100', '51.2200', ['51.2300', '51.8800']));
    expect(g.key).toBe('K80.1|51.2200+51.2300+51.8800');
    expect(g.group?.key).toBe('K80.1|51.2200+51.2300');
    expect(g.rule).toBe('core-subset');
    expect(g.tieBreak).toBe('most-procedures');
    expect(g.candidates).toBe(4);
  });

  it('then the one containing the principal procedure', () => {
    // {51.2300, 51.8800}: two one-procedure candidates; 51.8800 is the principal procedure.
    // Average costs (24000 vs 22000) would have chosen 51.2300 for a cost of 24000.00.
    const g = group(kase('K80.100', '51.8800', ['51.2300'], '24000.00'));
    expect(g.group?.key).toBe('K80.1|51.8800');
    expect(g.rule).toBe('core-subset');
    expect(g.tieBreak).toBe('principal-procedure');
  });

  it('then the average cost closest to the case cost, exactly', () => {
    // Principal 51.2100 is in no group; candidates 51.2300 (24000.00) and 51.8800 (22000.00).
    // 23000.01: distances 999.99 and 1000.01 → 51.2300. 22999.99: 1000.01 and 999.99 → 51.8800.
    const up = group(kase('K80.100', '51.2100', ['51.2300', '51.8800'], '23000.01'));
    expect(up.group?.key).toBe('K80.1|51.2300');
    expect(up.tieBreak).toBe('closest-avg-cost');
    const down = group(kase('K80.100', '51.2100', ['51.2300', '51.8800'], '22999.99'));
    expect(down.group?.key).toBe('K80.1|51.8800');
    expect(down.tieBreak).toBe('closest-avg-cost');
    // Costs above both averages and below both: 30000 → 51.2300 (6000 vs 8000); 100 → 51.8800.
    expect(group(kase('K80.100', '51.2100', ['51.2300', '51.8800'], '30000.00')).group?.key).toBe('K80.1|51.2300');
    expect(group(kase('K80.100', '51.2100', ['51.2300', '51.8800'], '100.00')).group?.key).toBe('K80.1|51.8800');
  });

  it('then the smallest key in plain character order', () => {
    // 23000.00 is 1000.00 from both averages: "K80.1|51.2300" < "K80.1|51.8800".
    const g = group(kase('K80.100', '51.2100', ['51.2300', '51.8800'], '23000.00'));
    expect(g.group?.key).toBe('K80.1|51.2300');
    expect(g.tieBreak).toBe('smallest-key');
    expect(g.candidates).toBe(2);
  });

  it('gives a diagnostic case the conservative core group', () => {
    // Principal procedure 87.5400 (diagnostic) is a key procedure: key K80.1|87.5400, not core;
    // the only candidate is the conservative group K80.1|, allowed for a diagnostic case.
    const g = group(kase('K80.100', '87.5400'));
    expect(g).toEqual({ group: GROUPS[0], rule: 'core-conservative', key: 'K80.1|87.5400', treatmentType: 'diagnostic' });
  });

  it('gives a conservative case, and a diagnostic one without key procedures, the conservative group by exact key', () => {
    expect(group(kase('K80.100'))).toEqual({ group: GROUPS[0], rule: 'core-exact', key: 'K80.1|', treatmentType: 'conservative' });
    expect(group(kase('K80.100', null, ['87.5400']))).toEqual({
      group: GROUPS[0],
      rule: 'core-exact',
      key: 'K80.1|',
      treatmentType: 'diagnostic',
    });
  });

  it('never gives a therapeutic case the conservative group', () => {
    // Principal 99.2900 (therapeutic): key K80.1|99.2900, the conservative group is no candidate.
    expect(group(kase('K80.100', '99.2900'))).toEqual({
      group: GROUPS[10],
      rule: 'composite',
      key: 'K80.1|99.2900',
      treatmentType: 'therapeutic',
    });
  });

  it('sends the therapeutic case without key procedures (no combination key) to its composite group', () => {
    expect(group(kase('K80.100', null, ['99.2900']))).toEqual({
      group: GROUPS[10],
      rule: 'composite',
      key: null,
      treatmentType: 'therapeutic',
    });
  });

  it('never gives a surgery case the conservative group', () => {
    // 51.9900 is in no core group of K80.1: composite K80~surgery, not K80.1|.
    expect(group(kase('K80.100', '51.9900'))).toEqual({
      group: GROUPS[9],
      rule: 'composite',
      key: 'K80.1|51.9900',
      treatmentType: 'surgery',
    });
  });

  it('takes candidates from the case subcategory only', () => {
    // K80.2 has no core groups; K80.1|51.2300 does not apply.
    expect(group(kase('K80.200', '51.2300')).group?.key).toBe('K80~surgery');
  });

  it('groups a dagger/asterisk pair by the part before "+"', () => {
    const g = group(kase('A01.000x005+J17.0*'));
    expect(g.group?.key).toBe('A01.0|');
    expect(g.key).toBe('A01.0|');
    expect(g.rule).toBe('core-exact');
  });

  it('groups an extension code by its first five characters', () => {
    const g = group(kase('K80.000x002', '51.2300'));
    expect(g.key).toBe('K80.0|51.2300');
    expect(g.group?.key).toBe('K80.0|51.2300');
    expect(group(kase('I10.x00')).group?.key).toBe('I10.x|');
  });
});

describe('groupCase, composite groups and no-score (spec §5.3, §5.4)', () => {
  it('uses the composite group of the category and treatment type', () => {
    const g = group(kase('K80.300', '51.2300'));
    expect(g).toEqual({ group: GROUPS[9], rule: 'composite', key: 'K80.3|51.2300', treatmentType: 'surgery' });
  });

  it('falls back to the block group when the category group is not in the catalogue', () => {
    // K81~diagnostic is missing; K81 lies in block K80-K87, which has a diagnostic group.
    const g = group(kase('K81.000', '87.5400'));
    expect(g.group?.key).toBe('K80-K87~diagnostic');
    expect(g.rule).toBe('composite-block');
  });

  it('falls back to the chapter group when the block has none', () => {
    // K85: block K80-K87 has no conservative group; chapter K00-K93 has.
    expect(group(kase('K85.100'))).toMatchObject({ rule: 'composite-chapter', group: { key: 'K00-K93~conservative' } });
    // K90 lies in no block of the table: the block level is skipped.
    expect(group(kase('K90.000'))).toMatchObject({ rule: 'composite-chapter', group: { key: 'K00-K93~conservative' } });
  });

  it('falls back to the region-wide group when neither block nor chapter has one', () => {
    // J15: block J09-J18 and chapter J00-J99 have no conservative group; *~conservative exists.
    expect(group(kase('J15.900'))).toMatchObject({ rule: 'composite-region', group: { key: '*~conservative' } });
  });

  it('makes a case with no group at all a no-score case, not an error', () => {
    // J15 surgery: no J15~surgery, no J09-J18~surgery, no J00-J99~surgery, no *~surgery.
    expect(group(kase('J15.900', '51.2300'))).toEqual({ group: null, rule: 'no-score', key: 'J15.9|51.2300', treatmentType: 'surgery' });
  });

  it('gives the same answer the second time (composite choices are memoised per category and type)', () => {
    const first = group(kase('K81.000', '87.5400'));
    expect(group(kase('K81.000', '87.5400'))).toEqual(first);
  });
});

describe('CatalogueIndex', () => {
  it('refuses a catalogue with a key twice', () => {
    expect(() => new CatalogueIndex({ ...CATALOGUE, groups: [...GROUPS, core('K80.1|', '1.00', 'conservative')] }, RANGES)).toThrow(
      /K80\.1\| twice/,
    );
  });

  it('refuses a figure that is not a plain decimal', () => {
    expect(() => new CatalogueIndex({ ...CATALOGUE, groups: [{ ...core('K80.1|', '6000.00'), score: '1e3' }] }, RANGES)).toThrow(
      /score of group K80\.1\|/,
    );
  });

  it('does not depend on the order of the groups', () => {
    const reversed = new CatalogueIndex({ ...CATALOGUE, groups: [...GROUPS].reverse() }, RANGES);
    for (const c of [
      kase('K80.100', '51.2100', ['51.2300', '51.8800'], '23000.00'),
      kase('K80.100', '51.2200', ['51.2300', '51.8800']),
      kase('K81.000', '87.5400'),
    ]) {
      expect(groupCase(reversed, c, typeOf)).toEqual(group(c));
    }
  });
});
