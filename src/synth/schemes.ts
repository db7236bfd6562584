import { InputTableSpec, MEDICAL_GROUP_TABLES, SchemeId, ZIBO_BUDGET_TABLES } from '../domain/schemes';
import { generateChronicPackageDemo } from './chronic-package';
import { generateDiabetesCapitationDemo } from './diabetes-capitation';
import { generateDiseaseCapitationDemo } from './disease-capitation';
import { fenToYuan, mulDiv, yuanToFen } from './money';
import { hash32, Rng } from './random';

/**
 * `dip generate --scheme`: a deterministic demo data set for each payment scheme besides DIP
 * (docs/schemes.md): the rows of every input table as CSV text (header = the table's column
 * names) and the year's policy. The same options give the same text on every machine: every
 * random choice is a whole number drawn from a seeded Rng, and money is whole fen (分) from the
 * first draw to the last, scaled by ratios with exact BigInt arithmetic (half-up), and written
 * by the one money module. Pure: no I/O here.
 */

/** One input table of a data set: its CSV text and how many rows it holds. */
export interface SchemeTableFile {
  table: string;
  csv: string;
  rows: number;
}

/** A scheme's demo data set: the tables with rows (a table without rows is left out: an import refuses it) and the policy. */
export interface SchemeDataSet {
  scheme: SchemeId;
  region: string;
  year: number;
  tables: SchemeTableFile[];
  /** The year's policy document, as `dip scheme policy` takes it. */
  policy: Record<string, unknown>;
}

export interface MedicalGroupDataOptions {
  seed: number;
  /** 6-digit region code, e.g. 441502 (Shanwei 城区). */
  region: string;
  year: number;
  /** Groups, 1–99: group 1 overspends in its third scheme year, group 2 keeps a surplus, group 3 is in its first scheme year. */
  groups: number;
}

export interface ZiboBudgetDataOptions {
  seed: number;
  /** 6-digit region code, e.g. 370300 (Zibo). */
  region: string;
  year: number;
  /** Institutions signing persons for the capitation lines, 2–999. */
  institutions: number;
}

/**
 * The parameters of the shipped policies (catalogs/schemes/<scheme>/<region>-<year>.json): a
 * generated policy is the shipped one with the region, year and name of the data set. A unit
 * test holds these to the shipped files.
 */
export const MEDICAL_GROUP_POLICY_PARAMETERS = {
  growth: '0.05',
  reserveRatio: '0.02',
  retention: { passed: '1', failed: '0' },
  overspendShares: [
    { fromSchemeYear: 1, shares: { group: '0.05', finance: '0.22', fund: '0.73' } },
    { fromSchemeYear: 2, shares: { group: '0.07', finance: '0.21', fund: '0.72' } },
    { fromSchemeYear: 3, shares: { group: '0.10', finance: '0.20', fund: '0.70' } },
  ],
  failedOverspendShares: { group: '1', finance: '0', fund: '0' },
} as const;

const OTHER_METHOD_GROWTH = {
  haemodialysis: '0.05',
  peritonealDialysis: '0.05',
  singleDisease: '0.03',
  psychiatry: '0.04',
  hospice: '0.10',
} as const;

export const ZIBO_BUDGET_POLICY_PARAMETERS = {
  reserveRatio: '0.10',
  reserveSplit: { dip: '0.70', adjustment: '0.30' },
  pools: {
    employee: {
      generalOutpatient: { perCapitaQuota: '400.00' },
      outpatientChronic: { averageCostGrowth: '0.05', incidenceChange: '0.02', perCapitaQuota: '2600.00' },
      outOfRegion: { growth: '0.06' },
      otherMethods: { ...OTHER_METHOD_GROWTH },
      criticalIllness: { fundingStandard: '138.00' },
    },
    resident: {
      generalOutpatient: { perCapitaQuota: '180.00' },
      outpatientChronic: { averageCostGrowth: '0.04', incidenceChange: '-0.01', perCapitaQuota: '1500.00' },
      outOfRegion: { growth: '0.05' },
      otherMethods: { ...OTHER_METHOD_GROWTH },
      criticalIllness: { fundingStandard: '65.00' },
    },
  },
} as const;

