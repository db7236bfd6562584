import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';

export class StartSettlementRequest {
  @ApiProperty({ example: '370300' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'region must be a 6-digit region code' })
  region!: string;

  @ApiProperty({ enum: ['month'], example: 'month', description: 'month: pre-settlement (spec §8.3)' })
  @IsIn(['month'], { message: 'kind must be month (the annual settlement is not built yet)' })
  kind!: 'month';

  @ApiProperty({ example: '2024-03' })
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'period must be a month like 2024-03' })
  period!: string;
}

export class ReportQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format: 'json' | 'csv' = 'json';
}
