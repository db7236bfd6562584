import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { CatalogueGroupResponse } from '../catalogue/catalogue.responses';
import { TREATMENT_TYPES } from '../domain/codes';

/** OpenAPI documentation of grouping runs and case results (documentation classes only). Decimals are strings. */

const GROUP_RULES = [
  'core-exact',
  'core-subset',
  'core-conservative',
  'composite',
  'composite-block',
  'composite-chapter',
  'composite-region',
  'no-score',
];
const POINTS_RULES = ['normal', 'low', 'high', 'extreme', 'fixed-score', 'no-score'];
const TIE_BREAKS = ['most-procedures', 'principal-procedure', 'closest-avg-cost', 'smallest-key'];

@ApiSchema({ description: 'A grouping run (immutable): which catalogue, policy and engine valued which cases, and their totals.' })
export class GroupingRunResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: '370300' })
  region!: string;

  @ApiProperty({ description: 'First settlement month', example: '2024-01' })
  from!: string;

  @ApiProperty({ description: 'Last settlement month', example: '2024-12' })
  to!: string;

  @ApiProperty({ format: 'uuid' })
  catalogueId!: string;

  @ApiProperty({ description: 'sha256 of the policy used' })
  policyHash!: string;

  @ApiProperty({ description: 'sha256 of the whole engine setup (catalogue, policy, code tables, coefficients)' })
  engineHash!: string;

  @ApiProperty({ type: 'integer', example: 52000 })
  cases!: number;

  @ApiProperty({ type: 'integer', description: 'Cases without a group (no-score)' })
  noScoreCases!: number;

  @ApiProperty({ type: 'integer', description: 'Cases eligible for special review (spec §9)' })
  specialReviewCases!: number;

  @ApiProperty({ type: String, description: 'Total points, 4 dp', example: '123456789.1234' })
  points!: string;

  @ApiProperty({ example: 'api' })
  createdBy!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

@ApiSchema({ description: "A case's stored result in a run: its group, why, and every figure its points came from." })
export class CaseResultResponse {
  @ApiProperty({ example: 'ZY2024030001' })
  caseId!: string;

  @ApiProperty({ example: 'H001' })
  hospitalCode!: string;

  @ApiProperty({ type: String, nullable: true, description: 'Group code; null for a no-score case', example: 'K80.1-51.2300' })
  group!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Group key; null for a no-score case', example: 'K80.1|51.2300' })
  key!: string | null;

  @ApiProperty({ type: String, enum: ['core', 'composite'], nullable: true })
  kind!: 'core' | 'composite' | null;

  @ApiProperty({ enum: GROUP_RULES, description: 'The grouping rule applied (spec §5)' })
  rule!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "The case's own combination key (spec §3); null for a therapeutic case without key procedures",
    example: 'K80.1|51.2300',
  })
  caseKey!: string | null;

  @ApiProperty({ enum: TREATMENT_TYPES })
  treatmentType!: string;

  @ApiProperty({ type: String, enum: TIE_BREAKS, nullable: true, description: 'What decided among several core candidates' })
  tieBreak!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The score applied (group, day-surgery or fixed); null for no-score',
    example: '2887.5432',
  })
  score!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The severity factor a applied; null where none applies', example: '1.3125' })
  auxFactor!: string | null;

  @ApiProperty({ type: 'integer', enum: [1, 2, 3, 4], description: 'Severity class (spec §4.8)' })
  severityClass!: number;

  @ApiProperty({ type: String, description: "The hospital's coefficient k (spec §7)", example: '1.0500' })
  coefficient!: string;

  @ApiProperty({ type: String, nullable: true, description: 'Cost ratio r, 4 dp; null where no outlier rule applies', example: '0.9821' })
  ratio!: string | null;

  @ApiProperty({ enum: POINTS_RULES, description: 'The points rule (spec §6)' })
  outlier!: string;

  @ApiProperty({ type: String, description: 'Points, 4 dp', example: '3031.9204' })
  points!: string;

  @ApiProperty({ description: 'r > extremeRatio: eligible for special review (spec §9)' })
  specialReview!: boolean;
}

export class CaseResultsPageResponse {
  @ApiProperty({ type: 'integer', description: 'Results of the run (of the hospital, if given) in all' })
  total!: number;

  @ApiProperty({ type: 'integer', example: 0 })
  offset!: number;

  @ApiProperty({ type: () => [CaseResultResponse], description: 'In caseId order' })
  items!: CaseResultResponse[];
}

export class GroupingResponse {
  @ApiProperty({ type: () => CatalogueGroupResponse, nullable: true, description: 'The group; null for a no-score case' })
  group!: CatalogueGroupResponse | null;

  @ApiProperty({ enum: GROUP_RULES })
  rule!: string;

  @ApiProperty({ type: String, nullable: true, description: "The case's combination key (spec §3)" })
  key!: string | null;

  @ApiProperty({ enum: TREATMENT_TYPES })
  treatmentType!: string;

  @ApiPropertyOptional({
    enum: TIE_BREAKS,
    description: 'Set when several core groups were candidates: the first criterion that separated them',
  })
  tieBreak?: string;

  @ApiPropertyOptional({ type: 'integer', description: 'The number of core candidates considered (with tieBreak)' })
  candidates?: number;
}

export class FactorResponse {
  @ApiProperty({ example: 'score' })
  name!: string;

  @ApiProperty({ type: String, example: '2887.5432' })
  value!: string;
}

export class PointsResponse {
  @ApiProperty({ type: String, description: 'Points, exactly 4 dp', example: '3031.9204' })
  points!: string;

  @ApiProperty({ enum: POINTS_RULES })
  rule!: string;

  @ApiProperty({ type: String, nullable: true, example: '2887.5432' })
  score!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '1.3125' })
  auxFactor!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'r = c / (m × a × k), 4 dp (display only)', example: '0.9821' })
  ratio!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'What r was measured against: coefficientAdjusted, or levelAverage:<level>',
    example: 'coefficientAdjusted',
  })
  reference!: string | null;

  @ApiProperty({ type: 'integer', enum: [1, 2, 3, 4] })
  severityClass!: number;

  @ApiProperty({ type: () => [FactorResponse], description: 'Every factor applied, in order; their product is the unrounded points' })
  factors!: FactorResponse[];

  @ApiProperty()
  eligibleForSpecialReview!: boolean;
}

export class CaseValuationResponse {
  @ApiProperty({ type: () => GroupingResponse })
  grouping!: GroupingResponse;

  @ApiProperty({ type: () => PointsResponse })
  points!: PointsResponse;
}

@ApiSchema({
  description: "One case of a run: its stored result and the full explanation of its group and points, recomputed with the run's versions.",
})
export class CaseExplanationResponse {
  @ApiProperty({ type: () => CaseResultResponse })
  result!: CaseResultResponse;

  @ApiProperty({ type: () => CaseValuationResponse, nullable: true, description: 'null when the case is no longer stored' })
  explanation!: CaseValuationResponse | null;

  @ApiProperty({ description: 'The case or the engine setup changed since the run (the explanation is of the case as stored now)' })
  changedSinceRun!: boolean;
}
