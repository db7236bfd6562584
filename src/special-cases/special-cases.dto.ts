import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { MAX_ID_CHARS } from '../domain/case-record';
import { SPECIAL_REASONS, SPECIAL_STATUSES, SpecialReason, SpecialStatus } from '../domain/special-case';
import { Page } from '../http/paging';

/** Limits of the free text an application carries (a statement, an evidence reference, a vote's reason). */
export const STATEMENT_CHARS = 4000;
export const EVIDENCE_REFS = 20;
export const EVIDENCE_REF_CHARS = 200;
export const REASON_CHARS = 2000;

/** Points as a decimal string (4 dp at most); a JSON number is refused (it has been through a binary float). */
const POINTS = /^\d{1,12}(\.\d{1,4})?$/;
/** An amount in yuan (2 dp at most), within DECIMAL(15,2). */
const YUAN = /^\d{1,13}(\.\d{1,2})?$/;

export class ApplyRequest {
  @ApiProperty({ description: "The case (one of the hospital's own stored cases)", example: 'C-2024-000123' })
  @IsString()
  @Length(1, MAX_ID_CHARS)
  caseId!: string;

  @ApiProperty({
    enum: SPECIAL_REASONS,
    description:
      'extremeCost (checked: the case is flagged r > extremeRatio), longStay (checked: LOS > longStayDays), newTechnology (checked: the case flag), complexCritical, other',
  })
  @IsIn(SPECIAL_REASONS)
  reason!: SpecialReason;

  @ApiProperty({ description: `Why the case needs another valuation (1–${STATEMENT_CHARS} characters)` })
  @IsString()
  @Length(1, STATEMENT_CHARS)
  statement!: string;

  @ApiPropertyOptional({
    type: [String],
    description: `References to the evidence (medical record numbers of documents, file names; at most ${EVIDENCE_REFS} of ${EVIDENCE_REF_CHARS} characters)`,
    default: [],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(EVIDENCE_REFS)
  @IsString({ each: true })
  @Length(1, EVIDENCE_REF_CHARS, { each: true })
  evidence: string[] = [];
}

export class AppealRequest {
  @ApiProperty({ description: `Why the rejection should be reconsidered (1–${STATEMENT_CHARS} characters)` })
  @IsString()
  @Length(1, STATEMENT_CHARS)
  statement!: string;
}

export class PanelRequest {
  @ApiPropertyOptional({
    type: [String],
    description: "The experts' user ids (the policy's panelSize of them); absent: the suggested panel",
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(99)
  @IsUUID('all', { each: true })
  experts?: string[];
}

export class VoteRequest {
  @ApiProperty({ enum: ['approve', 'reject'] })
  @IsIn(['approve', 'reject'])
  decision!: 'approve' | 'reject';

  @ApiPropertyOptional({ description: 'Approving: the points the case is worth (a decimal string, ≤ 4 dp)', example: '1850.5' })
  @IsOptional()
  @IsString()
  @Matches(POINTS, { message: 'points must be a decimal string with at most 4 decimals, like "1850.5"' })
  points?: string;

  @ApiPropertyOptional({
    description: "Approving: the cost the experts accept (yuan, a decimal string), converted to points with the catalogue's costPerPoint",
    example: '98000.00',
  })
  @IsOptional()
  @IsString()
  @Matches(YUAN, { message: 'cost must be an amount in yuan as a decimal string, like "98000.00"' })
  cost?: string;

  @ApiProperty({ description: `Why (required; 1–${REASON_CHARS} characters)` })
  @IsString()
  @Length(1, REASON_CHARS)
  reason!: string;
}

export class ListQuery extends Page {
  @ApiPropertyOptional({ description: 'Agency: one hospital of the region (a hospital user sees its own only)' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  hospital?: string;

  @ApiPropertyOptional({ type: 'integer', example: 2024 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1998)
  @Max(2999)
  year?: number;

  @ApiPropertyOptional({ enum: SPECIAL_STATUSES })
  @IsOptional()
  @IsIn(SPECIAL_STATUSES)
  status?: SpecialStatus;

  @ApiPropertyOptional({ type: Boolean, description: 'Only pending applications whose panel is past its deadline' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  overdue?: boolean;
}

export class AuditQuery {
  @ApiPropertyOptional({ description: 'One hospital of the region' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  hospital?: string;

  @ApiPropertyOptional({ type: 'integer', example: 2024 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1998)
  @Max(2999)
  year?: number;
}
