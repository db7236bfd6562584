import { CHRONIC_PACKAGE_TABLES } from '../domain/schemes/chronic-package';
import { InputTableSpec } from '../domain/schemes/scheme';
import { fenToYuan, mulDiv } from './money';
import { hash32, Rng } from './random';

/**
 * `dip generate` for SCHEMES.md D (seed 004, Shexian 慢性病医保支付总额包干): a deterministic demo
 * year of a county consortium. The same options give the same text on every machine: every draw
 * comes from seeded Rng streams and money is whole fen from the first draw on (a sampled amount
 * is rounded to the fen at once, never summed as a float), written with two decimals.
 *
 * What it shows: a lead hospital, a county and a private hospital (the lead tier), township
 * centres (one community centre among them) and their village clinics; persons insured in the
 * county, mostly residents holding one or two of the eight qualifying certificates, some
 * employees, some without a qualifying certificate last year (expired, or first held this year),
 * some excluded by a malignant-tumour or uraemia certificate (held now or once); last year's and
 * this year's payments (some persons without a last-year record, a few maternity stays, the
 * essential-drugs project). Most institutions' persons spend 8–12 % more this year, one in four
 * 3–7 % less, and the new patients without a last-year record count only this year: the county
 * overspends its 4 % (by about 5 % at scale) while the institutions with a mild year are in
 * surplus against their own budgets (rewards). Every institution is assessed. Rows for persons not insured this year and for other years are
 * mixed in, as an export from the system has them. Pure: no I/O here.
 */

export interface ChronicPackageDemoOptions {
  seed: number;
  /** 6-digit region code, e.g. 341021 (Shexian 歙县). */
  region: string;
  year: number;
  /** Persons insured in the county (rows of the persons table), 1–5,000,000. */
  persons: number;
}

/** The shipped policy's parameters (catalogs/schemes/chronic-package/341021-2025.json); a test holds them to the file. */
export const CHRONIC_PACKAGE_POLICY_PARAMETERS = {
  growth: '0.04',
  qualifyingCertificates: [
    { code: 'M03900', disease: '高血压 hypertension' },
    { code: 'M01600', disease: '糖尿病 diabetes' },
    { code: 'M04600', disease: '冠心病 coronary heart disease' },
    { code: 'M05300', disease: '慢性阻塞性肺病 COPD' },
    { code: 'M04800', disease: '脑卒中 stroke' },
    { code: 'M04300', disease: '心功能不全 heart failure' },
    { code: 'M03911', disease: '城乡居民两病—高血压 two-disease drug certificate, hypertension' },
    { code: 'M01617', disease: '城乡居民两病—糖尿病 two-disease drug certificate, diabetes' },
  ],
  exclusionCertificates: [
    {
      code: 'M005*',
      disease: "恶性肿瘤（含白血病）malignant tumour incl. leukaemia — illustrative code family, set the county's own codes",
    },
    { code: 'M07803', disease: '慢性肾衰竭（尿毒症期，血透）uraemia, haemodialysis — illustrative code' },
    { code: 'M07804', disease: '慢性肾衰竭（尿毒症期，腹透）uraemia, peritoneal dialysis — illustrative code' },
  ],
  tiers: [
    { tier: 'lead', weight: '5', kinds: ['lead', 'county', 'private'] },
    { tier: 'township', weight: '3', kinds: ['township', 'community'] },
    { tier: 'village', weight: '2', kinds: ['village', 'station'] },
  ],
  assessmentWeights: { fundPayment: '5', managementRate: '3', pilotExperience: '1', satisfaction: '1' },
  overspendRewardRatio: '0.5',
} as const;

const STREAM = 0x4350; // "CP"

/** Qualifying codes with their weights (hypertension and diabetes are the common ones). */
const QUALIFYING: readonly [string, number][] = [
  ['M03900', 40],
  ['M01600', 18],
  ['M04600', 8],
  ['M05300', 5],
  ['M04800', 6],
  ['M04300', 3],
  ['M03911', 14],
  ['M01617', 6],
];
const QUALIFYING_TOTAL = QUALIFYING.reduce((t, [, w]) => t + w, 0);
const EXCLUDING = ['M00501', 'M00503', 'M00504', 'M07803', 'M07804'];
const OTHER = ['M06900', 'M05400', 'M02300', 'M02500'];

/** Township names of Shexian (歙县的乡镇), then numbered ones for larger demos. */
const TOWNS = [
  '徽城',
  '深渡',
  '北岸',
  '富堨',
  '郑村',
  '桂林',
  '许村',
  '溪头',
  '杞梓里',
  '霞坑',
  '岔口',
  '街口',
  '王村',
  '雄村',
  '上丰',
  '昌溪',
  '武阳',
  '三阳',
  '金川',
  '小川',
  '新溪口',
  '璜田',
  '长陔',
  '森村',
  '绍濂',
  '石门',
  '狮石',
  '周家村',
];

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

