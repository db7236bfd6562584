import { ApiProperty, ApiPropertyOptional, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { POOLS } from '../domain/case-record';
import { ErrorBodyResponse } from '../http/error.response';
import { JobProgressResponse } from '../jobs/jobs.responses';

/**
 * OpenAPI documentation of settlement runs and their reports (docs/settlement-report.md).
 * Documentation classes only. Decimals are strings: money 2 dp, points 4 dp, point values 6 dp.
 */

@ApiSchema({ description: 'A settlement run was started (202); follow it at `statusUrl` (also the Location header).' })
export class SettlementStartedResponse {
  @ApiProperty({ format: 'uuid', description: "The run's id (also its job's)" })
  id!: string;

  @ApiProperty({ enum: ['running'] })
  status!: 'running';

  @ApiProperty({ example: '/api/v1/settlements/5f2b8c1e-8a0e-4d8c-9a3f-0b1c2d3e4f50' })
  statusUrl!: string;
}

export class RunSpecialCasesResponse {
  @ApiProperty({
    type: 'integer',
    description: "The revision of the year's approved set this run applied; the finalise refuses a changed one",
  })
  revision!: number;

  @ApiProperty({ type: 'integer', description: 'Approved special cases whose points replaced the rules' })
  applied!: number;

  @ApiProperty({ type: [String], description: 'Approved cases this run did not value (moved out of the year since): not applied' })
  notInRun!: string[];
}

export class SettlementRunResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: '370300' })
  region!: string;

  @ApiProperty({ description: 'A month (kind month) or a year (kind year)', example: '2024-03' })
  period!: string;

  @ApiProperty({ enum: ['month', 'year'] })
  kind!: 'month' | 'year';

  @ApiProperty({ format: 'uuid' })
  catalogueId!: string;

  @ApiProperty()
  policyHash!: string;

  @ApiProperty({ format: 'uuid', description: 'The grouping run that valued the cases' })
  groupingRun!: string;

  @ApiProperty({ enum: ['draft', 'final'] })
  status!: 'draft' | 'final';

  @ApiProperty({ example: 'api' })
  createdBy!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finalisedAt!: string | null;

  @ApiPropertyOptional({
    type: [String],
    description: 'Annual runs: the finalised months whose pre-settlement counts as paid',
    example: ['2024-01', '2024-02'],
  })
  monthsPrepaid?: string[];

  @ApiPropertyOptional({ type: RunSpecialCasesResponse, description: 'Annual runs: the approved special cases applied (spec §9)' })
  specialCases?: RunSpecialCasesResponse;
}

export class SpecialCaseLineResponse {
  @ApiProperty({ type: 'integer' })
  cases!: number;

  @ApiProperty({ type: String, description: "Σ those cases' points by the rules in this run", example: '1234.5678' })
  rulePoints!: string;

  @ApiProperty({ type: String, description: 'Σ approved points that replaced them (already in the hospital points)', example: '2345.6789' })
  approvedPoints!: string;
}

/** The figures every hospital row has. */
class HospitalRowBase {
  @ApiProperty({ example: 'H001' })
  hospitalCode!: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Its registered name now; null for a code no longer registered',
    example: '第一人民医院',
  })
  hospitalName?: string | null;

  @ApiProperty({ type: 'integer', example: 1200 })
  cases!: number;

  @ApiProperty({ type: String, description: 'Points, 4 dp', example: '1234567.1234' })
  points!: string;

  @ApiProperty({ type: String, description: 'Σ (totalCost − fundPayment), yuan', example: '1234.50' })
  nonFund!: string;

  @ApiProperty({ type: String, description: 'Σ fundPayment (记账), yuan', example: '1234.50' })
  bookkeeping!: string;

  @ApiProperty({ type: String, description: 'round2(points × PV − nonFund), yuan', example: '1234.50' })
  entitlement!: string;
}

export class MonthlyHospitalResponse extends HospitalRowBase {
  @ApiProperty({ type: String, description: 'Monthly prepayment, yuan (spec §8.3)', example: '1234.50' })
  prepay!: string;
}

export class AnnualHospitalResponse extends HospitalRowBase {
  @ApiPropertyOptional({
    type: SpecialCaseLineResponse,
    description: 'The approved special cases of the year, when the hospital has any (spec §9)',
  })
  specialCases?: SpecialCaseLineResponse;

  @ApiProperty({ type: String, description: 'Quality withholding, yuan', example: '1234.50' })
  assessmentDeduction!: string;

  @ApiProperty({ type: String, example: '0.00' })
  violations!: string;

  @ApiProperty({ type: String, description: 'max(0, bookkeeping − entitlement)', example: '1234.50' })
  overspend!: string;

  @ApiProperty({ type: String, example: '1234.50' })
  compensation!: string;

  @ApiProperty({ type: String, description: 'entitlement − assessment − violations + compensation', example: '1234.50' })
  final!: string;

  @ApiProperty({ type: String, description: "The year's finalised monthly prepayments", example: '1234.50' })
  prepaid!: string;

  @ApiProperty({ type: String, example: '0.00' })
  revolvingFund!: string;

  @ApiProperty({ type: String, description: 'final − prepaid − revolvingFund; negative: the hospital repays', example: '-1234.50' })
  balance!: string;
}

/** The figures every pool has. */
class PoolBase {
  @ApiProperty({ enum: POOLS })
  pool!: string;