// ---------------------------------------------------------------------------------------------
// Exact arithmetic on whole fen and ratios in ten-thousandths (万分之一).

const TEN_THOUSAND = 10_000;

/** A plain decimal with at most 4 decimals (a policy rate such as "0.05" or "-0.01") in ten-thousandths. */
function tenThousandths(text: string): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,4}))?$/.exec(text);
  if (!m) throw new Error(`not a rate with at most 4 decimals: ${text}`);
  const n = Number(m[2]) * TEN_THOUSAND + Number((m[3] ?? '').padEnd(4, '0'));
  return m[1] === '-' ? -n : n;
}

/** A whole number in [lo, hi]. */
const between = (rng: Rng, lo: number, hi: number): number => lo + rng.int(hi - lo + 1);

/** `total` split into `weights.length` whole parts proportional to the weights; the last takes the remainder, so they add up exactly. */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((t, w) => t + w, 0);
  const parts = weights.map((w) => mulDiv(total, w, sum));
  const allButLast = parts.slice(0, -1).reduce((t, p) => t + p, 0);
  parts[parts.length - 1] = total - allButLast;
  if (parts[parts.length - 1] < 0) throw new Error('apportion: a negative last part');
  return parts;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

// ---------------------------------------------------------------------------------------------
// CSV text in the tables' own column order.

type Row = Record<string, string>;

const csvField = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The CSV text of a table: header = every column of the spec (optional ones too), a blank cell for a missing value. */
export function tableCsv(spec: InputTableSpec, rows: readonly Row[]): string {
  const names = spec.columns.map((c) => c.name);
  const lines = [names.join(','), ...rows.map((r) => names.map((n) => csvField(r[n] ?? '')).join(','))];
  return `${lines.join('\n')}\n`;
}

function dataSet(
  scheme: SchemeId,
  region: string,
  year: number,
  specs: readonly InputTableSpec[],
  rows: Record<string, Row[]>,
  policy: Record<string, unknown>,
): SchemeDataSet {
  const tables = specs
    .filter((s) => (rows[s.name] ?? []).length > 0)
    .map((s) => ({ table: s.name, csv: tableCsv(s, rows[s.name]), rows: rows[s.name].length }));
  return { scheme, region, year, tables, policy };
}

function checkCommon(o: { seed: number; region: string; year: number }): void {
  if (!Number.isSafeInteger(o.seed) || o.seed < 0) throw new Error(`the seed must be a whole number ≥ 0; got ${o.seed}`);
  if (!/^\d{6}$/.test(o.region)) throw new Error(`the region must be a 6-digit code; got ${o.region}`);
  if (!Number.isInteger(o.year) || o.year < 1903 || o.year > 2999) throw new Error(`the year must be 1903–2999; got ${o.year}`);
}

/** Synthetic place names for groups, institutions, townships and streets. */
const PLACES = [
  '城东',
  '城西',
  '凤山',
  '香洲',
  '新港',
  '马宫',
  '东涌',
  '红草',
  '捷胜',
  '遮浪',
  '田墘',
  '碣石',
  '海丰',
  '梅陇',
  '赤坑',
  '可塘',
  '公平',
  '联安',
  '鹅埠',
  '小漠',
  '鲘门',
  '黄羌',
  '平东',
  '附城',
  '赤石',
  '大安',
  '河东',
  '河西',
  '金厢',
  '南塘',
  '博美',
  '桥冲',
  '内湖',
  '甲子',
  '湖东',
  '上英',
  '八万',
  '陂洋',
  '螺溪',
  '西南',
];

/** A stream of the generator, independent of the others: the same group is the same whatever the number of groups. */
const stream = (seed: number, scheme: number, region: string, year: number, ...parts: number[]): Rng =>
  new Rng(hash32(seed, scheme, Number(region), year, ...parts));

const MEDICAL_GROUP_STREAM = 0x4d47; // "MG"
const ZIBO_BUDGET_STREAM = 0x5a42; // "ZB"

