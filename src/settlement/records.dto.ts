import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { POOLS } from '../domain/case-record';
import { BUDGET_LINES } from '../domain/policy';
import { RECORD_KINDS } from '../domain/settlement/records';

/**
 * OpenAPI documentation of the agency's records for the annual settlement
 * (`POST /api/v1/settlement-records/:kind`). Documentation only: records are checked by the
 * domain's validateRecord (a batch all or nothing; every problem by row and field, 422).
 */

const MONEY_PATTERN = '^\\d+(\\.\\d{0,2})?$';
const YEAR = {
  type: 'integer',
  minimum: 1900,
  maximum: 9999,
  description: 'The settlement year (also a string of 4 digits)',
  example: 2024,
} as const;

@ApiSchema({ description: "kind assessment: replaces the hospital's assessment score for the year" })
export class AssessmentRecordBody {
  @ApiProperty(YEAR)
  year!: number;

  @ApiProperty({ maxLength: 32, example: 'H001' })
  hospitalCode!: string;

  @ApiProperty({ type: String, description: 'From 0 to 1, at most 4 decimals', example: '0.9500' })
  score!: string;
}

@ApiSchema({ description: "kind revolvingFund: replaces the hospital's advance (周转金)" })
export class RevolvingFundRecordBody {
  @ApiProperty(YEAR)
  year!: number;

  @ApiProperty({ enum: POOLS })
  pool!: string;

  @ApiProperty({ maxLength: 32, example: 'H001' })
  hospitalCode!: string;

  @ApiProperty({ type: String, pattern: MONEY_PATTERN, description: 'Yuan, at most 2 decimals, a string', example: '1234.50' })
  amount!: string;
}

/** A violation is an amount of a hospital's pool, like a revolving fund, with its reason. */
@ApiSchema({ description: 'kind violation: adds a deduction' })
export class ViolationRecordBody extends RevolvingFundRecordBody {
  @ApiProperty({ maxLength: 500, example: '分解住院' })
  reason!: string;
}

@ApiSchema({ description: "kind budgetActual: replaces a budget line's actual spending (for the year-end reserve, spec §8.1)" })
export class BudgetActualRecordBody {
  @ApiProperty({ pattern: '^\\d{6}$', example: '370300' })
  region!: string;

  @ApiProperty(YEAR)
  year!: number;

  @ApiProperty({ enum: POOLS })
  pool!: string;

  @ApiProperty({ enum: BUDGET_LINES })
  line!: string;

  @ApiProperty({ type: String, pattern: MONEY_PATTERN, description: 'Yuan, at most 2 decimals, a string', example: '1234.50' })
  amount!: string;
}

export class RecordsResponse {
  @ApiProperty({ enum: RECORD_KINDS })
  kind!: string;

  @ApiProperty({ type: 'integer', description: 'Records stored (all of the batch)', example: 12 })
  recorded!: number;
}

export const RECORD_BODY_MODELS = [AssessmentRecordBody, ViolationRecordBody, RevolvingFundRecordBody, BudgetActualRecordBody];
