import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { POOLS } from '../domain/case-record';
import { BREAKDOWN_FIGURES, SortOrder } from '../domain/hospital-view';
import { PERIOD_PATTERN } from '../domain/periods';
import type { DepartmentSort, GroupSort } from './hospital-view.service';

/**
 * Queries and OpenAPI documentation of a hospital's views (issue 12; docs/decisions.md "Hospital
 * views"). The response classes are documentation only. Decimals are strings: money 2 dp; points,
 * scores, CMI and rates 4 dp; point values 6 dp.
 */

const PERIOD_DOC =
  "A month (2024-03): its current settlement run, draft or final; or a year (2024): the year's months that have one so far, added up";

export class HospitalViewQuery {
  @ApiProperty({ example: '2024-03', description: PERIOD_DOC })
  @Matches(PERIOD_PATTERN, { message: 'period must be a month like 2024-03 or a year like 2024' })
  period!: string;
}

const ORDERS = ['asc', 'desc'] as const;
export const GROUP_SORTS = ['group', ...BREAKDOWN_FIGURES] as const;
export const DEPARTMENT_SORTS = ['department', ...BREAKDOWN_FIGURES] as const;

export class HospitalGroupsQuery extends HospitalViewQuery {
  @ApiPropertyOptional({
    enum: GROUP_SORTS,
    default: 'points',
    description: 'The column to sort by; ties by group code, no-score cases (group null) last',
  })
  @IsOptional()
  @IsIn(GROUP_SORTS, { message: `sort must be one of ${GROUP_SORTS.join(', ')}` })
  sort: GroupSort = 'points';

  @ApiPropertyOptional({ enum: ORDERS, default: 'desc' })
  @IsOptional()
  @IsIn(ORDERS, { message: 'order must be asc or desc' })
  order: SortOrder = 'desc';
}

export class HospitalDepartmentsQuery extends HospitalViewQuery {
  @ApiPropertyOptional({
    enum: DEPARTMENT_SORTS,
    default: 'points',
    description: 'The column to sort by; ties by department, cases without one (department null) last',
  })
  @IsOptional()
  @IsIn(DEPARTMENT_SORTS, { message: `sort must be one of ${DEPARTMENT_SORTS.join(', ')}` })
  sort: DepartmentSort = 'points';

  @ApiPropertyOptional({ enum: ORDERS, default: 'desc' })
  @IsOptional()
  @IsIn(ORDERS, { message: 'order must be asc or desc' })
  order: SortOrder = 'desc';
}

// ---------------------------------------------------------------- responses

class PoolPointValueResponse {
  @ApiProperty({ enum: POOLS })
  pool!: string;

  @ApiProperty({ description: 'PV of the pool in the run, 6 dp (payments use the exact value)', example: '10.842230' })
  pointValue!: string;
}

@ApiSchema({ description: "A settled month a view was computed from: the month's current settlement run and its grouping run." })
export class ViewMonthResponse {
  @ApiProperty({ example: '2024-03' })
  period!: string;

  @ApiProperty({ enum: ['draft', 'final'] })
  status!: 'draft' | 'final';

  @ApiProperty({ format: 'uuid' })
  settlementRun!: string;

  @ApiProperty({ format: 'uuid' })
  groupingRun!: string;

  @ApiProperty({ enum: ['totalCost', 'fund'], description: "The settlement basis of the run's policy (spec §8.2)" })
  basis!: 'totalCost' | 'fund';

  @ApiProperty({ type: [PoolPointValueResponse] })
  pointValues!: PoolPointValueResponse[];
}

/** The fields every view begins with. */
class ViewHeadResponse {
  @ApiProperty({ example: 'H001' })
  hospitalCode!: string;

  @ApiProperty({ example: '第一人民医院' })
  hospitalName!: string;

  @ApiProperty({ example: '370300' })
  region!: string;

  @ApiProperty({ example: '2024-03', description: PERIOD_DOC })
  period!: string;

  @ApiProperty({ type: [ViewMonthResponse], description: 'The settled months added up, in month order' })
  months!: ViewMonthResponse[];
}

@ApiSchema({ description: 'A count of the hospital, with the region’s beside it' })
export class CountPairResponse {
  @ApiProperty({ type: 'integer', example: 6 })
  hospital!: number;

  @ApiProperty({ type: 'integer', example: 8 })
  region!: number;
}

@ApiSchema({ description: 'A decimal of the hospital, with the region’s beside it' })
export class DecimalPairResponse {
  @ApiProperty({ example: '25290.0000' })
  hospital!: string;

  @ApiProperty({ example: '26692.2500' })
  region!: string;
}

@ApiSchema({
  description: 'A decimal of the hospital, with the region’s beside it; null where it does not exist (no cases, no scored cases)',
})
export class NullableDecimalPairResponse {
  @ApiProperty({ type: String, nullable: true, example: '1.0348' })
  hospital!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '1.0000' })
  region!: string | null;
}

class OutlierResponse {
  @ApiProperty({ type: CountPairResponse })
  cases!: CountPairResponse;

  @ApiProperty({ type: NullableDecimalPairResponse, description: 'cases ÷ all cases, 4 dp; null without cases' })
  rate!: NullableDecimalPairResponse;
}

class OutliersResponse {
  @ApiProperty({ type: OutlierResponse, description: 'Low outliers (r < lowRatio, spec §6.3)' })
  low!: OutlierResponse;

  @ApiProperty({ type: OutlierResponse, description: 'High outliers (highRatio < r ≤ extremeRatio)' })
  high!: OutlierResponse;

