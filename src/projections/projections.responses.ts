import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { POOLS } from '../domain/case-record';
import { TREATMENT_TYPES } from '../domain/codes';
import { CaseResultResponse, FactorResponse } from '../grouping/grouping.responses';

/** OpenAPI documentation of projections (documentation classes only). Money, points and point values are strings. */

@ApiSchema({
  description:
    "The point value used (yuan per point, 6 dp as reported): the case's pool's in the latest stored monthly settlement run of the catalogue (`monthly-run`, draft or final), else the catalogue's budget point value (`catalogue-budget`, spec §4.9).",
})
export class PointValueResponse {
  @ApiProperty({ type: String, example: '6.921481' })
  value!: string;

  @ApiProperty({ enum: ['monthly-run', 'catalogue-budget'] })
  source!: 'monthly-run' | 'catalogue-budget';

  @ApiPropertyOptional({ format: 'uuid', description: 'monthly-run: the settlement run' })
  runId?: string;

  @ApiPropertyOptional({ description: 'monthly-run: its month', example: '2024-03' })
  period?: string;

  @ApiPropertyOptional({ enum: ['draft', 'final'], description: 'monthly-run: its status' })
  status?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'catalogue-budget: the catalogue' })
  catalogueId?: string;
}

@ApiSchema({ description: 'Another group the principal diagnosis can reach with other coded procedures, valued for this case.' })
export class AlternativeResponse {
  @ApiProperty({ example: 'K80.1-CONS' })
  group!: string;

  @ApiProperty({ example: 'K80.1|' })
  key!: string;

  @ApiProperty({ enum: ['core', 'composite'] })
  kind!: string;

  @ApiProperty({ enum: TREATMENT_TYPES, description: 'The treatment type of a case coded to reach the group' })
  treatmentType!: string;

  @ApiProperty({
    description: 'The rule that would place a case so coded: core-exact, or the composite level (composite, composite-block, …)',
  })
  rule!: string;

  @ApiProperty({
    type: [String],
    description:
      'Core: the key procedures to code (principal procedure and every other surgery; none for the conservative group). Composite: [] (a case of the treatment type whose key procedures match no core group)',
    example: [],
  })
  keyProcedures!: string[];

  @ApiProperty({ type: String, nullable: true, example: '750.0000' })
  score!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '1' })
  auxFactor!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '4.0000' })
  ratio!: string | null;

  @ApiProperty({ enum: ['normal', 'low', 'high', 'extreme', 'fixed-score', 'no-score'] })
  outlier!: string;

  @ApiProperty({ type: String, description: 'Points of this case in the group, 4 dp', example: '2317.5000' })
  points!: string;

  @ApiProperty({ type: String, description: "These points − the case's points, 4 dp", example: '-772.5000' })
  pointsDifference!: string;

  @ApiProperty({ type: String, description: 'points × the same point value, to the fen (half-up)', example: '16040.03' })
  estimatedPayment!: string;
}

@ApiSchema({ description: "A case's projection: a grouping run's result for it, with the point value and the estimated payment." })
export class BatchProjectionResponse extends CaseResultResponse {
  @ApiProperty({ enum: POOLS })
  pool!: string;

  @ApiProperty({ example: '370300' })
  region!: string;

  @ApiProperty({ format: 'uuid', description: "The active catalogue of the region and the case's discharge year" })
  catalogueId!: string;

  @ApiProperty({ type: () => PointValueResponse })
  pointValue!: PointValueResponse;

  @ApiProperty({
    type: String,
    description: 'points × pointValue.value, rounded half-up to the fen once (the DIP value of the case, spec §8.2)',
    example: '21387.38',
  })
  estimatedPayment!: string;
}

@ApiSchema({
  description: 'A single projection: the batch form plus the full explanation of the points and, when asked, the alternatives.',
})
export class ProjectionResponse extends BatchProjectionResponse {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'What r was measured against: coefficientAdjusted, or levelAverage:<level>',
    example: 'coefficientAdjusted',
  })
  reference!: string | null;

  @ApiProperty({ type: () => [FactorResponse], description: 'Every factor applied, in order; their product is the unrounded points' })
  factors!: FactorResponse[];

  @ApiPropertyOptional({
    type: () => [AlternativeResponse],
    description: '?alternatives=true: the other groups the principal diagnosis can reach, highest points first',
  })
  alternatives?: AlternativeResponse[];
}

export class ProjectionFieldError {
  @ApiProperty({ description: 'The field at fault; "*" for the case as a whole', example: 'totalCost' })
  field!: string;

  @ApiProperty({ example: 'is required' })
  reason!: string;
}

export class ProjectedItem {
  @ApiProperty({ type: 'integer', description: 'Index of the case in the array', example: 0 })
  index!: number;

  @ApiProperty({ type: String, nullable: true, example: 'ZY2024030001' })
  caseId!: string | null;

  @ApiProperty({ type: () => BatchProjectionResponse })
  projection!: BatchProjectionResponse;
}

export class RejectedItem {
  @ApiProperty({ type: 'integer', example: 1 })
  index!: number;

  @ApiProperty({ type: String, nullable: true, description: 'The caseId given, if it is a string (at most 64 characters)' })
  caseId!: string | null;

  @ApiProperty({ type: () => [ProjectionFieldError], description: 'Every rule the case breaks, by field' })
  errors!: ProjectionFieldError[];
}

@ApiSchema({ description: 'One answer per case, in the order given: a projection or the errors.' })
@ApiExtraModels(ProjectedItem, RejectedItem)
export class ProjectionBatchResponse {
  @ApiProperty({ type: 'integer' })
  projected!: number;

  @ApiProperty({ type: 'integer' })
  rejected!: number;

  @ApiProperty({
    type: 'array',
    items: { oneOf: [{ $ref: getSchemaPath(ProjectedItem) }, { $ref: getSchemaPath(RejectedItem) }] },
    description: 'In the order of the request',
  })
  items!: (ProjectedItem | RejectedItem)[];
}