// ---------------------------------------------------------------------------------------------
// medical-group (SCHEMES.md B, seed 002)

/** What a generated group was designed to show. */
type GroupRole = 'overspend' | 'surplus';

/**
 * A medical group's year: N groups, each a lead hospital and 3–8 member institutions; three
 * history years growing 2.5–8 % a year; an allowance from them (the policy's growth, and agreed
 * room for group 2); a year's spending 1–8 % above (overspend) or below (surplus) the allowance;
 * twelve months of audited claims adding up to the spending S = outpatient + inpatient − itemPaid
 * to the fen; assessment scores (group 5 fails); the district's fund use as the reserve base.
 * Group 1 is in its third scheme year (overspend), group 2 in its second (surplus), group 3 in
 * its first (overspend); the others are drawn.
 */
export function generateMedicalGroupData(o: MedicalGroupDataOptions): SchemeDataSet {
  checkCommon(o);
  if (!Number.isInteger(o.groups) || o.groups < 1 || o.groups > 99) throw new Error(`groups must be 1–99; got ${o.groups}`);
  const { region, year } = o;
  const growth = tenThousandths(MEDICAL_GROUP_POLICY_PARAMETERS.growth);
  const rows: Record<string, Row[]> = {
    groups: [],
    members: [],
    history: [],
    claims: [],
    actuals: [],
    assessment: [],
    extras: [],
    reserveBase: [],
  };
  const offset = hash32(o.seed, MEDICAL_GROUP_STREAM, Number(region)) % PLACES.length;

  for (let i = 0; i < o.groups; i++) {
    const rng = stream(o.seed, MEDICAL_GROUP_STREAM, region, year, i);
    const place = PLACES[(offset + i) % PLACES.length] + (i >= PLACES.length ? String(Math.floor(i / PLACES.length) + 1) : '');
    const groupCode = `G${region}${pad(i + 1, 2)}`;
    const code = (k: number) => `H${region}${pad(i * 10 + k, 3)}`;

    // Roles: the first three groups show the three cases the seed names; the others are drawn.
    const role: GroupRole = i === 0 || i === 2 ? 'overspend' : i === 1 ? 'surplus' : rng.chance(0.5) ? 'overspend' : 'surplus';
    const firstSchemeYear = i === 0 ? year - 2 : i === 1 ? year - 1 : i === 2 ? year : year - between(rng, 1, 2);

    // The lead hospital and its members (3–8: township health centres and community centres).
    const memberCount = between(rng, 3, 8);
    const lead = { code: code(1), name: `${place}人民医院`, kind: 'lead' };
    const names = rng.shuffle(PLACES.filter((p) => p !== place)).slice(0, memberCount);
    const members = names.map((n, k) =>
      k % 3 === 2
        ? { code: code(k + 2), name: `${n}街道社区卫生服务中心`, kind: 'community' }
        : { code: code(k + 2), name: `${n}镇卫生院`, kind: 'township' },
    );
    rows.groups.push({ groupCode, name: `${place}医疗集团`, leadHospitalCode: lead.code, firstSchemeYear: String(firstSchemeYear) });
    for (const m of [lead, ...members]) rows.members.push({ groupCode, institutionCode: m.code, name: m.name, kind: m.kind });

    // History: Y−3 from the group's size, then 2.5–8 % a year; outpatient 28–36 % of each year.
    let total = (memberCount + 2) * between(rng, 6_000_000_00, 10_000_000_00);
    const totals: number[] = [];
    for (let k = 0; k < 3; k++) {
      if (k > 0) total = mulDiv(total, TEN_THOUSAND + between(rng, 250, 800), TEN_THOUSAND);
      totals.push(total);
      const outpatient = mulDiv(total, between(rng, 2_800, 3_600), TEN_THOUSAND);
      rows.history.push({
        groupCode,
        year: String(year - 3 + k),
        outpatientFund: fenToYuan(outpatient),
        inpatientFund: fenToYuan(total - outpatient),
      });
    }

    // The allowance as the scheme computes it: round2(mean × (1 + growth)) + the agreed room.
    const grownBase = mulDiv(totals[0] + totals[1] + totals[2], TEN_THOUSAND + growth, 3 * TEN_THOUSAND);
    let extra = 0;
    if (i === 1) {
      extra = mulDiv(grownBase, between(rng, 50, 150), TEN_THOUSAND);
      rows.extras.push({ groupCode, reason: '重大疫情防控', amount: fenToYuan(extra) });
    }
    const allowance = grownBase + extra;

    // The year's spending S: 1–8 % over or under the allowance; item-paid cases on top of it.
    const deviation = between(rng, 100, 800);
    const spending = mulDiv(allowance, role === 'overspend' ? TEN_THOUSAND + deviation : TEN_THOUSAND - deviation, TEN_THOUSAND);
    const itemPaid = rng.chance(0.6) ? mulDiv(spending, between(rng, 50, 150), TEN_THOUSAND) : 0;
    const paid = spending + itemPaid;
    const outpatient = mulDiv(paid, between(rng, 2_800, 3_600), TEN_THOUSAND);
    rows.actuals.push({
      groupCode,
      outpatientFund: fenToYuan(outpatient),
      inpatientFund: fenToYuan(paid - outpatient),
      itemPaid: fenToYuan(itemPaid),
    });

    // Twelve months of audited claims adding up to S: February low, December high, ±4 %.
    const season = [100, 88, 100, 98, 101, 100, 103, 103, 99, 100, 101, 107];
    const weights = season.map((s) => s * 100 + between(rng, -400, 400));
    apportion(spending, weights).forEach((fen, m) => rows.claims.push({ groupCode, month: String(m + 1), auditedClaims: fenToYuan(fen) }));

    // Assessment: scores 0.86–0.99, passed; group 5 fails with 0.70–0.79.
    const fails = i === 4;
    const score = fails ? between(rng, 70, 79) : between(rng, 86, 99);
    rows.assessment.push({ groupCode, score: `0.${pad(score, 2)}`, passed: fails ? 'false' : 'true' });

    // The district's fund use last year: 5–20 % above the group's own.
    rows.reserveBase.push({
      groupCode,
      lastYearFundUse: fenToYuan(mulDiv(totals[2], TEN_THOUSAND + between(rng, 500, 2_000), TEN_THOUSAND)),
    });
  }

  const policy = {
    scheme: 'medical-group',
    region,
    year,
    name: `Synthetic medical groups (dip generate --scheme medical-group --seed ${o.seed}); the parameters of the shipped policy`,
    ...structuredClone(MEDICAL_GROUP_POLICY_PARAMETERS),
  };
  return dataSet('medical-group', region, year, MEDICAL_GROUP_TABLES, rows, policy);
}

