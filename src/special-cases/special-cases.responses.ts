import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SPECIAL_REASONS, SPECIAL_STATUSES } from '../domain/special-case';
import { CaseResultResponse, CaseValuationResponse } from '../grouping/grouping.responses';

/** OpenAPI documentation of special cases (documentation classes only). Points are decimal strings (4 dp). */

export class CaseFactsResponse {
  @ApiProperty({ format: 'uuid', description: 'The grouping run whose stored result the check read' })
  groupingRun!: string;
  @ApiProperty({ format: 'uuid' })
  catalogueId!: string;
  @ApiProperty({ type: String, nullable: true })
  groupCode!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ['core', 'composite', null] })
  kind!: string | null;
  @ApiProperty()
  rule!: string;
  @ApiProperty({ example: 'extreme' })
  outlier!: string;
  @ApiProperty({ type: String, nullable: true, example: '6.1234' })
  ratio!: string | null;
  @ApiProperty({ example: '5120.0000', description: "The case's points by the rules" })
  points!: string;
  @ApiProperty({ type: 'integer' })
  losDays!: number;
  @ApiProperty()
  newTechnology!: boolean;
  @ApiProperty({ description: 'r > extremeRatio' })
  eligibleForSpecialReview!: boolean;
}

export class PanelVoteResponse {
  @ApiPropertyOptional({
    description: 'Agency only: who sat',
    example: { id: '5f2b8c1e-8a0e-4d8c-9a3f-0b1c2d3e4f50', username: 'expert-li' },
  })
  expert?: { id: string; username: string };
  @ApiProperty({ type: String, nullable: true, enum: ['approve', 'reject', null] })
  vote!: string | null;
  @ApiProperty({ type: String, nullable: true })
  points!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'An approval given as a cost (yuan)' })
  cost!: string | null;
  @ApiProperty({ type: String, nullable: true })
  reason!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  votedAt!: string | null;
}

export class PanelResponse {
  @ApiProperty({ type: 'integer', enum: [1, 2], description: '1, or 2 for the appeal' })
  round!: number;
  @ApiProperty({ format: 'date-time', description: "The policy's deadline (specialCases.decisionDays after seating)" })
  dueAt!: string;
  @ApiProperty({ description: 'Undecided and past its deadline' })
  overdue!: boolean;
  @ApiProperty({ type: [PanelVoteResponse] })
  votes!: PanelVoteResponse[];
}

export class ApplicationResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: '370300' })
  region!: string;
  @ApiProperty({ type: 'integer', example: 2024 })
  year!: number;
  @ApiProperty()
  hospitalCode!: string;
  @ApiProperty()
  caseId!: string;
  @ApiProperty({ enum: SPECIAL_REASONS })
  reason!: string;
  @ApiProperty()
  statement!: string;
  @ApiProperty({ type: [String] })
  evidence!: string[];
  @ApiProperty({ type: CaseFactsResponse })
  facts!: CaseFactsResponse;
  @ApiProperty({ enum: SPECIAL_STATUSES })
  status!: string;
  @ApiProperty({ type: 'integer', enum: [1, 2] })
  round!: number;
  @ApiProperty({ type: String, nullable: true })
  appealStatement!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Approved: the median of the approving votes', example: '9500.0000' })
  approvedPoints!: string | null;
  @ApiProperty({ example: 'hospital:h001-finance' })
  appliedBy!: string;
  @ApiProperty({ format: 'date-time' })
  appliedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  decidedAt!: string | null;
  @ApiProperty({ type: [PanelResponse] })
  panels!: PanelResponse[];
}

export class ApplicationsPageResponse {
  @ApiProperty({ type: 'integer' })
  total!: number;
  @ApiProperty({ type: [ApplicationResponse] })
  items!: ApplicationResponse[];
}

