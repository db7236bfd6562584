import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import {
  DISCHARGE_MODES,
  DischargeMode,
  EARLIEST_ADMISSION,
  MAX_DEPARTMENT_CHARS,
  MAX_ID_CHARS,
  MAX_LIST_CODES,
  Pool,
  POOLS,
  Sex,
  SEXES,
} from '../domain/case-record';

/** Plain decimal yuan, at most 2 decimals, no sign, exponent or thousands separator. */
const MONEY = '^\\d+(\\.\\d{0,2})?$';
const MONEY_RULE = 'Yuan as a decimal string ("1234.5", "1234.50"), never a JSON number (money never passes through a binary float)';

/**
 * OpenAPI documentation of one case of `POST /api/v1/cases` (spec §2), field by field: the
 * fields of CASE_FIELDS with the rules of domain/case-record.ts validateCase. Documentation
 * only: the service checks every case with validateCase and reports each bad one with its
 * index, field and reason; nothing here validates.
 */
@ApiSchema({
  description:
    'One inpatient case (spec §2). Every rule is checked and every broken one reported with the element index, field and reason; an unknown field is refused. Whole numbers may also be given as strings of digits, flags as "true"/"false"/"1"/"0".',
})
export class CaseBody {
  @ApiProperty({
    minLength: 1,
    maxLength: MAX_ID_CHARS,
    description: `1–${MAX_ID_CHARS} printable characters, not beginning or ending with a space; unique in the region (a re-import with the same content is skipped, with other content an error unless replace=true)`,
    example: 'ZY2024030001',
  })
  caseId!: string;

  @ApiProperty({ description: 'Code of a registered hospital; the case belongs to its region', example: 'H001' })
  hospitalCode!: string;

  @ApiProperty({ enum: POOLS, description: 'Insurance pool: 职工 employee or 居民 resident', example: 'employee' })
  pool!: Pool;

  @ApiProperty({
    maxLength: MAX_ID_CHARS,
    description: `Patient pseudonym: at most ${MAX_ID_CHARS} printable characters (no control characters); never logged, audited or quoted in an error`,
    example: 'P0001',
  })
  patientId!: string;

  @ApiProperty({ enum: SEXES, example: 'M' })
  sex!: Sex;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 150, description: 'Age in years', example: 54 })
  age!: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 365,
    nullable: true,
    description: 'Age in days; required when age is 0',
    example: null,
  })
  ageDays?: number | null;

  @ApiProperty({ format: 'date', description: `YYYY-MM-DD, a calendar date, not before ${EARLIEST_ADMISSION}`, example: '2024-03-01' })
  admissionDate!: string;

  @ApiProperty({
    format: 'date',
    description: 'YYYY-MM-DD, not before admissionDate and not in the future (China time); its month is the settlement month',
    example: '2024-03-08',
  })
  dischargeDate!: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 36600,
    nullable: true,
    description: 'Length of stay in days; default: from the dates; if given, it must agree with them (a same-day stay may say 1)',
    example: 7,
  })
  losDays?: number | null;

  @ApiProperty({
    enum: DISCHARGE_MODES,
    description:
      "离院方式: 1 doctor's order, 2 transfer to hospital, 3 transfer to community, 4 against advice, 5 death, 9 other (the number 1 is also accepted)",
    example: '1',
  })
  dischargeMode!: DischargeMode;

  @ApiProperty({
    description: "ICD-10 医保版 2.0 diagnosis code; in the region's diagnosis table when one is loaded",
    example: 'K80.100',
  })
  principalDiagnosis!: string;

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_LIST_CODES,
    description: `At most ${MAX_LIST_CODES} ICD-10 医保版 diagnosis codes (a "|"-separated string is also accepted); default none`,
    example: ['I10.x00', 'E11.900'],
  })
  secondaryDiagnoses?: string[];

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'ICD-9-CM-3 医保版 procedure code; default none',
    example: '51.2300',
  })
  principalProcedure?: string | null;

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_LIST_CODES,
    description: `At most ${MAX_LIST_CODES} ICD-9-CM-3 procedure codes (a "|"-separated string is also accepted); default none`,
    example: [],
  })
  otherProcedures?: string[];

  @ApiProperty({ type: String, pattern: MONEY, description: `Total cost (医疗总费用). ${MONEY_RULE}`, example: '23456.78' })
  totalCost!: string;

  @ApiProperty({
    type: String,
    pattern: MONEY,
    description: `Fund payment (统筹基金支付, the DIP fund's part), at most totalCost. ${MONEY_RULE}`,
    example: '16000.00',
  })
  fundPayment!: string;

  @ApiPropertyOptional({
    type: String,
    pattern: MONEY,
    description: `Out-of-catalogue self-pay (目录外全自费), at most totalCost − fundPayment; default "0.00". ${MONEY_RULE}`,
    example: '0.00',
  })
  outOfCatalogSelfPay?: string;

  @ApiPropertyOptional({ type: Boolean, default: false, description: 'A day-surgery case (日间手术)' })
  daySurgery?: boolean;

  @ApiPropertyOptional({ type: Boolean, default: false, description: 'An external expert operated (外聘专家)' })
  externalExpert?: boolean;

  @ApiPropertyOptional({ type: Boolean, default: false, description: 'A new technology or drug was used (for special-case eligibility)' })
  newTechnology?: boolean;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: MAX_DEPARTMENT_CHARS,
    description: `The department (科室) that discharged the case: a code or a name, at most ${MAX_DEPARTMENT_CHARS} printable characters, trimmed; empty or absent: none. Shown in the hospital's views (GET /api/v1/hospitals/{code}/departments)`,
    example: '普外科',
  })
  department?: string | null;
}
