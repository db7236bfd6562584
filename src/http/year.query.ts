import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** `?year=` of the listings of a region's year (settlement runs, catalogue versions). */
export class YearQuery {
  @ApiProperty({ type: 'integer', example: 2024 })
  @Type(() => Number)
  @IsInt()
  @Min(1998)
  @Max(2999)
  year!: number;
}

/** `?year=` where it may be left out (the listing then says what it takes instead). */
export class OptionalYearQuery {
  @ApiPropertyOptional({ type: 'integer', example: 2024 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1998)
  @Max(2999)
  year?: number;
}
