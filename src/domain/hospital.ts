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

/** Coefficient = base coefficient of the level + every bonus the hospital holds (spec §7). */
export function hospitalCoefficient(
  hospital: Pick<Hospital, 'level' | 'bonuses'>,
  levels: Record<HospitalLevel, Dec>,
  bonuses: Record<HospitalBonus, Dec>,
): Dec {
  return hospital.bonuses.reduce((k, b) => k.plus(bonuses[b]), levels[hospital.level]);
}
