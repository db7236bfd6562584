import { Page } from '../http/paging';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches } from 'class-validator';
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
}