const header = (spec: InputTableSpec): string => spec.columns.map((c) => c.name).join(',');

/**
 * CSV lines gathered in flat chunks of a few thousand: a million small rope strings kept alive to
 * the end would cost more in garbage collection than everything else.
 */
class Lines {
  private readonly chunks: string[] = [];
  private buffer: string[] = [];
  constructor(first: string) {
    this.buffer.push(first);
  }
  push(line: string): void {
    this.buffer.push(line);
    if (this.buffer.length === 4096) {
      this.chunks.push(this.buffer.join('\n'));
      this.buffer = [];
    }
  }
  text(): string {
    if (this.buffer.length) this.chunks.push(this.buffer.join('\n'));
    this.buffer = [];
    return `${this.chunks.join('\n')}\n`;
  }
}
const specOf = (name: string): InputTableSpec => CHRONIC_PACKAGE_TABLES.find((t) => t.name === name)!;

function qualifyingCode(rng: Rng): string {
  let x = rng.int(QUALIFYING_TOTAL);
  for (const [code, w] of QUALIFYING) {
    if (x < w) return code;
    x -= w;
  }
  return QUALIFYING[0][0];
}

interface DemoInstitution {
  code: string;
  name: string;
  kind: string;
  /** Its claimed persons' spending this year, in per mille of their usual year (a "mild" 93–97 % or a "hard" 108–112 %). */
  drift: number;
}

