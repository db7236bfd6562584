import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI documentation of GET /health (documentation class only). */
export class HealthResponse {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';

  @ApiProperty({ enum: ['mysql', 'sqlite'], description: 'The database engine, which answered' })
  database!: string;
}
