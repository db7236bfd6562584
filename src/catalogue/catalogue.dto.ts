import { Page } from '../http/paging';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

export class BuildCatalogueRequest {
  @ApiProperty({ example: '370300' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'region must be a 6-digit region code' })
  region!: string;

  @ApiProperty({ example: 2024, description: 'The settlement year; the window is the look-back years before it.' })
  @IsInt()
  @Min(1900)
  @Max(2999)
  year!: number;

  @ApiPropertyOptional({ description: 'A policy document (spec §10); default: the stored or shipped policy of the region and year.' })
  @IsOptional()
  @IsObject()
  policy?: Record<string, unknown>;
}

export class GroupsQuery extends Page {
  @ApiPropertyOptional({ description: 'Only groups whose key starts with this (e.g. K80 or K80.1|)' })
  @IsOptional()
  @IsString()
  keyPrefix?: string;
}

export class FormatQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format: 'json' | 'csv' = 'json';
}
