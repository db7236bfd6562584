import { Page } from '../http/paging';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { POINTS_RULES, PointsRule } from '../domain/engine/scoring';
import { MONTH_PATTERN } from '../domain/periods';

export class StartGroupingRequest {
  @ApiProperty({ example: '370300' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'region must be a 6-digit region code' })
  region!: string;

  @ApiProperty({ example: '2024-01', description: 'First settlement month' })
  @Matches(MONTH_PATTERN, { message: 'from must be a month like 2024-01' })
  from!: string;

  @ApiProperty({ example: '2024-12', description: 'Last settlement month (same year)' })
  @Matches(MONTH_PATTERN, { message: 'to must be a month like 2024-12' })
  to!: string;

  @ApiPropertyOptional({ description: 'Catalogue version; default: the active one of the region and year' })
  @IsOptional()
  @IsUUID()
  catalogueId?: string;
}

export class ResultsQuery extends Page {
  @ApiPropertyOptional({ description: 'Only the cases of this hospital' })
  @IsOptional()
  @IsString()
  hospital?: string;

  @ApiPropertyOptional({
    enum: POINTS_RULES,
    description: 'Only the cases valued by this points rule (spec §6.3; low, high and extreme are the outliers)',
  })
  @IsOptional()
  @IsIn(POINTS_RULES)
  outlier?: PointsRule;
}
