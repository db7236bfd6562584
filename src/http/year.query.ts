import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** `?year=` of the listings of a region's year (settlement runs, catalogue versions); left out, the listing says what it takes instead. */
export class OptionalYearQuery {
  @ApiPropertyOptional({ type: 'integer', example: 2024 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1998)
  @Max(2999)
  year?: number;
}
