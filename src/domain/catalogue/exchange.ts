import { createHash } from 'node:crypto';
import Papa from 'papaparse';
import { TREATMENT_TYPES, TreatmentType } from '../codes';
import { parsePlainDecimal } from '../decimal';
import { HOSPITAL_LEVELS, HospitalLevel } from '../hospital';
import { canonicalJson } from '../policy';
import { Catalogue, CatalogueGroup, GroupFlag, groupCode } from './catalogue';
import { DipError } from '../errors';

/**
 * The catalogue exchange format (docs/catalogue-format.md): JSON with decimals as strings, or
 * CSV (one row a group, the catalogue's own fields as `#name=value` lines above the header).
 * An agency may import an official catalogue in either form instead of building one.
 */

export interface CatalogueDocument extends Catalogue {
  id?: string;
  /** Absent from the export of an unverified catalogue: the exporter cannot vouch for its content. */
  hash?: string;
}

/** sha256 of the catalogue's content (canonical JSON, groups in key order, without id and hash). */
export function catalogueHash(c: Catalogue): string {
  const { region, year, window, reference, costPerPoint, pvBudget } = c;
  const groups = [...c.groups].sort(byKey);
  return createHash('sha256').update(canonicalJson({ region, year, window, reference, costPerPoint, pvBudget, groups })).digest('hex');
}

const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** A catalogue document that cannot be taken: every problem, by path. */
export class CatalogueFormatError extends DipError {
  constructor(override readonly problems: { path: string; reason: string }[]) {
    super(
      'invalid',
      'invalid-catalogue',
      `invalid catalogue: ${problems
        .slice(0, 20)
        .map((p) => `${p.path}: ${p.reason}`)
        .join('; ')}${problems.length > 20 ? ` (+${problems.length - 20} more)` : ''}`,
      problems,
    );
  }
}

/**
 * What an imported catalogue must keep besides its format (docs/decisions.md, "Catalogue import
 * checks"): the settlement years a policy file accepts (a catalogue is used with the policy of
 * its year), and a window that ends by the catalogue's year and starts no earlier than the
 * policy's longest look-back (`catalog.lookbackYears` ≤ 20) before it. Figures: costPerPoint and
 * the reference cost above 0, severity factors at least 1.
 */
export const CATALOGUE_BOUNDS = { minYear: 1900, maxYear: 2999, maxLookbackYears: 20, minSeverityFactor: '1' } as const;
const SHA256_HEX = /^[0-9a-f]{64}$/;

const FLAGS: readonly GroupFlag[] = ['primaryCare', 'daySurgery', 'fixedScore'];
const CORE_KEY = /^([A-Z]\d{2}\.[0-9x])\|((?:\d{2}\.[0-9A-Za-z]+)(?:\+\d{2}\.[0-9A-Za-z]+)*)?$/;
const COMPOSITE_KEY = /^([A-Z]\d{2}|[A-Z]\d{2}-[A-Z]\d{2}|\*)~(conservative|diagnostic|therapeutic|surgery)$/;
const CSV_COLUMNS = [
  'code',
  'key',
  'kind',
  'category',
  'treatmentType',
  'procedures',
  'cases',
  'avgCost',
  'score',
  'aux2',
  'aux3',
  'aux4',
  'flags',
] as const;

