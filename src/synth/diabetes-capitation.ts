import { fenToYuan, mulDiv, yuanToFen } from './money';
import { hash32, Rng } from './random';

/**
 * `dip generate --scheme diabetes-capitation`: a deterministic demo year of Tianjin's diabetes
 * per-head global payment (SCHEMES.md C, seed 003). Every random draw is a whole number from a
 * seeded Rng and money is whole fen from the first draw to the last (scaled by integer ratios,
 * half-up), so the same options give the same text on every machine. Fast for a million
 * patients: the CSV text is built line by line, no intermediate row objects. Pure: no I/O.
 *
 * What it shows: about one patient in ten new (no base), one in thirty of the base-year pilot
 * (their base from twelve pilot months and the pilot institution's surplus ratios), one in seven
 * covered for part of the year; bases with a long upper tail (so the top 5 % are dropped and the
 * cap binds); institutions spending 88–118 % of their patients' contributions (surplus and
 * overspend, months above their quota), every tenth with a volume-based-procurement
 * adjustment, the first a consortium with two members, the second without an assessment.
 */

/** The parameters of the shipped policy (catalogs/schemes/diabetes-capitation/120000-2022.json). */
export const DIABETES_CAPITATION_POLICY_PARAMETERS = {
  baseYear: 2019,
  newPatientAverage: '3650.25',
  dropHighestPercent: '5',
  floorPercentile: '20',
  capPercentile: '80',
  bound: { lower: '0.80', upper: '1.20' },
  specialCompensation: { enabled: true, maxPatientShare: '0.05' },
  monthlySurplusShare: '0.50',
} as const;

const STREAM = 0x4443; // "DC"
const DISTRICTS = [
  '和平',
  '河东',
  '河西',
  '南开',
  '河北',
  '红桥',
  '东丽',
  '西青',
  '津南',
  '北辰',
  '武清',
  '宝坻',
  '滨海',
  '宁河',
  '静海',
  '蓟州',
];
const KINDS = ['社区卫生服务中心', '街道社区卫生服务中心', '镇卫生院', '区人民医院', '中医医院'];
const SEASON = [100, 90, 101, 99, 100, 100, 102, 103, 99, 100, 101, 105];

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const between = (rng: Rng, lo: number, hi: number): number => lo + rng.int(hi - lo + 1);

