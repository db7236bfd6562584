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

/** A settlement period named in a path (a lock's). */
export class SettlementPeriodParams extends StartSettlementRequest {}

class LockHolder {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The process (liveness registry id); null when none is registered: it is gone',
  })
  processId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'dip-app-1' })
  host!: string | null;
  @ApiProperty({ type: Number, nullable: true, example: 4242 })
  pid!: number | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: "The process's last heartbeat" })
  lastBeat!: string | null;
}

export class SettlementLockResponse {
  @ApiProperty({ example: '370300' })
  region!: string;
  @ApiProperty({ enum: ['month', 'year'] })
  kind!: 'month' | 'year';
  @ApiProperty({ example: '2024-03' })
  period!: string;
  @ApiProperty({ format: 'uuid', description: 'The run that holds the period' })
  runId!: string;
  @ApiProperty({ format: 'date-time', description: "The run's last progress beat" })
  heartbeatAt!: string;
  @ApiProperty({ type: LockHolder })
  holder!: LockHolder;
}
