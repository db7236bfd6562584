import { CASE_FIELDS, CaseField, Pool } from '../domain/case-record';
import { combinationOf, ProcedureTypeOf, procedureTyper } from '../domain/codes';
import { Hospital, HospitalLevel } from '../domain/hospital';
import { yuanToFen } from './money';

/** What the generated data says about one combination key (spec §3). */
export interface KeyTally {
  cases: number;
  costFen: number;
  /** Cases treated at community and township providers (一级, 镇卫生院): candidates for 基层病种. */
  primaryLevelCases: number;
  dayCases: number;
  dayCostFen: number;
}

const COLUMN = Object.fromEntries(CASE_FIELDS.map((f, i) => [f, i])) as Record<CaseField, number>;
const PRIMARY_LEVELS: readonly HospitalLevel[] = ['L1', 'TOWNSHIP_A', 'TOWNSHIP_OTHER'];
const list = (cell: string): string[] => (cell === '' ? [] : cell.split('|'));

/**
 * Reads generated rows back as they stream past and keeps what the policy needs: counts and
 * costs per combination key, and each year's fund payments per pool. Keys are computed with
 * `combinationOf` and the fallback procedure typer, as the catalogue build will compute them.
 */
export class GenerationTally {
  readonly keys = new Map<string, KeyTally>();
  readonly typeOf: ProcedureTypeOf;
  private readonly primaryHospitals: ReadonlySet<string>;
  private readonly fund = new Map<number, Record<Pool, number>>();
  private caseCount = 0;
  private costSumFen = 0;

  constructor(hospitals: readonly Hospital[], procedureNames: ReadonlyMap<string, string>) {
    this.typeOf = procedureTyper(new Map(), procedureNames);
    this.primaryHospitals = new Set(hospitals.filter((h) => PRIMARY_LEVELS.includes(h.level)).map((h) => h.code));
  }

  add(row: readonly string[]): void {
    const costFen = yuanToFen(row[COLUMN.totalCost]);
    this.caseCount++;
    this.costSumFen += costFen;
    const year = Number(row[COLUMN.dischargeDate].slice(0, 4));
    let fund = this.fund.get(year);
    if (!fund) this.fund.set(year, (fund = { employee: 0, resident: 0 }));
    fund[row[COLUMN.pool] as Pool] += yuanToFen(row[COLUMN.fundPayment]);

    const principal = row[COLUMN.principalProcedure];
    const { key } = combinationOf(
      row[COLUMN.principalDiagnosis],
      principal === '' ? null : principal,
      list(row[COLUMN.otherProcedures]),
      this.typeOf,
    );
    if (key === null) return;
    let k = this.keys.get(key);
    if (!k) this.keys.set(key, (k = { cases: 0, costFen: 0, primaryLevelCases: 0, dayCases: 0, dayCostFen: 0 }));
    k.cases++;
    k.costFen += costFen;
    if (this.primaryHospitals.has(row[COLUMN.hospitalCode])) k.primaryLevelCases++;
    if (row[COLUMN.daySurgery] === 'true') {
      k.dayCases++;
      k.dayCostFen += costFen;
    }
  }

  /** Cases added so far (with or without a combination key). */
  get cases(): number {
    return this.caseCount;
  }

  /** Total cost of every case added, in fen. */
  get costFen(): number {
    return this.costSumFen;
  }

  /** Years with at least one case, oldest first. */
  get years(): number[] {
    return [...this.fund.keys()].sort((a, b) => a - b);
  }

  /** Sum of `fundPayment` of one year's cases of a pool, in fen. */
  fundPaymentFen(year: number, pool: Pool): number {
    return this.fund.get(year)?.[pool] ?? 0;
  }
}
