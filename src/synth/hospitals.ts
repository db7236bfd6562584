import { Hospital, HospitalBonus, HospitalLevel, HOSPITAL_LEVELS } from '../domain/hospital';
import { hash32, Rng } from './random';

export interface HospitalOptions {
  seed: number;
  /** 6-digit pooling region; hospital codes are `H` + region + a 3-digit number. */
  region: string;
  count: number;
}

/**
 * Share of the hospitals at each level, in HOSPITAL_LEVELS order: a prefecture-level city has
 * a handful of 三甲 hospitals, many 二级 and community / township providers.
 */
const LEVEL_SHARES = [0.06, 0.08, 0.12, 0.22, 0.22, 0.14, 0.16];

/** Place names for the synthetic districts, streets and townships. */
const PLACES = [
  '东城',
  '西城',
  '南湖',
  '北山',
  '青石',
  '白水',
  '金桥',
  '红旗',
  '新华',
  '和平',
  '长安',
  '永安',
  '太平',
  '兴隆',
  '安乐',
  '福田',
  '凤凰',
  '龙泉',
  '石门',
  '柳林',
  '桃园',
  '杏花',
  '松岭',
  '梅村',
  '双河',
  '三里',
  '五里',
  '马庄',
  '王村',
  '李庄',
  '高楼',
  '东关',
  '西关',
  '南营',
  '北营',
  '河口',
  '湖西',
  '山前',
  '山后',
  '黄庄',
];
const SPECIALTIES = [
  '肿瘤医院',
  '妇幼保健院',
  '精神卫生中心',
  '传染病医院',
  '眼科医院',
  '骨科医院',
  '口腔医院',
  '儿童医院',
  '心血管病医院',
  '康复医院',
];

/** How many hospitals at each level, largest-remainder rounding of LEVEL_SHARES, at least one each. */
function levelCounts(total: number): number[] {
  const raw = LEVEL_SHARES.map((s) => s * total);
  const counts = raw.map((x) => Math.max(1, Math.floor(x)));
  const byRemainder = raw.map((_, i) => i).sort((a, b) => (raw[b] % 1) - (raw[a] % 1) || a - b);
  for (let k = 0, sum = counts.reduce((a, b) => a + b, 0); sum < total; k++, sum++) counts[byRemainder[k % byRemainder.length]]++;
  return counts;
}

/**
 * A name a Chinese reader recognises for the level; tcm hospitals are 中医院. `placeIndex` is
 * the hospital's position in the whole list, so that no two hospitals share a place name.
 */
function hospitalName(level: HospitalLevel, n: number, placeIndex: number, tcm: boolean, rng: Rng): string {
  const place =
    PLACES[placeIndex % PLACES.length] + (placeIndex >= PLACES.length ? String(Math.floor(placeIndex / PLACES.length) + 1) : '');
  switch (level) {
    case 'L3A_GENERAL':
      return tcm ? `市中医院（${place}院区）` : `市第${n + 1}人民医院`;
    case 'L3_OTHER':
      return tcm ? `${place}中医院` : `市${SPECIALTIES[n % SPECIALTIES.length]}${n >= SPECIALTIES.length ? `（${place}院区）` : ''}`;
    case 'L2A_GENERAL':
      return `${place}区${tcm ? '中医院' : '人民医院'}`;
    case 'L2_OTHER':
      return `${place}${tcm ? '中医院' : rng.pick(['医院', '中心医院', '协和医院', '仁和医院'])}`;
    case 'L1':
      return `${place}街道社区卫生服务中心`;
    default:
      return `${place}镇卫生院`;
  }
}

/**
 * About `count` hospitals over the seven levels (spec §7), with bonus flags sprinkled:
 * community and township providers mostly 基层; some 中医; national key disciplines at a few
 * 三级 hospitals, provincial ones at some 三级 and 二甲.
 */
export function generateHospitals(opts: HospitalOptions): Hospital[] {
  if (!/^\d{6}$/.test(opts.region)) throw new Error(`region must be a 6-digit code; got "${opts.region}"`);
  if (!Number.isInteger(opts.count) || opts.count < HOSPITAL_LEVELS.length || opts.count > 999) {
    throw new Error(`hospital count must be between ${HOSPITAL_LEVELS.length} and 999; got ${opts.count}`);
  }
  const rng = new Rng(hash32(opts.seed, 0x4051));
  const counts = levelCounts(opts.count);
  const hospitals: Hospital[] = [];
  HOSPITAL_LEVELS.forEach((level, li) => {
    for (let n = 0; n < counts[li]; n++) {
      const bonuses: HospitalBonus[] = [];
      const primary = li >= 4;
      if (primary && rng.chance(0.85)) bonuses.push('primaryCare');
      const tcm = rng.chance(primary ? 0.04 : 0.15);
      if (tcm) bonuses.push('tcm');
      if (li <= 1 && rng.chance(0.3)) bonuses.push('keyDisciplineNational');
      else if (li <= 2 && rng.chance(0.35)) bonuses.push('keyDisciplineProvincial');
      hospitals.push({
        code: `H${opts.region}${String(hospitals.length + 1).padStart(3, '0')}`,
        name: hospitalName(level, n, hospitals.length, tcm, rng),
        region: opts.region,
        level,
        bonuses,
      });
    }
  });
  return hospitals;
}
