import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { HOSPITAL_BONUSES, HOSPITAL_LEVELS, HospitalBonus, HospitalLevel } from '../domain/hospital';

/**
 * OpenAPI documentation of the hospital bodies and answers. Documentation only: bodies are
 * checked by the domain's validateHospital (every problem by row and field, 422), not by Nest.
 */

/** The fields of a hospital but its code (the PUT body names it in the path). */
class HospitalFields {
  @ApiProperty({ minLength: 1, maxLength: 200, description: 'Required; at most 200 characters', example: '第一人民医院' })
  name!: string;

  @ApiProperty({
    pattern: '^\\d{6}$',
    description: 'The 6-digit region code; the first hospital of a region registers the region',
    example: '370300',
  })
  region!: string;

  @ApiProperty({
    enum: HOSPITAL_LEVELS,
    description:
      'Level, for the base coefficient (seed 001 基本系数): L3A_GENERAL 三级综合甲等, L3_OTHER, L2A_GENERAL, L2_OTHER, L1, TOWNSHIP_A 甲等镇卫生院, TOWNSHIP_OTHER',
    example: 'L3A_GENERAL',
  })
  level!: HospitalLevel;

  @ApiPropertyOptional({
    enum: HOSPITAL_BONUSES,
    isArray: true,
    description:
      'Bonus coefficients held (加成系数); default none. A "|"-separated string, as in CSV, is also accepted; repeats count once',
    example: ['keyDisciplineNational'],
  })
  bonuses?: HospitalBonus[];
}

@ApiSchema({ description: 'A hospital to register or update. No other field is accepted.' })
export class HospitalBody extends HospitalFields {
  @ApiProperty({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: '1–32 letters, digits, "-" or "_"', example: 'H001' })
  code!: string;
}

@ApiSchema({ description: 'One hospital, its code in the path. No other field is accepted.' })
export class HospitalPutBody extends HospitalFields {
  @ApiPropertyOptional({
    pattern: '^[A-Za-z0-9_-]{1,32}$',
    description: 'If given, the code of the path (400 `code-mismatch` otherwise)',
    example: 'H001',
  })
  code?: string;
}

export class HospitalResponse {
  @ApiProperty({ example: 'H001' })
  code!: string;

  @ApiProperty({ example: '第一人民医院' })
  name!: string;

  @ApiProperty({ example: '370300' })
  region!: string;

  @ApiProperty({ enum: HOSPITAL_LEVELS, example: 'L3A_GENERAL' })
  level!: HospitalLevel;

  @ApiProperty({ enum: HOSPITAL_BONUSES, isArray: true, description: 'In the order of seed 001', example: ['keyDisciplineNational'] })
  bonuses!: HospitalBonus[];
}

@ApiSchema({ description: 'What a registration did: all of the list or nothing (any bad row refuses the list with 422).' })
export class HospitalUpsertResponse {
  @ApiProperty({ type: 'integer', example: 2 })
  created!: number;

  @ApiProperty({ type: 'integer', example: 0 })
  updated!: number;

  @ApiProperty({ type: 'integer', example: 0 })
  unchanged!: number;
}
