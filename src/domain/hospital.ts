import { Dec } from './decimal';

/** Hospital levels in the order of seed 001 (基本系数按级别划分). */
export const HOSPITAL_LEVELS = [
  'L3A_GENERAL', // 三级综合甲等
  'L3_OTHER', // 其他三级
  'L2A_GENERAL', // 二级综合甲等
  'L2_OTHER', // 其他二级
  'L1', // 一级 / 社区卫生服务中心
  'TOWNSHIP_A', // 甲等镇卫生院
  'TOWNSHIP_OTHER', // 其他镇卫生院
] as const;
export type HospitalLevel = (typeof HOSPITAL_LEVELS)[number];

/** Bonus coefficients of seed 001 (加成系数). */
export const HOSPITAL_BONUSES = ['primaryCare', 'tcm', 'keyDisciplineNational', 'keyDisciplineProvincial'] as const;
export type HospitalBonus = (typeof HOSPITAL_BONUSES)[number];

export interface Hospital {
  code: string;
  name: string;
  region: string;
  level: HospitalLevel;
  bonuses: HospitalBonus[];
}

/** Spec §7: k = the base coefficient of the level + every bonus the hospital holds, with the given values. */
export function coefficientSum(
  hospital: Pick<Hospital, 'level' | 'bonuses'>,
  levels: Record<HospitalLevel, Dec>,
  bonuses: Record<HospitalBonus, Dec>,
): Dec {
  return hospital.bonuses.reduce((k, b) => k.plus(bonuses[b]), levels[hospital.level]);
}

const HOSPITAL_CODE = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Checks a hospital as given in a CSV (`code,name,region,level,bonuses`, bonuses `|`-separated)
 * or JSON (bonuses an array). Returns the hospital or every problem, each naming its field.
 */
export function validateHospital(raw: Record<string, unknown>): { hospital: Hospital } | { errors: { field: string; reason: string }[] } {
  const errors: { field: string; reason: string }[] = [];
  const str = (f: string): string => (typeof raw[f] === 'string' ? (raw[f] as string).trim() : '');
  for (const k of Object.keys(raw))
    if (!['code', 'name', 'region', 'level', 'bonuses'].includes(k)) errors.push({ field: k, reason: 'unknown field' });
  const code = str('code');
  if (!HOSPITAL_CODE.test(code)) errors.push({ field: 'code', reason: 'must be 1–32 letters, digits, "-" or "_"' });
  const name = str('name');
  if (name === '' || name.length > 200) errors.push({ field: 'name', reason: 'is required (at most 200 characters)' });
  const region = str('region');
  if (!/^\d{6}$/.test(region)) errors.push({ field: 'region', reason: 'must be a 6-digit region code' });
  const level = str('level');
  if (!(HOSPITAL_LEVELS as readonly string[]).includes(level))
    errors.push({ field: 'level', reason: `must be one of ${HOSPITAL_LEVELS.join(', ')}` });
  const b = raw.bonuses;
  const list =
    b === undefined || b === null || b === ''
      ? []
      : typeof b === 'string'
        ? b
            .split('|')
            .map((s) => s.trim())
            .filter(Boolean)
        : Array.isArray(b)
          ? b
          : null;
  const bonuses: HospitalBonus[] = [];
  if (list === null) errors.push({ field: 'bonuses', reason: 'must be a list ("|"-separated in CSV, an array in JSON)' });
  else
    for (const x of list) {
      if (typeof x === 'string' && (HOSPITAL_BONUSES as readonly string[]).includes(x)) {
        if (!bonuses.includes(x as HospitalBonus)) bonuses.push(x as HospitalBonus);
      } else errors.push({ field: 'bonuses', reason: `"${String(x)}" is not one of ${HOSPITAL_BONUSES.join(', ')}` });
    }
  if (errors.length > 0) return { errors };
  bonuses.sort((x, y) => HOSPITAL_BONUSES.indexOf(x) - HOSPITAL_BONUSES.indexOf(y));
  return { hospital: { code, name, region, level: level as HospitalLevel, bonuses } };
}
