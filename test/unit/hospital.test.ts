import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dec } from '../../src/domain/decimal';
import {
  Hospital,
  HOSPITAL_BONUSES,
  HOSPITAL_LEVELS,
  HospitalBonus,
  coefficientSum,
  HospitalLevel,
  validateHospital,
} from '../../src/domain/hospital';
import { parsePolicy } from '../../src/domain/policy';

const SHIPPED = path.resolve(__dirname, '../../catalogs/policies/370300-2024.json');
const policy = parsePolicy(JSON.parse(fs.readFileSync(SHIPPED, 'utf8')));

/** The shipped coefficients as decimals, the way the scoring code uses them. */
const LEVELS = Object.fromEntries(HOSPITAL_LEVELS.map((l) => [l, new Dec(policy.hospitalLevels[l])])) as Record<HospitalLevel, Dec>;
const BONUSES = Object.fromEntries(HOSPITAL_BONUSES.map((b) => [b, new Dec(policy.bonuses[b])])) as Record<HospitalBonus, Dec>;

function hospitalOf(raw: Record<string, unknown>): Hospital {
  const result = validateHospital(raw);
  if ('errors' in result) throw new Error(`expected a valid hospital, got ${JSON.stringify(result.errors)}`);
  return result.hospital;
}

function errorsOf(raw: Record<string, unknown>): { field: string; reason: string }[] {
  const result = validateHospital(raw);
  if ('hospital' in result) throw new Error('expected the hospital to be rejected');
  return result.errors;
}

const csv = (over: Record<string, string> = {}): Record<string, unknown> => ({
  code: 'H001',
  name: '淄博市第一人民医院',
  region: '370300',
  level: 'L2A_GENERAL',
  bonuses: 'tcm|keyDisciplineProvincial',
  ...over,
});

describe('validateHospital', () => {
  it('reads the CSV form with "|"-separated bonuses', () => {
    expect(hospitalOf(csv())).toEqual({
      code: 'H001',
      name: '淄博市第一人民医院',
      region: '370300',
      level: 'L2A_GENERAL',
      bonuses: ['tcm', 'keyDisciplineProvincial'],
    });
  });

  it('reads the JSON form with an array of bonuses', () => {
    const h = hospitalOf({ code: 'H002', name: '甲等镇卫生院', region: '370303', level: 'TOWNSHIP_A', bonuses: ['tcm', 'primaryCare'] });
    expect(h).toEqual({ code: 'H002', name: '甲等镇卫生院', region: '370303', level: 'TOWNSHIP_A', bonuses: ['primaryCare', 'tcm'] });
  });

  it('trims values, orders bonuses as the seed does and drops duplicates', () => {
    const h = hospitalOf(csv({ code: ' H_01-a ', name: ' 医院 ', bonuses: ' keyDisciplineProvincial | tcm |tcm| primaryCare ' }));
    expect(h).toEqual({
      code: 'H_01-a',
      name: '医院',
      region: '370300',
      level: 'L2A_GENERAL',
      bonuses: ['primaryCare', 'tcm', 'keyDisciplineProvincial'],
    });
  });

  it.each<[string, unknown]>([
    ['an empty CSV cell', ''],
    ['an empty array', []],
    ['null', null],
  ])('takes %s as no bonuses', (_, bonuses) => {
    expect(hospitalOf({ ...csv(), bonuses }).bonuses).toEqual([]);
  });

  it('takes absent bonuses as none', () => {
    const raw = csv();
    delete raw.bonuses;
    expect(hospitalOf(raw).bonuses).toEqual([]);
  });

  it('accepts every level of the seed', () => {
    for (const level of HOSPITAL_LEVELS) expect(hospitalOf(csv({ level })).level).toBe(level);
  });

  it.each(['L3B', 'l2a_general', 'LEVEL_2', ''])('rejects the level %j', (level) => {
    expect(errorsOf(csv({ level }))).toEqual([
      { field: 'level', reason: expect.stringMatching(/^must be one of L3A_GENERAL, L3_OTHER, L2A_GENERAL/) },
    ]);
  });

  it('rejects an unknown bonus, naming it', () => {
    expect(errorsOf(csv({ bonuses: 'tcm|research' }))).toEqual([
      { field: 'bonuses', reason: '"research" is not one of primaryCare, tcm, keyDisciplineNational, keyDisciplineProvincial' },
    ]);
    expect(errorsOf({ ...csv(), bonuses: ['TCM', 1] })).toEqual([
      { field: 'bonuses', reason: expect.stringMatching(/^"TCM" is not one of/) },
      { field: 'bonuses', reason: expect.stringMatching(/^"1" is not one of/) },
    ]);
  });

  it('rejects bonuses that are not a list', () => {
    expect(errorsOf({ ...csv(), bonuses: 5 })).toEqual([{ field: 'bonuses', reason: expect.stringMatching(/must be a list/) }]);
    expect(errorsOf({ ...csv(), bonuses: { tcm: true } })).toEqual([{ field: 'bonuses', reason: expect.stringMatching(/must be a list/) }]);
  });

  it.each<[string, unknown]>([
    ['5 digits', '37030'],
    ['7 digits', '3703001'],
    ['a letter', '37030a'],
    ['blank', ''],
    ['a number', 370300],
  ])('rejects a region of %s', (_, region) => {
    expect(errorsOf({ ...csv(), region })).toEqual([{ field: 'region', reason: 'must be a 6-digit region code' }]);
  });

  it.each(['', 'H 001', 'H001/2', 'H'.repeat(33), '医院1'])('rejects the code %j', (code) => {
    expect(errorsOf(csv({ code }))).toEqual([{ field: 'code', reason: expect.stringMatching(/1–32 letters/) }]);
  });

  it('accepts a code of 32 characters and a name of 200', () => {
    expect(hospitalOf(csv({ code: 'H'.repeat(32), name: '院'.repeat(200) })).code).toBe('H'.repeat(32));
  });

  it('rejects a blank name and a name of 201 characters', () => {
    expect(errorsOf(csv({ name: '  ' }))).toEqual([{ field: 'name', reason: expect.stringMatching(/required/) }]);
    expect(errorsOf(csv({ name: '院'.repeat(201) }))).toEqual([{ field: 'name', reason: expect.stringMatching(/at most 200/) }]);
  });

  it('rejects an unknown field', () => {
    expect(errorsOf(csv({ city: '淄博' }))).toEqual([{ field: 'city', reason: 'unknown field' }]);
  });

  it('reports every problem of a row', () => {
    const errors = errorsOf({ code: 'H 1', name: '', region: '3703', level: 'L9', bonuses: 'gold', beds: '500' });
    expect(errors.map((e) => e.field).sort()).toEqual(['beds', 'bonuses', 'code', 'level', 'name', 'region']);
  });
});

