import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Offset } from '../http/paging';
import { IsBooleanString, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

export class CaseImportQuery {
  @ApiPropertyOptional({ enum: ['csv', 'jsonl'], description: 'Defaults from Content-Type (text/csv, application/x-ndjson).' })
  @IsOptional()
  @IsIn(['csv', 'jsonl'])
  format?: 'csv' | 'jsonl';

  @ApiPropertyOptional({ enum: ['default', 'atomic'], description: '`atomic`: any bad row stores nothing.' })
  @IsOptional()
  @IsIn(['default', 'atomic'])
  mode?: 'default' | 'atomic';

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Overwrite stored cases whose content differs (audited).' })
  @IsOptional()
  @IsBooleanString()
  replace?: string;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'Answer 202 once the upload is received; follow progress at /api/v1/imports/:id.',
  })
  @IsOptional()
  @IsBooleanString()
  async?: string;
}

export class CaseArrayQuery {
  @ApiPropertyOptional({ enum: ['default', 'atomic'] })
  @IsOptional()
  @IsIn(['default', 'atomic'])
  mode?: 'default' | 'atomic';

  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @IsBooleanString()
  replace?: string;
}

/** `?offset=&limit=` of an import's rejections (larger pages than the other listings). */
export class PageQuery extends Offset {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 10000, default: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  limit = 1000;
}

export class ListQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 50;
}
