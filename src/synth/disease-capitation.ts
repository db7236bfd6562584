import { fenToYuan, mulDiv } from './money';
import { hash32, Rng } from './random';

/**
 * A deterministic demo data set for SCHEMES.md A (disease-capitation, seed 000 Panzhihua): the
 * year's policy and the CSV text of every input table (header = the table's column names). The
 * same options give the same text on every machine: every random choice is a whole number drawn
 * from a seeded Rng, money is whole fen from the first draw to the last (scaled with exact integer
 * arithmetic, half-up), and written by the one money module. Fast for a million persons: one
 * pass, integer arithmetic only, lines joined 50,000 at a time. Pure: no I/O.
 *
 * What it holds: ~1,500 persons per hospital (at least 5 hospitals), the last hospitals grouped
 * into close county consortia of three; a person has one class-2 disease (four in five) or two;
 * 5 % are new in the year (months < 12), 2 % change hospital in the year (two rows whose months
 * add up to 12), 4 % are never treated; three in five sign with a family-doctor institution.
 * Spending S_h is the hospital's expected cost × a ratio from 0.85 to 1.25, so that surpluses,
 * overspends inside the 10 % band and beyond it all occur.
 */

/** The shipped policy's parameters (catalogs/schemes/disease-capitation/510400-2021.json). */
export const DISEASE_CAPITATION_POLICY_PARAMETERS = {
  riskAdjustment: { ageFrom: 65, ageFactor: '1.2', class1Factor: '1.5' },
  advanceRatio: '0.95',
  retentionRatio: '0.80',
  tiers: [
    { upTo: '0.10', shares: { fund: '0.40', hospital: '0.60' } },
    { upTo: null, shares: { fund: '0', hospital: '1' } },
  ],
  familyDoctor: { feePerPerson: '100.00', midYearShare: '0.5' },
} as const;

/** ρ × 100 per weight class (bit 0: age ≥ 65, bit 1: class-1 disease), from the factors above. */
const RHO_100 = [100, 120, 150, 180];

/** Illustrative class-2 diseases: code, name, the employee pool's per-head cost in yuan (residents: 70 %). */
const DISEASES: readonly [string, string, number][] = [
  ['M03900', '高血压', 1260],
  ['M01600', '糖尿病', 2080],
  ['M04600', '冠心病', 2450],
  ['M05300', '慢性阻塞性肺疾病', 2720],
  ['M04800', '脑卒中后遗症', 2310],
  ['M04300', '慢性心力衰竭', 3050],
  ['M06900', '类风湿关节炎', 1890],
  ['M02300', '甲状腺功能亢进', 1120],
  ['M08300', '帕金森病', 3380],
  ['M05500', '支气管哮喘', 1460],
];
const POOLS = ['employee', 'resident'] as const;

