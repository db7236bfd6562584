import { Pool } from '../domain/case-record';
import { Dec, fixed } from '../domain/decimal';
import { BudgetLine, Policy, PoolBudgetPolicy } from '../domain/policy';
import { clinicalTraits } from './clinical';
import { GenerationTally, KeyTally } from './tally';

export interface PolicyOptions {
  region: string;
  seed: number;
}

/** Next year's DIP budget = last year's fund payments grown by this much. */
const BUDGET_GROWTH = '1.03';
const RESERVE_RATIO = '0.10';
/** Shares of the employee fund's revenue that go to the other budget lines (spec §8.1); DIP gets the rest after the reserve. */
const LINE_SHARES: Record<BudgetLine, string> = {
  generalOutpatient: '0.12',
  outpatientChronic: '0.08',
  outOfRegion: '0.07',
  otherMethods: '0.05',
  criticalIllness: '0.03',
};
const PRIMARY_CARE_GROUPS = 20;
const FIXED_SCORE_GROUPS = 5;
const DAY_SURGERY_GROUPS = 10;
const SCORE_SCALE = 1000;

const yuan = (d: Dec): string => fixed(d.toDecimalPlaces(0), 2);

/** The `n` keys with the highest `count`, ties broken by key so that the choice is deterministic. */
function top(keys: [string, KeyTally][], count: (k: KeyTally) => number, n: number): [string, KeyTally][] {
  return keys
    .filter(([, k]) => count(k) > 0)
    .sort(([a, ka], [b, kb]) => count(kb) - count(ka) || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, n);
}

/**
 * A policy file (spec §10) for the settlement year after the last generated one, with the
 * Zibo-style parameters of the shipped example, budgets of the order of one generated year's
 * fund payments, and group lists that name keys which really occur often in the data:
 * 基层病种 = the conservative keys most treated at community and township providers; 日间手术 =
 * the keys with most day-surgery cases; 按病种分值 fixed scores = the most frequent
 * single-operation keys of usually operated diseases. Scores are the key's mean cost relative to the mean case (× 1000),
 * the same scale as a catalogue built from this data.
 */
export function generatePolicy(opts: PolicyOptions, tally: GenerationTally): Policy {
  const years = tally.years;
  if (years.length === 0 || tally.cases === 0) throw new Error('no cases were generated: a policy needs at least one year of data');
  const lastYear = years[years.length - 1];
  const meanCostFen = new Dec(tally.costFen).div(tally.cases);
  const score = (costFen: number, cases: number): string =>
    Dec.max(1, new Dec(costFen).div(cases).div(meanCostFen).times(SCORE_SCALE).toDecimalPlaces(0)).toString();

  const keys = [...tally.keys];
  const procedures = (key: string): string[] =>
    key
      .slice(key.indexOf('|') + 1)
      .split('+')
      .filter((p) => p !== '');
  const daySurgery = top(keys, (k) => k.dayCases, DAY_SURGERY_GROUPS);
  const dayKeys = new Set(daySurgery.map(([key]) => key));
  // 按病种分值 lists operations of diseases that are usually operated on (appendectomy, cholecystectomy, …).
  const singleOperation = keys.filter(([key]) => {
    const procs = procedures(key);
    return (
      procs.length === 1 &&
      tally.typeOf(procs[0]) === 'surgery' &&
      !dayKeys.has(key) &&
      clinicalTraits(key.slice(0, 3)).surgical === 'usual'
    );
  });
  const conservative = keys.filter(([key]) => procedures(key).length === 0);

  const target = (pool: Pool): Dec => new Dec(tally.fundPaymentFen(lastYear, pool)).div(100).times(BUDGET_GROWTH);
  const lineTotal = Object.values(LINE_SHARES).reduce((sum, s) => sum.plus(s), new Dec(0));
  const revenue = target('employee').div(new Dec(1).minus(RESERVE_RATIO).minus(lineTotal)).toDecimalPlaces(0);
  const employee: PoolBudgetPolicy = {
    revenue: yuan(revenue),
    reserveRatio: RESERVE_RATIO,
    lines: Object.fromEntries(Object.entries(LINE_SHARES).map(([line, share]) => [line, yuan(revenue.times(share))])),
  };

  return {
    region: opts.region,
    year: lastYear + 1,
    name: `Synthetic policy for ${opts.region}, ${lastYear + 1} (dip generate, seed ${opts.seed}; illustrative parameters)`,
    catalog: {
      lookbackYears: 3,
      yearWeights: ['1', '2', '7'],
      coreThreshold: '15',
      compositeMinCases: '15',
      trim: { method: 'percentile', lower: '2.5', upper: '97.5', minCases: 25 },
      reference: { type: 'allCases' },
      scoreScale: String(SCORE_SCALE),
      auxiliary: { minCases: 5 },
    },
    scoring: {
      lowRatio: '0.5',
      highRatio: '2',
      extremeRatio: '5',
      highFormula: 'national',
      outlierReference: 'coefficientAdjusted',
      primaryCareCoefficient: '1',
      externalExpertBonus: '0.05',
      noScoreFactor: '0.7',
      selfPayLimit: '0.10',
    },
    groups: {
      primaryCare: top(conservative, (k) => k.primaryLevelCases, PRIMARY_CARE_GROUPS).map(([key]) => key),
      fixedScore: top(singleOperation, (k) => k.cases, FIXED_SCORE_GROUPS).map(([key, k]) => ({
        key,
        score: score(k.costFen, k.cases),
        applyCoefficient: false,
      })),
      daySurgery: daySurgery.map(([key, k]) => ({ key, score: score(k.dayCostFen, k.dayCases) })),
    },
    hospitalLevels: {
      L3A_GENERAL: '1.00',
      L3_OTHER: '0.93',
      L2A_GENERAL: '0.86',
      L2_OTHER: '0.80',
      L1: '0.72',
      TOWNSHIP_A: '0.68',
      TOWNSHIP_OTHER: '0.64',
    },
    bonuses: { primaryCare: '0.03', tcm: '0.05', keyDisciplineNational: '0.03', keyDisciplineProvincial: '0.02' },
    budget: { employee, resident: { dipBudget: yuan(target('resident')) } },
    settlement: {
      basis: 'totalCost',
      monthlyPrepayRatio: '0.95',
      capAtHospitalBookkeeping: true,
      qualityWithholdRatio: '0.05',
      reserveSplit: { dip: '0.70', adjustment: '0.30' },
      overspendTiers: [
        { upTo: '0.10', fundShare: '0.50' },
        { upTo: null, fundShare: '0' },
      ],
      revolvingFundMonths: 1,
    },
    specialCases: { cap: '0.005', panelSize: 3, longStayDays: 60 },
  };
}