  @ApiProperty({
    type: OutlierResponse,
    description: 'Extreme outliers (r > extremeRatio; valued as r = extremeRatio; eligible for special review)',
  })
  extreme!: OutlierResponse;
}

class SummaryPoolResponse {
  @ApiProperty({ enum: POOLS })
  pool!: string;

  @ApiProperty({ type: CountPairResponse })
  cases!: CountPairResponse;

  @ApiProperty({ type: DecimalPairResponse, description: 'Points, 4 dp' })
  points!: DecimalPairResponse;

  @ApiProperty({ type: DecimalPairResponse, description: 'Σ entitlement E_h of the months (spec §8.2), 2 dp' })
  entitlement!: DecimalPairResponse;

  @ApiProperty({ type: DecimalPairResponse, description: 'Σ pre-settlement P_h of the months, draft or final (spec §8.3), 2 dp' })
  prepay!: DecimalPairResponse;

  @ApiProperty({
    type: DecimalPairResponse,
    description: 'Σ pre-settlement of the finalised months only: what the annual clearing counts as paid (spec §8.4), 2 dp',
  })
  prepayFinal!: DecimalPairResponse;
}

@ApiSchema({
  description: "A hospital's summary of a settled month or a year's settled months so far, the region's figures beside its own.",
})
export class HospitalSummaryResponse extends ViewHeadResponse {
  @ApiProperty({ type: CountPairResponse })
  cases!: CountPairResponse;

  @ApiProperty({ type: DecimalPairResponse, description: 'Points, 4 dp (both pools)' })
  points!: DecimalPairResponse;

  @ApiProperty({ type: CountPairResponse, description: 'Cases with a score (every case but the no-score ones)' })
  scoredCases!: CountPairResponse;

  @ApiProperty({ type: NullableDecimalPairResponse, description: 'Mean score of the scored cases, 4 dp' })
  meanScore!: NullableDecimalPairResponse;

  @ApiProperty({
    type: NullableDecimalPairResponse,
    description:
      "Case-mix index: the hospital's mean score ÷ the region's, 4 dp (the region's is 1 by definition); no-score cases count on neither side",
  })
  cmi!: NullableDecimalPairResponse;

  @ApiProperty({ type: OutliersResponse })
  outliers!: OutliersResponse;

  @ApiProperty({ type: [SummaryPoolResponse], description: 'Money per pool: the two funds are never added up' })
  pools!: SummaryPoolResponse[];
}

@ApiSchema({ description: 'The figures of a row (and of the total) of the groups and departments views.' })
export class BreakdownFiguresResponse {
  @ApiProperty({ type: 'integer', example: 4 })
  cases!: number;

  @ApiProperty({ example: '24720.0000' })
  points!: string;

  @ApiProperty({
    description:
      "Estimated payment on a total-cost footing, to the fen: Σ points × the exact point value of the case's month and pool; on the fund basis plus Σ nonFund (PV there pays only the fund's part)",
    example: '268010.87',
  })
  estimatedPayment!: string;

  @ApiProperty({ description: 'Actual cost: Σ totalCost', example: '271200.00' })
  actualCost!: string;

  @ApiProperty({ description: '病组盈亏: estimatedPayment − actualCost (negative: a loss)', example: '-3189.13' })
  difference!: string;
}

class GroupRowResponse extends BreakdownFiguresResponse {
  @ApiProperty({ type: String, nullable: true, description: 'Group code; null: the no-score cases', example: 'K80.1-51.2300' })
  group!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'K80.1|51.2300' })
  key!: string | null;

  @ApiProperty({ type: String, nullable: true, enum: ['core', 'composite'] })
  kind!: string | null;
}

class DepartmentRowResponse extends BreakdownFiguresResponse {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The department as the cases give it; null: cases without one',
    example: '普外科',
  })
  department!: string | null;

  @ApiProperty({ type: 'integer', description: 'Cases with a score' })
  scoredCases!: number;

  @ApiProperty({ type: String, nullable: true, description: 'Mean score of its scored cases, 4 dp' })
  meanScore!: string | null;

  @ApiProperty({ type: String, nullable: true, description: "Its mean score ÷ the region's, 4 dp" })
  cmi!: string | null;
}

@ApiSchema({ description: "A hospital's cases by group (病组): cases, points, estimated payment, actual cost and difference, sorted." })
export class HospitalGroupsResponse extends ViewHeadResponse {
  @ApiProperty({ enum: GROUP_SORTS })
  sort!: string;

  @ApiProperty({ enum: ORDERS })
  order!: string;

  @ApiProperty({ type: [GroupRowResponse] })
  items!: GroupRowResponse[];

  @ApiProperty({ type: BreakdownFiguresResponse, description: 'The sum of the rows' })
  total!: BreakdownFiguresResponse;
}

@ApiSchema({ description: "A hospital's cases by department (科室), with each department's CMI, sorted." })
export class HospitalDepartmentsResponse extends ViewHeadResponse {
  @ApiProperty({ enum: DEPARTMENT_SORTS })
  sort!: string;

  @ApiProperty({ enum: ORDERS })
  order!: string;

  @ApiProperty({ type: [DepartmentRowResponse] })
  items!: DepartmentRowResponse[];

  @ApiProperty({ type: BreakdownFiguresResponse, description: 'The sum of the rows' })
  total!: BreakdownFiguresResponse;
}

export class HospitalSummariesResponse {
  @ApiProperty({ example: '370300' })
  region!: string;

  @ApiProperty({ example: '2024-03' })
  period!: string;

  @ApiProperty({ type: [HospitalSummaryResponse], description: 'Each hospital with settled cases in the period, as its own summary' })
  items!: HospitalSummaryResponse[];
}