/** Reads and checks a catalogue document (parsed JSON). Every problem is reported, by path. */
export function parseCatalogueJson(doc: unknown): Catalogue & { hash?: string } {
  const problems: { path: string; reason: string }[] = [];
  const fail = (path: string, reason: string) => void problems.push({ path, reason });
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new CatalogueFormatError([{ path: '', reason: 'must be a JSON object' }]);
  const d = doc as Record<string, unknown>;
  const known = ['id', 'region', 'year', 'window', 'reference', 'costPerPoint', 'pvBudget', 'hash', 'groups'];
  for (const k of Object.keys(d)) if (!known.includes(k)) fail(k, 'unknown key');
  const dec: ReadDecimal = (v, path, scale, bound) => {
    if (typeof v !== 'string') {
      fail(path, 'must be a decimal string');
      return '0';
    }
    const x = parsePlainDecimal(v, { maxScale: scale });
    if (typeof x === 'string') {
      fail(path, x);
      return '0';
    }
    if (bound?.positive && x.lte(0)) fail(path, `must be greater than 0${bound.why ? `: ${bound.why}` : ''}`);
    else if (bound?.min !== undefined && x.lessThan(bound.min))
      fail(path, `must be at least ${bound.min}${bound.why ? `: ${bound.why}` : ''}`);
    else if (x.isNegative()) fail(path, 'must not be negative');
    return x.toFixed(scale);
  };
  if (typeof d.region !== 'string' || !/^\d{6}$/.test(d.region)) fail('region', 'must be a 6-digit region code');
  const year = readYear(d.year, fail);
  readWindow(d.window, year, fail);
  const ref = d.reference as Record<string, unknown> | undefined;
  if (typeof ref !== 'object' || ref === null || (ref.type !== 'allCases' && ref.type !== 'benchmark'))
    fail('reference.type', 'must be allCases or benchmark');
  const reference = {
    type: (ref?.type ?? 'allCases') as 'allCases' | 'benchmark',
    cost: dec(ref?.cost, 'reference.cost', 2, { positive: true, why: 'the scores are relative to this reference cost M' }),
  };
  const costPerPoint = dec(d.costPerPoint, 'costPerPoint', 6, {
    positive: true,
    why: 'a case without a score is valued at totalCost / costPerPoint',
  });
  // 0 is what a build gives when the window's cases have no points (spec §4.9).
  const pvBudget = dec(d.pvBudget, 'pvBudget', 6);
  if (d.hash !== undefined && (typeof d.hash !== 'string' || !SHA256_HEX.test(d.hash)))
    fail('hash', 'must be the sha256 of the content as 64 lowercase hex digits (without a hash the catalogue is imported unverified)');
  if (!Array.isArray(d.groups) || d.groups.length === 0) fail('groups', 'must be a non-empty array');
  const groups: CatalogueGroup[] = [];
  const seen = new Map<string, number>();
  (Array.isArray(d.groups) ? d.groups : []).forEach((g: unknown, i: number) => {
    const p = `groups[${i}]`;
    const group = readGroup(g, p, dec, fail);
    if (!group) return;
    if (seen.has(group.key)) fail(`${p}.key`, `duplicates the key "${group.key}" of groups[${seen.get(group.key)}]`);
    else seen.set(group.key, i);
    groups.push(group);
  });
  if (problems.length > 0) throw new CatalogueFormatError(problems);
  return {
    region: d.region as string,
    year: d.year as number,
    window: d.window as number[],
    reference,
    costPerPoint,
    pvBudget,
    groups: groups.sort(byKey),
    ...(typeof d.hash === 'string' ? { hash: d.hash } : {}),
  };
}

/** Reads a decimal string of at most `scale` decimals, ≥ 0 unless a bound says more; '0' (and a problem) when it is not one. */
type ReadDecimal = (v: unknown, path: string, scale: number, bound?: { positive?: boolean; min?: string; why?: string }) => string;

/** The catalogue's settlement year, within CATALOGUE_BOUNDS; undefined (with a problem) otherwise. */
function readYear(v: unknown, fail: (path: string, reason: string) => void): number | undefined {
  const { minYear, maxYear } = CATALOGUE_BOUNDS;
  if (!Number.isInteger(v)) fail('year', 'must be a whole number');
  else if ((v as number) < minYear || (v as number) > maxYear)
    fail('year', `must be a settlement year from ${minYear} to ${maxYear} (the years a policy may have); got ${v as number}`);
  else return v as number;
  return undefined;
}

/**
 * The window: the years of history the catalogue was built from, ascending, each once, none after
 * the catalogue's year and none more than the longest look-back before it (checked only against
 * a valid year).
 */
function readWindow(v: unknown, year: number | undefined, fail: (path: string, reason: string) => void): void {
  if (!Array.isArray(v) || v.length === 0 || !v.every((y) => Number.isInteger(y))) {
    fail('window', 'must be a non-empty array of years');
    return;
  }
  const years = v as number[];
  const lookback = CATALOGUE_BOUNDS.maxLookbackYears;
  years.forEach((y, i) => {
    const p = `window[${i}]`;
    if (i > 0 && y <= years[i - 1]) fail(p, `${y} follows ${years[i - 1]}: the window's years are in ascending order, each once`);
    else if (year !== undefined && y > year)
      fail(p, `${y} is after the catalogue's year ${year}: the window is the history the catalogue was built from`);
    else if (year !== undefined && y < year - lookback)
      fail(p, `${y} is more than ${lookback} years before the catalogue's year ${year} (the longest look-back a policy may have)`);
  });
}