// ---------------------------------------------------------------------------------------------
// zibo-budget (SCHEMES.md E, seed 001)

const POOL_NAMES = ['employee', 'resident'] as const;
type PoolName = (typeof POOL_NAMES)[number];
const OTHER = ['haemodialysis', 'peritonealDialysis', 'singleDisease', 'psychiatry', 'hospice'] as const;

/** Per pool: insured persons, revenue per insured person (fen), and last year's items as ten-thousandths of the revenue. */
const POOL_SHAPE: Record<
  PoolName,
  { insured: [number, number]; perPerson: [number, number]; chronicSigned: [number, number]; items: Record<string, number> }
> = {
  employee: {
    insured: [1_000_000, 1_600_000],
    perPerson: [3_600_00, 4_200_00],
    chronicSigned: [9_500, 10_000],
    items: {
      outpatientChronic: 700,
      outOfRegion: 640,
      haemodialysis: 230,
      peritonealDialysis: 35,
      singleDisease: 115,
      psychiatry: 80,
      hospice: 16,
    },
  },
  resident: {
    insured: [2_400_000, 3_200_000],
    perPerson: [1_100_00, 1_300_00],
    chronicSigned: [9_500, 10_000],
    items: {
      outpatientChronic: 580,
      outOfRegion: 420,
      haemodialysis: 195,
      peritonealDialysis: 25,
      singleDisease: 85,
      psychiatry: 100,
      hospice: 11,
    },
  },
};