export function generateChronicPackageDemo(o: ChronicPackageDemoOptions): {
  policy: Record<string, unknown>;
  tables: Record<string, string>;
} {
  if (!Number.isSafeInteger(o.seed) || o.seed < 0) throw new Error(`the seed must be a whole number ≥ 0; got ${o.seed}`);
  if (!/^\d{6}$/.test(o.region)) throw new Error(`the region must be a 6-digit code; got ${o.region}`);
  if (!Number.isInteger(o.year) || o.year < 1903 || o.year > 2999) throw new Error(`the year must be 1903–2999; got ${o.year}`);
  if (!Number.isInteger(o.persons) || o.persons < 1 || o.persons > 5_000_000)
    throw new Error(`persons must be 1–5,000,000; got ${o.persons}`);
  const { region, year } = o;
  const last = year - 1;
  const base = hash32(o.seed, STREAM, Number(region), year);

  // The consortium and its institutions.
  const irng = new Rng(hash32(base, 1));
  const consortiumCode = `YGT${region}`;
  const towns = Math.min(TOWNS.length * 4, Math.max(2, Math.ceil(o.persons / 40_000)));
  const villagesPerTown = Math.min(12, Math.max(2, Math.ceil(o.persons / (towns * 3_000))));
  const inst: DemoInstitution[] = [
    { code: `H${region}0001`, name: '县人民医院（医共体牵头医院）', kind: 'lead', drift: 1040 },
    { code: `H${region}0002`, name: '县中医医院', kind: 'county', drift: 1040 },
    { code: `H${region}0003`, name: '民营医院', kind: 'private', drift: 1040 },
  ];
  const townships: DemoInstitution[] = [];
  const villages: DemoInstitution[][] = [];
  for (let t = 0; t < towns; t++) {
    const town = TOWNS[t % TOWNS.length] + (t >= TOWNS.length ? String(Math.floor(t / TOWNS.length) + 1) : '');
    // One township (and village clinic) in four has a mild year (its persons' spending falls), the others a hard one.
    const drift = (k: number) => (k % 4 === 1 ? 930 + irng.int(41) : 1080 + irng.int(41));
    const ts: DemoInstitution = {
      code: `H${region}1${pad(t + 1, 3)}`,
      name: t === 0 ? `${town}社区卫生服务中心` : `${town}镇中心卫生院`,
      kind: t === 0 ? 'community' : 'township',
      drift: drift(t),
    };
    townships.push(ts);
    const vs: DemoInstitution[] = [];
    for (let v = 0; v < villagesPerTown; v++)
      vs.push({
        code: `H${region}2${pad(t + 1, 3)}${pad(v + 1, 2)}`,
        name: t === 0 && v === 0 ? `${town}社区卫生服务站` : `${town}镇第${v + 1}村卫生室`,
        kind: t === 0 && v === 0 ? 'station' : 'village',
        drift: drift(t + v),
      });
    villages.push(vs);
    inst.push(ts, ...vs);
  }

  const institutionsCsv = new Lines(header(specOf('institutions')));
  for (const x of inst) institutionsCsv.push(`${x.code},${x.name},${x.kind}`);
  const assessmentCsv = new Lines(header(specOf('assessment')));
  const part = () => String(55 + irng.int(46));
  assessmentCsv.push(`${consortiumCode},${part()},${part()},${part()},${part()}`);
  for (const x of inst) assessmentCsv.push(`${x.code},${part()},${part()},${part()},${part()}`);

  // The persons, their certificates and payments.
  const rng = new Rng(hash32(base, 2));
  const personsCsv = new Lines(header(specOf('persons')));
  const certificatesCsv = new Lines(header(specOf('certificates')));
  const paymentsCsv = new Lines(header(specOf('payments')));
  const money = (median: number, sigma: number) => Math.round(rng.logNormal(median, sigma) * 100);
  for (let i = 0; i < o.persons; i++) {
    const id = `P${region}${pad(i + 1, 7)}`;
    const employee = rng.chance(0.03);
    // Claimed by a village clinic (68 %), a township centre (30 %), or nobody (2 %).
    const c = rng.float();
    const t = rng.int(towns);
    const by = c < 0.02 ? null : c < 0.32 ? townships[t] : villages[t][rng.int(villagesPerTown)];
    personsCsv.push(`${id},${employee ? 'employee' : 'resident'},${by === null ? '' : by.code}`);

    // Certificates.
    const k = rng.float();
    if (k < 0.03) {
      // Expired before last year, or first held this year: no qualifying certificate last year.
      certificatesCsv.push(
        rng.chance(0.5) ? `${id},${qualifyingCode(rng)},${last - 5},${last - 1}` : `${id},${qualifyingCode(rng)},${year},`,
      );
    } else if (k < 0.05) {
      certificatesCsv.push(`${id},${OTHER[rng.int(OTHER.length)]},${last - rng.int(5)},`);
    } else {
      const first = qualifyingCode(rng);
      certificatesCsv.push(`${id},${first},${last - rng.int(8)},`);
      if (rng.chance(0.2)) {
        const second = qualifyingCode(rng);
        if (second !== first) certificatesCsv.push(`${id},${second},${last - rng.int(4)},`);
      }
    }
    if (rng.chance(0.03)) {
      // An exclusion certificate, held now or once (ever held: excluded).
      const from = last - rng.int(6);
      certificatesCsv.push(
        `${id},${EXCLUDING[rng.int(EXCLUDING.length)]},${from},${rng.chance(0.3) ? String(Math.min(last, from + 1)) : ''}`,
      );
    }

    // Payments: the person's usual year (outpatient care; for one in five a stay) within ±5 % last
    // year and around the claiming institution's drift this year. 8 % have no record last year (new
    // patients), 5 % none this year.
    const drift = by === null ? 1040 : by.drift;
    const usualOut = money(1400, 0.8);
    const usualIn = rng.chance(0.2) ? money(7000, 0.7) : 0;
    const usualDrugs = rng.chance(0.4) ? 5000 + rng.int(35_000) : 0;
    const maternityShare = usualIn > 0 && rng.chance(0.01) ? 30 + rng.int(70) : 0;
    const line = (y: number, permille: number) => {
      const out = mulDiv(usualOut, permille, 1000);
      const inp = mulDiv(usualIn, permille, 1000);
      const maternity = mulDiv(inp, maternityShare, 100);
      const drugs = mulDiv(usualDrugs, permille, 1000);
      paymentsCsv.push(
        `${id},${y},${fenToYuan(out)},${fenToYuan(inp)},${maternity ? fenToYuan(maternity) : ''},${drugs ? fenToYuan(drugs) : ''}`,
      );
    };
    if (rng.chance(0.92)) line(last, 950 + rng.int(101));
    if (rng.chance(0.95)) line(year, drift - 50 + rng.int(101));
    if (rng.chance(0.01)) paymentsCsv.push(`${id},${last - 1},${fenToYuan(money(1200, 0.8))},0.00,,`);
  }
  // Persons with a certificate or payments who are not insured in the county this year.
  const others = Math.max(1, Math.floor(o.persons / 200));
  for (let j = 0; j < others; j++) {
    const id = `Q${region}${pad(j + 1, 7)}`;
    certificatesCsv.push(`${id},${qualifyingCode(rng)},${last - rng.int(5)},`);
    paymentsCsv.push(`${id},${last},${fenToYuan(money(1400, 0.8))},0.00,,`);
  }

  const tables: Record<string, string> = {
    consortium: `${header(specOf('consortium'))}\n${consortiumCode},${region === '341021' ? '歙县' : region}县域医共体\n`,
    institutions: institutionsCsv.text(),
    persons: personsCsv.text(),
    certificates: certificatesCsv.text(),
    payments: paymentsCsv.text(),
    assessment: assessmentCsv.text(),
  };
  const policy = {
    scheme: 'chronic-package',
    region,
    year,
    name: `Demo county consortium ${region}-${year} (generated; parameters as the shipped Shexian policy, exclusion codes illustrative)`,
    ...JSON.parse(JSON.stringify(CHRONIC_PACKAGE_POLICY_PARAMETERS)),
  };
  return { policy, tables };
}
