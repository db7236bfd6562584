import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { CODE_TABLE_KINDS, CodeTableKind } from '../domain/code-table';

/** OpenAPI documentation of a region's code table (documentation class only). */
@ApiSchema({ description: "One of a region's loaded code tables" })
export class CodeTableInfoResponse {
  @ApiProperty({ example: '370300' })
  region!: string;

  @ApiProperty({ enum: CODE_TABLE_KINDS, example: 'diagnosis' })
  kind!: CodeTableKind;

  @ApiProperty({
    description: 'Where it was loaded from (a request or a file)',
    example: 'PUT /api/v1/regions/370300/code-tables/diagnosis',
  })
  source!: string;

  @ApiProperty({ description: 'sha256 of the text as loaded', example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' })
  contentHash!: string;

  @ApiProperty({ type: 'integer', description: 'Distinct codes in the table', example: 33324 })
  entries!: number;

  @ApiProperty({ format: 'date-time' })
  loadedAt!: string;
}
