import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** The largest offset a listing takes: beyond it a number is no longer an exact SQL integer on both engines (a 400, not a 500). */
export const MAX_OFFSET = 2_147_483_647;

/** `?offset=` of every paged listing. */
export class Offset {
  @ApiPropertyOptional({ type: 'integer', default: 0, minimum: 0, maximum: MAX_OFFSET })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET)
  offset = 0;
}

/** `?offset=&limit=` of the paged listings of catalogue groups and case results. */
export class Page extends Offset {
  @ApiPropertyOptional({ type: 'integer', default: 100, minimum: 1, maximum: 5000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  limit = 100;
}
