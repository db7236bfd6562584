import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { SCHEME_IDS } from '../domain/schemes/scheme';

/** `?year=` of an input import (required: an input belongs to one year). */
export class SchemeYearQuery {
  @ApiProperty({ type: 'integer', example: 2024 })
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year!: number;
}

/** `?scheme=&year=` of the run listing. */
export class SchemeRunsQuery {
  @ApiPropertyOptional({ enum: SCHEME_IDS })
  @IsOptional()
  @IsIn(SCHEME_IDS)
  scheme?: string;

  @ApiPropertyOptional({ type: 'integer', example: 2024 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year?: number;
}

export class StartSchemeRunRequest {
  @ApiProperty({ type: 'integer', example: 2024 })
  @IsInt()
  @Min(2000)
  @Max(2100)
  year!: number;
}

export class SchemeReportQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv', 'xlsx'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv', 'xlsx'])
  format: 'json' | 'csv' | 'xlsx' = 'json';
}

export class SchemeParams {
  @ApiProperty({ enum: SCHEME_IDS })
  @IsIn(SCHEME_IDS)
  scheme!: string;
}

export class SchemeTableParams extends SchemeParams {
  @ApiProperty({ example: 'groups' })
  @Matches(/^[a-zA-Z][a-zA-Z0-9-]{0,39}$/)
  table!: string;
}

export class SchemePersonsQuery {
  @ApiPropertyOptional({
    description: 'The provider whose persons (a hospital user: one of its own); the agency may leave it out with format=csv',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,40}$/)
  provider?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format: 'json' | 'csv' = 'json';
}