export class ExpertLoadResponse {
  @ApiProperty({ format: 'uuid' })
  userId!: string;
  @ApiProperty()
  username!: string;
  @ApiProperty({ description: 'Affiliation hospital' })
  hospital!: string;
  @ApiProperty({ type: 'integer', description: 'Undecided panels the expert sits on now' })
  open!: number;
}

export class AuditEntryResponse {
  @ApiProperty({ format: 'date-time' })
  at!: string;
  @ApiProperty({ example: 'expert:expert-li' })
  actor!: string;
  @ApiProperty({ example: 'specialCase.vote' })
  action!: string;
  @ApiProperty({ example: 'specialCase' })
  entity!: string;
  @ApiProperty()
  entityId!: string;
  @ApiProperty({ type: Object, nullable: true })
  before!: unknown;
  @ApiProperty({ type: Object, nullable: true })
  after!: unknown;
}

export class ExpertSeatResponse {
  @ApiProperty({ type: 'integer' })
  round!: number;
  @ApiProperty({ description: 'The seat of the undecided current round' })
  current!: boolean;
  @ApiProperty({ format: 'date-time' })
  assignedAt!: string;
  @ApiProperty({ format: 'date-time' })
  dueAt!: string;
  @ApiProperty({ type: String, nullable: true, enum: ['approve', 'reject', null] })
  vote!: string | null;
  @ApiProperty({ type: String, nullable: true })
  points!: string | null;
  @ApiProperty({ type: String, nullable: true })
  cost!: string | null;
  @ApiProperty({ type: String, nullable: true })
  costPerPoint!: string | null;
  @ApiProperty({ type: String, nullable: true })
  reason!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  votedAt!: string | null;
}

export class ExpertApplicationResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ type: 'integer' })
  year!: number;
  @ApiProperty()
  hospitalCode!: string;
  @ApiProperty()
  caseId!: string;
  @ApiProperty({ enum: SPECIAL_REASONS })
  reason!: string;
  @ApiProperty()
  statement!: string;
  @ApiProperty({ type: [String] })
  evidence!: string[];
  @ApiProperty({ type: String, nullable: true })
  appealStatement!: string | null;
  @ApiProperty({ type: CaseFactsResponse })
  facts!: CaseFactsResponse;
  @ApiProperty({ enum: SPECIAL_STATUSES })
  status!: string;
  @ApiProperty({ type: 'integer' })
  round!: number;
  @ApiProperty({ type: String, nullable: true })
  approvedPoints!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  decidedAt!: string | null;
}

export class AssignmentResponse extends ExpertApplicationResponse {
  @ApiProperty({ type: ExpertSeatResponse })
  seat!: ExpertSeatResponse;
}

export class ReviewExplanationResponse {
  @ApiProperty({ format: 'uuid' })
  groupingRun!: string;
  @ApiProperty({ type: CaseResultResponse })
  result!: CaseResultResponse;
  @ApiProperty({ type: CaseValuationResponse, nullable: true, description: 'Every factor (null when the case was removed since)' })
  valuation!: CaseValuationResponse | null;
}

export class ReviewResponse extends ExpertApplicationResponse {
  @ApiProperty({ type: ReviewExplanationResponse, nullable: true, description: "The case's newest stored result with its explanation" })
  explanation!: ReviewExplanationResponse | null;
  @ApiProperty({ type: [ExpertSeatResponse], description: "The caller's own seats (round 1, and the appeal's)" })
  seats!: ExpertSeatResponse[];
}

export class CastVoteResponse {
  @ApiProperty({ enum: ['approve', 'reject'] })
  decision!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The points voted (a cost converted to 4 dp)' })
  points!: string | null;
  @ApiProperty({ type: String, nullable: true })
  cost!: string | null;
  @ApiProperty({ type: String, nullable: true })
  costPerPoint!: string | null;
}

export class VoteResultResponse extends ExpertApplicationResponse {
  @ApiProperty({ type: CastVoteResponse })
  vote!: CastVoteResponse;
  @ApiProperty({ description: 'This vote completed the panel, which decided' })
  decided!: boolean;
}