const INSTITUTION_KINDS = ['人民医院', '中医院', '中心医院', '社区卫生服务中心', '镇卫生院'];

/**
 * A Zibo-style budget year: both pools with their revenue and insured persons; last year's
 * items (±10 % around a plausible share of the revenue); the persons signed with each
 * institution for general outpatient (the first two thirds of the institutions for the
 * employee pool, the last two thirds for the resident pool; 90–120 % of the insured in all) and
 * outpatient chronic disease (half of them; about the line's budget over its quota); and each
 * of the five lines' actuals 1–5 % over or under its budget (each pool has lines of both).
 */
export function generateZiboBudgetData(o: ZiboBudgetDataOptions): SchemeDataSet {
  checkCommon(o);
  if (!Number.isInteger(o.institutions) || o.institutions < 2 || o.institutions > 999)
    throw new Error(`institutions must be 2–999; got ${o.institutions}`);
  const { region, year } = o;
  const n = o.institutions;
  const rows: Record<string, Row[]> = { pools: [], lastYear: [], signed: [], actuals: [] };
  const offset = hash32(o.seed, ZIBO_BUDGET_STREAM, Number(region)) % PLACES.length;
  const institutions = Array.from({ length: n }, (_, k) => ({
    code: `H${region}${pad(k + 1, 3)}`,
    name:
      PLACES[(offset + k) % PLACES.length] +
      (k >= PLACES.length ? String(Math.floor(k / PLACES.length) + 1) : '') +
      INSTITUTION_KINDS[k % INSTITUTION_KINDS.length],
  }));
  const goCount = Math.ceil((2 * n) / 3);
  const chronicCount = Math.ceil(n / 2);

  POOL_NAMES.forEach((pool, p) => {
    const rng = stream(o.seed, ZIBO_BUDGET_STREAM, region, year, p);
    const shape = POOL_SHAPE[pool];
    const params = ZIBO_BUDGET_POLICY_PARAMETERS.pools[pool];
    const insured = between(rng, ...shape.insured);
    const revenue = insured * between(rng, ...shape.perPerson);
    rows.pools.push({ pool, revenue: fenToYuan(revenue), insuredPersons: String(insured) });

    const last: Record<string, number> = {};
    for (const [item, share] of Object.entries(shape.items)) {
      last[item] = mulDiv(revenue, share * between(rng, 9_000, 11_000), TEN_THOUSAND * TEN_THOUSAND);
      rows.lastYear.push({ pool, item, amount: fenToYuan(last[item]) });
    }

    // The lines' budgets as the scheme computes them (exact: no division but by powers of ten).
    const goQuota = yuanToFen(params.generalOutpatient.perCapitaQuota);
    const goSigned = mulDiv(insured, between(rng, 9_000, 12_000), TEN_THOUSAND);
    const ch = params.outpatientChronic;
    const chronicBudget = mulDiv(
      last.outpatientChronic,
      (TEN_THOUSAND + tenThousandths(ch.averageCostGrowth)) * (TEN_THOUSAND + tenThousandths(ch.incidenceChange)),
      TEN_THOUSAND * TEN_THOUSAND,
    );
    const chronicQuota = yuanToFen(ch.perCapitaQuota);
    const chronicSigned = mulDiv(Math.floor(chronicBudget / chronicQuota), between(rng, ...shape.chronicSigned), TEN_THOUSAND);
    const budgets = {
      generalOutpatient: goQuota * goSigned,
      outpatientChronic: chronicBudget,
      outOfRegion: mulDiv(last.outOfRegion, TEN_THOUSAND + tenThousandths(params.outOfRegion.growth), TEN_THOUSAND),
      otherMethods: OTHER.reduce((t, m) => t + mulDiv(last[m], TEN_THOUSAND + tenThousandths(params.otherMethods[m]), TEN_THOUSAND), 0),
      criticalIllness: yuanToFen(params.criticalIllness.fundingStandard) * insured,
    };

    // Signed persons: general outpatient at two thirds of the institutions, chronic disease at half.
    const signedAt = (line: string, total: number, at: typeof institutions) =>
      apportion(
        total,
        at.map(() => between(rng, 50, 150)),
      ).forEach((persons, k) =>
        rows.signed.push({ pool, line, institutionCode: at[k].code, name: at[k].name, signedPersons: String(persons) }),
      );
    const goAt = pool === 'employee' ? institutions.slice(0, goCount) : institutions.slice(n - goCount);
    const chronicAt = pool === 'employee' ? institutions.slice(0, chronicCount) : institutions.slice(n - chronicCount);
    signedAt('generalOutpatient', goSigned, goAt);
    signedAt('outpatientChronic', chronicSigned, chronicAt);

    // Actuals: 1–5 % around each budget; among the four covered lines two over and two under.
    const signs = [...rng.shuffle([1, 1, -1, -1]), rng.chance(0.5) ? 1 : -1];
    (Object.keys(budgets) as (keyof typeof budgets)[]).forEach((line, k) => {
      const amount = mulDiv(budgets[line], TEN_THOUSAND + signs[k] * between(rng, 100, 500), TEN_THOUSAND);
      rows.actuals.push({ pool, line, amount: fenToYuan(amount) });
    });
  });

  const policy = {
    scheme: 'zibo-budget',
    region,
    year,
    name: `Synthetic budget lines (dip generate --scheme zibo-budget --seed ${o.seed}); the parameters of the shipped policy`,
    ...structuredClone(ZIBO_BUDGET_POLICY_PARAMETERS),
  };
  return dataSet('zibo-budget', region, year, ZIBO_BUDGET_TABLES, rows, policy);
}