describe('coefficientSum with the shipped policy values', () => {
  it.each<[HospitalLevel, HospitalBonus[], string]>([
    ['L2A_GENERAL', ['tcm', 'keyDisciplineProvincial'], '0.93'], // 0.86 + 0.05 + 0.02
    ['L3A_GENERAL', [], '1'], // 1.00
    ['L3A_GENERAL', ['keyDisciplineNational'], '1.03'], // 1.00 + 0.03
    ['L3_OTHER', ['tcm'], '0.98'], // 0.93 + 0.05
    ['L2_OTHER', ['primaryCare'], '0.83'], // 0.80 + 0.03
    ['L1', ['primaryCare', 'tcm', 'keyDisciplineNational', 'keyDisciplineProvincial'], '0.85'], // 0.72 + 0.13
    ['TOWNSHIP_A', ['primaryCare', 'tcm'], '0.76'], // 0.68 + 0.03 + 0.05
    ['TOWNSHIP_OTHER', [], '0.64'],
  ])('%s with %j is %s exactly', (level, bonuses, expected) => {
    const k = coefficientSum({ level, bonuses }, LEVELS, BONUSES);
    expect(k.toString()).toBe(expected);
    expect(k.eq(new Dec(expected))).toBe(true);
  });

  it('does not suffer the binary-float error of 0.80 + 0.03', () => {
    expect(0.8 + 0.03).not.toBe(0.83); // what a float would give
    const k = coefficientSum(hospitalOf(csv({ level: 'L2_OTHER', bonuses: 'primaryCare' })), LEVELS, BONUSES);
    expect(k.eq('0.83')).toBe(true);
    expect(k.minus('0.83').isZero()).toBe(true);
  });

  it('takes the base and bonuses from the tables it is given', () => {
    const levels = { ...LEVELS, L2A_GENERAL: new Dec('0.9') };
    const bonuses = { ...BONUSES, tcm: new Dec('0.1') };
    expect(coefficientSum({ level: 'L2A_GENERAL', bonuses: ['tcm', 'keyDisciplineProvincial'] }, levels, bonuses).toString()).toBe('1.02');
  });
});