function readGroup(g: unknown, p: string, dec: ReadDecimal, fail: (path: string, reason: string) => void): CatalogueGroup | null {
  if (typeof g !== 'object' || g === null || Array.isArray(g)) {
    fail(p, 'must be an object');
    return null;
  }
  const o = g as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (
      ![
        'code',
        'key',
        'kind',
        'category',
        'treatmentType',
        'procedures',
        'cases',
        'avgCost',
        'score',
        'auxiliary',
        'flags',
        'levelAvgCost',
      ].includes(k)
    )
      fail(`${p}.${k}`, 'unknown key');
  const key = typeof o.key === 'string' ? o.key : '';
  const core = CORE_KEY.exec(key);
  const composite = COMPOSITE_KEY.exec(key);
  if (!core && !composite) fail(`${p}.key`, `"${key}" is neither a combination key (K80.1|51.2300) nor a composite key (K80~surgery)`);
  const kind = core ? 'core' : 'composite';
  if (o.kind !== kind) fail(`${p}.kind`, `must be "${kind}" for the key "${key}"`);
  const treatmentType = o.treatmentType as TreatmentType;
  if (!TREATMENT_TYPES.includes(treatmentType)) fail(`${p}.treatmentType`, `must be one of ${TREATMENT_TYPES.join(', ')}`);
  if (composite && composite[2] !== treatmentType) fail(`${p}.treatmentType`, `must be "${composite[2]}" for the key "${key}"`);
  const procedures = core && core[2] ? core[2].split('+') : [];
  if (o.procedures !== undefined && JSON.stringify(o.procedures) !== JSON.stringify(procedures))
    fail(`${p}.procedures`, `must be ${JSON.stringify(procedures)} for the key "${key}"`);
  const category = core ? core[1].slice(0, 3) : composite && /^[A-Z]\d{2}$/.test(composite[1]) ? composite[1] : null;
  if (o.category !== undefined && o.category !== category)
    fail(`${p}.category`, `must be ${JSON.stringify(category)} for the key "${key}"`);
  if (!Number.isInteger(o.cases) || (o.cases as number) < 0) fail(`${p}.cases`, 'must be a whole number ≥ 0');
  const aux = (o.auxiliary ?? {}) as Record<string, unknown>;
  const auxiliary: CatalogueGroup['auxiliary'] = {};
  if (typeof aux !== 'object' || aux === null || Array.isArray(aux)) fail(`${p}.auxiliary`, 'must be an object like {"3": "1.2500"}');
  else
    for (const [cls, v] of Object.entries(aux)) {
      if (cls !== '2' && cls !== '3' && cls !== '4') fail(`${p}.auxiliary.${cls}`, 'severity classes are 2, 3 and 4');
      else
        auxiliary[cls] = dec(v, `${p}.auxiliary.${cls}`, 4, {
          min: CATALOGUE_BOUNDS.minSeverityFactor,
          why: "a severity factor multiplies the score of the class's cases (1 is no adjustment)",
        });
    }
  const flags = (Array.isArray(o.flags) ? o.flags : []) as GroupFlag[];
  if (o.flags !== undefined && (!Array.isArray(o.flags) || !flags.every((f) => FLAGS.includes(f))))
    fail(`${p}.flags`, `must be a list of ${FLAGS.join(', ')}`);
  const group: CatalogueGroup = {
    code: '',
    key,
    kind,
    category,
    treatmentType,
    procedures,
    cases: o.cases as number,
    avgCost: dec(o.avgCost, `${p}.avgCost`, 2),
    score: dec(o.score, `${p}.score`, 4),
    auxiliary,
    flags: [...flags].sort(),
  };
  if (o.levelAvgCost !== undefined) {
    const byLevel = o.levelAvgCost as Record<string, unknown>;
    if (typeof byLevel !== 'object' || byLevel === null || Array.isArray(byLevel))
      fail(`${p}.levelAvgCost`, 'must be an object like {"L3A_GENERAL": "24000.00"}');
    else {
      const levelAvgCost: NonNullable<CatalogueGroup['levelAvgCost']> = {};
      for (const [level, v] of Object.entries(byLevel)) {
        if (!(HOSPITAL_LEVELS as readonly string[]).includes(level))
          fail(`${p}.levelAvgCost.${level}`, `hospital levels are ${HOSPITAL_LEVELS.join(', ')}`);
        else levelAvgCost[level as HospitalLevel] = dec(v, `${p}.levelAvgCost.${level}`, 2);
      }
      if (Object.keys(levelAvgCost).length > 0) group.levelAvgCost = levelAvgCost;
    }
  }
  group.code = typeof o.code === 'string' && o.code !== '' ? o.code : groupCode(group);
  return group;
}

/** The catalogue as the JSON exchange document; without a hash when it is null (an unverified catalogue). */
export function catalogueToJson(c: Catalogue, id: string, hash: string | null): CatalogueDocument {
  return {
    id,
    region: c.region,
    year: c.year,
    window: c.window,
    reference: c.reference,
    costPerPoint: c.costPerPoint,
    pvBudget: c.pvBudget,
    ...(hash === null ? {} : { hash }),
    groups: c.groups,
  };
}

/** Averages by level as one text: `L3A_GENERAL=24000.00|L2A_GENERAL=18000.00` ('' for none); also the stored form. */
export const levelAveragesText = (byLevel: CatalogueGroup['levelAvgCost']): string =>
  HOSPITAL_LEVELS.filter((l) => byLevel?.[l] !== undefined)
    .map((l) => `${l}=${byLevel![l]}`)
    .join('|');

