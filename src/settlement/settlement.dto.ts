import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { PERIOD_PATTERN } from '../domain/periods';

export class StartSettlementRequest {
  @ApiProperty({ example: '370300' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'region must be a 6-digit region code' })
  region!: string;

  @ApiProperty({
    enum: ['month', 'year'],
    example: 'month',
    description: 'month: pre-settlement (spec §8.3); year: annual settlement and clearing (§8.4)',
  })
  @IsIn(['month', 'year'], { message: 'kind must be month or year' })
  kind!: 'month' | 'year';

  @ApiProperty({ example: '2024-03', description: 'A month (2024-03) for kind month, a year (2024) for kind year' })
  @Matches(PERIOD_PATTERN, { message: 'period must be a month like 2024-03 or a year like 2024' })
  period!: string;
}

export class ReportQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv', 'xlsx'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv', 'xlsx'])
  format: 'json' | 'csv' | 'xlsx' = 'json';
}