  @ApiProperty({ type: String, description: 'The fund distributed, yuan', example: '12345678.90' })
  fund!: string;

  @ApiProperty({ type: String, description: 'Σ fundPayment of the period, yuan', example: '12345678.90' })
  cityBookkeeping!: string;

  @ApiProperty({ type: String, description: 'Total points, 4 dp', example: '1234567.1234' })
  points!: string;

  @ApiProperty({ type: String, example: '1234.50' })
  nonFund!: string;

  @ApiProperty({ type: String, description: 'Yuan per point, 6 dp (entitlements use the exact value)', example: '12.302539' })
  pointValue!: string;

  @ApiProperty({ type: String, description: 'fund − Σ entitlement (rounding only)', example: '0.03' })
  residual!: string;
}

@ApiSchema({ description: 'A pool of a monthly pre-settlement (spec §8.3).' })
export class MonthlyPoolResponse extends PoolBase {
  @ApiProperty({ type: String, description: 'dipBudget / 12, to the fen', example: '12345678.90' })
  monthlyBudget!: string;

  @ApiProperty({ type: () => [MonthlyHospitalResponse] })
  hospitals!: MonthlyHospitalResponse[];
}

export class YearEndReserveResponse {
  @ApiProperty({ type: String, example: '0.00' })
  shortfall!: string;

  @ApiProperty({ type: String, example: '1234.50' })
  remainder!: string;

  @ApiProperty({ type: String, example: '864.15' })
  toDipFund!: string;

  @ApiProperty({ type: String, example: '370.35' })
  adjustmentFund!: string;

  @ApiProperty({ type: String, example: '0.00' })
  uncovered!: string;
}

@ApiSchema({ description: 'A pool of an annual settlement and clearing (spec §8.4).' })
export class AnnualPoolResponse extends PoolBase {
  @ApiProperty({ type: String, example: '123456789.00' })
  dipBudget!: string;

  @ApiProperty({ type: () => YearEndReserveResponse })
  reserve!: YearEndReserveResponse;

  @ApiProperty({ type: String, example: '370.35' })
  adjustmentFund!: string;

  @ApiProperty({ type: String, description: 'Σ compensation claimed before scaling', example: '1234.50' })
  compensationClaimed!: string;

  @ApiProperty({
    type: String,
    description: 'The factor applied when the claims exceed the adjustment fund (1 otherwise)',
    example: '1.000000',
  })
  compensationScale!: string;

  @ApiProperty({ type: () => [AnnualHospitalResponse] })
  hospitals!: AnnualHospitalResponse[];
}

@ApiSchema({ description: 'The report of a stored settlement run (docs/settlement-report.md).' })
export class SettlementReportResponse {
  @ApiProperty({ type: () => SettlementRunResponse })
  run!: SettlementRunResponse;

  @ApiProperty({
    type: 'array',
    items: { oneOf: [{ $ref: getSchemaPath(MonthlyPoolResponse) }, { $ref: getSchemaPath(AnnualPoolResponse) }] },
    description: 'Monthly pools for kind month, annual pools for kind year',
  })
  pools!: (MonthlyPoolResponse | AnnualPoolResponse)[];
}

export class SettlementJobRunResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['running', 'succeeded', 'failed'] })
  status!: string;

  @ApiProperty({ type: String, nullable: true })
  stage!: string | null;

  @ApiProperty({ type: () => JobProgressResponse })
  progress!: JobProgressResponse;
}

@ApiSchema({ description: 'A settlement run not stored (yet): its job, running or failed.' })
export class SettlementJobResponse {
  @ApiProperty({ type: () => SettlementJobRunResponse })
  run!: SettlementJobRunResponse;

  @ApiProperty({ type: () => ErrorBodyResponse, nullable: true })
  error!: ErrorBodyResponse | null;
}

export class SettlementReplacedRunResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['replaced'] })
  status!: 'replaced';

  @ApiProperty({ format: 'uuid', description: "The run that replaced this one as its period's draft" })
  replacedBy!: string;

  @ApiProperty({ format: 'date-time' })
  replacedAt!: string;
}

@ApiSchema({
  description: 'A draft replaced by a later run of its period (its report is no longer kept): which run replaced it, and when.',
})
export class SettlementReplacedResponse {
  @ApiProperty({ type: () => SettlementReplacedRunResponse })
  run!: SettlementReplacedRunResponse;
}

/** The models referenced by `$ref` only (oneOf): to be registered with @ApiExtraModels where they are answered. */
export const SETTLEMENT_EXTRA_MODELS = [
  MonthlyPoolResponse,
  AnnualPoolResponse,
  SettlementReportResponse,
  SettlementJobResponse,
  SettlementReplacedResponse,
];

export class RunListingResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['month', 'year'] })
  kind!: 'month' | 'year';

  @ApiProperty({ example: '2024-03' })
  period!: string;

  @ApiProperty({ enum: ['draft', 'final'] })
  status!: 'draft' | 'final';

  @ApiProperty({ format: 'uuid' })
  catalogueId!: string;

  @ApiProperty({ format: 'uuid', description: 'The grouping run that valued the cases (its per-case results)' })
  groupingRun!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finalisedAt!: string | null;

  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description:
      "Each pool's own figures as in the report (fund, cityBookkeeping, points, nonFund, pointValue, residual; monthlyBudget, or dipBudget, reserve and adjustmentFund), without hospital rows",
  })
  pools!: Record<string, unknown>[];
}