export interface DiseaseCapitationDemoOptions {
  seed: number;
  /** 6-digit region code, e.g. 510400 (Panzhihua). */
  region: string;
  year: number;
  /** Persons enrolled, ≥ 1. */
  persons: number;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export function generateDiseaseCapitationDemo(opts: DiseaseCapitationDemoOptions): {
  policy: Record<string, unknown>;
  tables: Record<string, string>;
} {
  const { seed, region, year } = opts;
  const personCount = Math.max(1, Math.floor(opts.persons));
  const rng = new Rng(hash32(seed, 16_001, year));

  // Hospitals; the last 3K form K consortia of three.
  const H = Math.max(5, Math.ceil(personCount / 1500));
  const hospitalCodes = Array.from({ length: H }, (_, i) => `H${region}${pad(i + 1, 4)}`);
  const consortia = Math.max(1, Math.floor(H / 25));
  const consortiumRows: string[] = ['consortiumCode,name,hospitalCode'];
  for (let k = 0; k < consortia; k++)
    for (let m = 0; m < 3; m++)
      consortiumRows.push(`${region}C${pad(k + 1, 3)},示例县域医共体${k + 1},${hospitalCodes[H - 1 - 3 * k - m]}`);
  const hospitalRows = ['hospitalCode,name', ...hospitalCodes.map((c, i) => `${c},示例定点医疗机构${i + 1}`)];
  // Family-doctor institutions: every third hospital, and community centres that treat nobody.
  const doctorCodes = [
    ...hospitalCodes.filter((_, i) => i % 3 === 0),
    ...Array.from({ length: Math.max(1, Math.floor(H / 5)) }, (_, i) => `F${region}${pad(i + 1, 4)}`),
  ];
  const signed = new Int32Array(doctorCodes.length);

  // Diseases per pool: h in fen; the odd ones from history (fund payment / persons), the even ones given, some with an uplift.
  const D = DISEASES.length;
  const hFen = new Array<number>(POOLS.length * D);
  const diseaseRows = ['pool,disease,name,fundPayment,personsSettled,perHeadCost,uplift'];
  POOLS.forEach((pool, p) => {
    DISEASES.forEach(([code, name, cost], d) => {
      const base = (pool === 'employee' ? cost * 100 : cost * 70) + rng.int(10_000);
      const uplift = d % 3 === 0 ? 2_000 + rng.int(5_000) : 0;
      let perHead = base;
      if (d % 2 === 0) {
        const persons = 200 + rng.int(4_800);
        const fund = base * persons + rng.int(persons);
        perHead = mulDiv(fund, 1, persons);
        diseaseRows.push(`${pool},${code},${name},${fenToYuan(fund)},${persons},,${uplift ? fenToYuan(uplift) : ''}`);
      } else diseaseRows.push(`${pool},${code},${name},,,${fenToYuan(base)},${uplift ? fenToYuan(uplift) : ''}`);
      hFen[p * D + d] = perHead + uplift;
    });
  });

  // Persons.
  const startWeighted = [0, 0]; // Σ h (fen) × ρ × 100 over the rows enrolled at the start, per pool
  const expected = new Float64Array(H * 2); // Σ h × ρ × months / 12 (fen) per hospital and pool
  const treatedAt = new Uint8Array(H * 2);
  // The enrolment lines, joined 50,000 at a time (a million lines as one array holds far more memory).
  const parts: string[] = [];
  let lines: string[] = ['person,pool,disease,hospitalCode,age,hasClass1Disease,familyDoctorInstitution,enrolledAtStart,treated,months'];
  const row = (
    person: string,
    p: number,
    d: number,
    h: number,
    age: number,
    c1: boolean,
    doctor: string,
    atStart: boolean,
    treated: boolean,
    months: number,
  ): void => {
    const cls = (age >= 65 ? 1 : 0) + (c1 ? 2 : 0);
    const weighted = hFen[p * D + d] * RHO_100[cls];
    if (atStart) startWeighted[p] += weighted;
    if (treated) {
      expected[h * 2 + p] += Math.floor((weighted * months) / 1200);
      treatedAt[h * 2 + p] = 1;
    }
    if (lines.length === 50_000) {
      parts.push(lines.join('\n'));
      lines = [];
    }
    lines.push(
      `${person},${POOLS[p]},${DISEASES[d][0]},${hospitalCodes[h]},${age},${c1},${doctor},${atStart},${treated},${atStart && months === 12 && rng.int(2) === 0 ? '' : months}`,
    );
  };
  for (let i = 0; i < personCount; i++) {
    const person = `PZ${pad(i + 1, 7)}`;
    // The first two persons are enrolled all year, one per pool, so that even a tiny set has λ in both.
    const p = i < 2 ? i : rng.int(100) < 45 ? 0 : 1;
    const age = 30 + rng.int(61);
    const c1 = rng.int(100) < 15;
    const h = rng.int(H);
    const f = rng.int(5) < 3 ? rng.int(doctorCodes.length) : -1;
    if (f >= 0) signed[f]++;
    const doctor = f >= 0 ? doctorCodes[f] : '';
    const d1 = rng.int(D);
    const diseases = rng.int(5) === 0 ? [d1, (d1 + 1 + rng.int(D - 1)) % D] : [d1];
    const kind = i < 2 ? 99 : rng.int(100); // < 5 new, < 7 moves hospital, < 11 never treated
    for (const d of diseases) {
      if (kind < 5) row(person, p, d, h, age, c1, doctor, false, true, 1 + rng.int(11));
      else if (kind < 7) {
        const m = 1 + rng.int(11);
        row(person, p, d, h, age, c1, doctor, true, true, m);
        row(person, p, d, (h + 1 + rng.int(H - 1)) % H, age, c1, doctor, false, true, 12 - m);
      } else row(person, p, d, h, age, c1, doctor, true, kind >= 11, 12);
    }
  }

  // T per pool: Σ h × ρ at the start × 1.03; λ ≈ 1.03.
  const budgetRows = ['pool,fundControl', ...POOLS.map((pool, p) => `${pool},${fenToYuan(mulDiv(startWeighted[p], 103, 10_000))}`)];

  // Spending: the expected cost × λ × a ratio, for every hospital and pool with a treated row.
  const RATIOS = [85, 95, 100, 104, 110, 118, 125];
  const spendingRows = ['hospitalCode,pool,fundPayment'];
  for (let h = 0; h < H; h++)
    for (let p = 0; p < 2; p++)
      if (treatedAt[h * 2 + p])
        spendingRows.push(
          `${hospitalCodes[h]},${POOLS[p]},${fenToYuan(mulDiv(expected[h * 2 + p], 103 * RATIOS[rng.int(RATIOS.length)], 10_000))}`,
        );

  const doctorRows = ['institutionCode,name,signedAtMidYear,signedAndServed,score'];
  doctorCodes.forEach((code, f) => {
    const mid = Math.max(0, signed[f] - rng.int(1 + Math.floor(signed[f] / 10)));
    const served = Math.max(0, signed[f] - rng.int(1 + Math.floor(signed[f] / 8)));
    const score = rng.int(4) === 0 ? '' : `0.${70 + rng.int(30)}`;
    doctorRows.push(`${code},示例家庭医生签约机构${f + 1},${mid},${served},${score}`);
  });

  const csv = (ls: string[]): string => `${ls.join('\n')}\n`;
  return {
    policy: {
      scheme: 'disease-capitation',
      region,
      year,
      name: `Demo data set ${region}-${year} (seed ${seed}), the Panzhihua parameters (the age and class-1 factors illustrative)`,
      ...JSON.parse(JSON.stringify(DISEASE_CAPITATION_POLICY_PARAMETERS)),
    },
    tables: {
      budgets: csv(budgetRows),
      diseaseCosts: csv(diseaseRows),
      hospitals: csv(hospitalRows),
      consortia: csv(consortiumRows),
      enrolments: csv([...parts, ...(lines.length ? [lines.join('\n')] : [])]),
      spending: csv(spendingRows),
      familyDoctors: csv(doctorRows),
    },
  };
}