/** The schemes `dip generate --scheme` makes a data set for, with their defaults (region, year and what `count` counts). */
export const GENERATED_SCHEMES = {
  'medical-group': { region: '441502', year: 2024, count: 4, counts: 'groups' },
  'zibo-budget': { region: '370300', year: 2024, count: 8, counts: 'institutions' },
  'disease-capitation': { region: '510400', year: 2021, count: 2_000, counts: 'persons' },
  'diabetes-capitation': { region: '120000', year: 2022, count: 2_000, counts: 'persons' },
  'chronic-package': { region: '341021', year: 2025, count: 2_000, counts: 'persons' },
} as const satisfies Record<SchemeId, { region: string; year: number; count: number; counts: string }>;

/** A per-head scheme's generator output (CSV text per table) as a data set; a table without rows is left out. */
function fromDemo(
  scheme: SchemeId,
  region: string,
  year: number,
  demo: { policy: Record<string, unknown>; tables: Record<string, string> },
): SchemeDataSet {
  const tables = Object.entries(demo.tables)
    .map(([table, csv]) => {
      let rows = -1; // the header line
      for (let i = csv.indexOf('\n'); i >= 0; i = csv.indexOf('\n', i + 1)) rows++;
      if (!csv.endsWith('\n') && csv.length) rows++;
      return { table, csv, rows };
    })
    .filter((t) => t.rows > 0);
  return { scheme, region, year, tables, policy: demo.policy };
}
export type GeneratedScheme = keyof typeof GENERATED_SCHEMES;

/** The per-head schemes' generators: the same options, CSV text per table. */
const PER_HEAD = {
  'disease-capitation': generateDiseaseCapitationDemo,
  'diabetes-capitation': generateDiabetesCapitationDemo,
  'chronic-package': generateChronicPackageDemo,
} as const;

/** The data set of a scheme; `count` is the groups (medical-group), the institutions (zibo-budget) or the persons (the per-head schemes). */
export function generateSchemeData(
  scheme: GeneratedScheme,
  o: { seed: number; region: string; year: number; count: number },
): SchemeDataSet {
  switch (scheme) {
    case 'medical-group':
      return generateMedicalGroupData({ seed: o.seed, region: o.region, year: o.year, groups: o.count });
    case 'zibo-budget':
      return generateZiboBudgetData({ seed: o.seed, region: o.region, year: o.year, institutions: o.count });
    default:
      return fromDemo(scheme, o.region, o.year, PER_HEAD[scheme]({ seed: o.seed, region: o.region, year: o.year, persons: o.count }));
  }
}