export function generateDiabetesCapitationDemo(opts: { seed: number; region: string; year: number; persons: number }): {
  policy: Record<string, unknown>;
  tables: Record<string, string>;
} {
  const { seed, region, year, persons } = opts;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`the seed must be a whole number ≥ 0; got ${seed}`);
  if (!/^\d{6}$/.test(region)) throw new Error(`the region must be a 6-digit code; got ${region}`);
  if (!Number.isInteger(year) || year < 1901 || year > 2999) throw new Error(`the year must be 1901–2999; got ${year}`);
  if (!Number.isInteger(persons) || persons < 1 || persons > 10_000_000) throw new Error(`persons must be 1–10,000,000; got ${persons}`);

  const P = DIABETES_CAPITATION_POLICY_PARAMETERS;
  const newAverage = yuanToFen(P.newPatientAverage);
  const H = Math.max(1, Math.min(Math.ceil(persons / 20), Math.max(3, Math.round(persons / 400))));
  const rng = new Rng(hash32(seed, STREAM, Number(region), year));

  // Institutions: a spending factor (‰ of their patients' contributions) each.
  const codes: string[] = [];
  const factor = new Int32Array(H);
  const instLines = ['institutionCode,name,vbpAdjustment'];
  const memberLines = ['institutionCode,memberCode,name'];
  const assessLines = ['institutionCode,score'];
  for (let h = 0; h < H; h++) {
    const code = `H${region}${pad(h + 1, 5)}`;
    codes.push(code);
    factor[h] = h === 0 ? 1_120 : h === 1 ? 900 : between(rng, 820, 1_120);
    const district = DISTRICTS[h % DISTRICTS.length];
    const name = `${district}${h >= DISTRICTS.length ? `第${Math.floor(h / DISTRICTS.length) + 1}` : ''}${KINDS[h % KINDS.length]}`;
    instLines.push(`${code},${h === 0 ? `${district}区医联体` : name},`); // vbpAdjustment filled below
    if (h === 0) {
      memberLines.push(`${code},M${region}00001,${district}区第一社区卫生服务中心`);
      memberLines.push(`${code},M${region}00002,${district}区第二社区卫生服务中心`);
    }
    if (h !== 1) assessLines.push(`${code},0.${pad(between(rng, 80, 99), 2)}`);
  }

  // Patients, and each institution's actual cost (fen) and patients.
  const actualTotal = new Float64Array(H);
  const count = new Int32Array(H);
  const patientLines: string[] = new Array(persons + 1);
  patientLines[0] = 'person,institutionCode,months,newPatient,baseCost,actualCost';
  const pilotLines = ['person,month,cost,surplusRatio'];
  // The pilot institutions' surplus ratios by month (ten-thousandths; some months overspent: 0).
  const pilotRatio = Array.from({ length: 12 }, () => (rng.chance(0.2) ? 0 : between(rng, 200, 2_500)));
  for (let i = 0; i < persons; i++) {
    const person = `T${pad(i + 1, 8)}`;
    const h = i < H ? i : rng.int(H); // every institution has a patient
    count[h]++;
    const months = rng.chance(0.86) ? 12 : between(rng, 1, 11);
    const isNew = rng.chance(0.1);
    const u = rng.int(100);
    const base = u < 85 ? between(rng, 600_00, 3_500_00) : u < 97 ? between(rng, 3_500_00, 8_000_00) : between(rng, 8_000_00, 25_000_00);
    const pilot = !isNew && rng.chance(1 / 30);
    let baseText = '';
    if (pilot) {
      // Twelve months adding up to the base's cost at quota: each month's cost is the base's share
      // net of that month's surplus ratio (the run adds them back: c / (1 − r)).
      for (let m = 0; m < 12; m++) {
        const monthShare = mulDiv(base, SEASON[m], 1_203);
        const c = mulDiv(monthShare, 10_000 - pilotRatio[m], 10_000);
        pilotLines.push(`${person},${m + 1},${fenToYuan(c)},${pilotRatio[m] === 0 ? '0' : `0.${pad(pilotRatio[m], 4)}`}`);
      }
    } else if (!isNew) baseText = fenToYuan(base);
    // The year's actual cost: the patient's expected amount for the months covered × the
    // institution's factor × the patient's own 70–135 %.
    const expected = isNew ? newAverage : Math.min(base, 4_500_00);
    const actual = mulDiv(mulDiv(expected, months * factor[h], 12_000), between(rng, 70, 135), 100);
    actualTotal[h] += actual;
    patientLines[i + 1] = `${person},${codes[h]},${months},${isNew ? 'true' : 'false'},${baseText},${fenToYuan(actual)}`;
  }

  // Every tenth institution: a procurement adjustment of 12 yuan per patient (well below any quota).
  for (let h = 9; h < H; h += 10) instLines[h + 1] += fenToYuan(count[h] * 12_00);

  // Monthly costs adding up to the patients' actual costs, by the season (± 3 %).
  const monthLines = ['institutionCode,month,cost'];
  for (let h = 0; h < H; h++) {
    const weights = SEASON.map((s) => s * 100 + between(rng, -300, 300));
    const sum = weights.reduce((t, w) => t + w, 0);
    let left = actualTotal[h];
    for (let m = 0; m < 12; m++) {
      const c = m === 11 ? left : mulDiv(actualTotal[h], weights[m], sum);
      left -= c;
      monthLines.push(`${codes[h]},${m + 1},${fenToYuan(c)}`);
    }
  }

  const csv = (lines: string[]): string => `${lines.join('\n')}\n`;
  const tables: Record<string, string> = {
    institutions: csv(instLines),
    members: csv(memberLines),
    patients: csv(patientLines),
    monthlyCosts: csv(monthLines),
    assessment: csv(assessLines),
  };
  if (pilotLines.length > 1) tables.pilotMonths = csv(pilotLines);
  const policy = {
    scheme: 'diabetes-capitation',
    region,
    year,
    name: `Synthetic diabetes per-head year (generated, seed ${seed}); the parameters of the shipped policy, newPatientAverage illustrative`,
    ...structuredClone(P),
    baseYear: Math.min(P.baseYear, year - 1),
  };
  return { policy, tables };
}