/** The reverse of levelAveragesText, unchecked (the JSON form's checks follow). */
export const levelAveragesOf = (text: string): Record<string, string> | undefined =>
  text === ''
    ? undefined
    : Object.fromEntries(text.split('|').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));

/** The file name of an exported catalogue: region, year and the start of its hash. */
export const catalogueFileName = (c: Pick<Catalogue, 'region' | 'year'>, hash: string, format: 'json' | 'csv'): string =>
  `catalogue-${c.region}-${c.year}-${hash.slice(0, 12)}.${format}`;

/** The catalogue as CSV: `#name=value` lines (no `#hash` line when the hash is null), then one row a group. */
export function catalogueToCsv(c: Catalogue, id: string, hash: string | null): string {
  const meta = [
    `#id=${id}`,
    `#region=${c.region}`,
    `#year=${c.year}`,
    `#window=${c.window.join(',')}`,
    `#referenceType=${c.reference.type}`,
    `#referenceCost=${c.reference.cost}`,
    `#costPerPoint=${c.costPerPoint}`,
    `#pvBudget=${c.pvBudget}`,
    ...(hash === null ? [] : [`#hash=${hash}`]),
  ];
  const rows = c.groups.map((g) => [
    g.code,
    g.key,
    g.kind,
    g.category ?? '',
    g.treatmentType,
    g.procedures.join('+'),
    String(g.cases),
    g.avgCost,
    g.score,
    g.auxiliary['2'] ?? '',
    g.auxiliary['3'] ?? '',
    g.auxiliary['4'] ?? '',
    g.flags.join('|'),
    levelAveragesText(g.levelAvgCost),
  ]);
  return `${meta.join('\n')}\n${Papa.unparse({ fields: [...CSV_COLUMNS, 'levelAvgCost'], data: rows }, { newline: '\n' })}\n`;
}

/** Reads the CSV form back into the JSON form's checks. */
export function parseCatalogueCsv(text: string): Catalogue & { hash?: string } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const meta: Record<string, string> = {};
  let i = 0;
  for (; i < lines.length && lines[i].startsWith('#'); i++) {
    const eq = lines[i].indexOf('=');
    if (eq > 1) meta[lines[i].slice(1, eq)] = lines[i].slice(eq + 1);
  }
  const parsed = Papa.parse<Record<string, string>>(lines.slice(i).join('\n'), { header: true, skipEmptyLines: 'greedy' });
  const problems: { path: string; reason: string }[] = parsed.errors.map((e) => ({ path: `row ${(e.row ?? 0) + 1}`, reason: e.message }));
  const missing = CSV_COLUMNS.filter((col) => !(parsed.meta.fields ?? []).includes(col));
  if (missing.length > 0) problems.push({ path: 'header', reason: `missing column(s) ${missing.join(', ')}` });
  for (const m of ['region', 'year', 'window', 'referenceType', 'referenceCost', 'costPerPoint', 'pvBudget'])
    if (!(m in meta)) problems.push({ path: `#${m}`, reason: 'is required' });
  if (problems.length > 0) throw new CatalogueFormatError(problems);
  const aux = (r: Record<string, string>) =>
    Object.fromEntries((['2', '3', '4'] as const).filter((c) => r[`aux${c}`]).map((c) => [c, r[`aux${c}`]]));
  return parseCatalogueJson({
    region: meta.region,
    year: /^\d+$/.test(meta.year) ? Number(meta.year) : meta.year,
    window: meta.window.split(',').map((y) => (/^\d+$/.test(y) ? Number(y) : y)),
    reference: { type: meta.referenceType, cost: meta.referenceCost },
    costPerPoint: meta.costPerPoint,
    pvBudget: meta.pvBudget,
    // A `#hash=` line is checked even when empty; only a file without one is unverified.
    ...('hash' in meta ? { hash: meta.hash } : {}),
    groups: parsed.data.map((r) => ({
      code: r.code,
      key: r.key,
      kind: r.kind,
      category: r.category === '' ? null : r.category,
      treatmentType: r.treatmentType,
      procedures: r.procedures === '' ? [] : r.procedures.split('+'),
      cases: /^\d+$/.test(r.cases) ? Number(r.cases) : r.cases,
      avgCost: r.avgCost,
      score: r.score,
      auxiliary: aux(r),
      flags: r.flags === '' ? [] : r.flags.split('|'),
      // Optional column: catalogues exported before it existed have none.
      ...(r.levelAvgCost ? { levelAvgCost: levelAveragesOf(r.levelAvgCost) } : {}),
    })),
  });
}
