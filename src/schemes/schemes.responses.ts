import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { SCHEME_IDS } from '../domain/schemes/scheme';

/** OpenAPI documentation of the schemes' bodies and answers (documentation only: the domain reads them). */

@ApiSchema({
  description:
    "A scheme's policy for a region and year: `scheme`, `region`, `year`, `name` and the scheme's parameters, decimals as strings (catalogs/schemes/<scheme>/*.json)",
})
export class SchemePolicyBody {
  @ApiProperty({ enum: SCHEME_IDS })
  scheme!: string;

  @ApiProperty({ pattern: '^\\d{6}$', example: '441502' })
  region!: string;

  @ApiProperty({ type: 'integer', example: 2024 })
  year!: number;

  @ApiProperty({ example: 'Shanwei 城区 medical group 2024' })
  name!: string;
}

@ApiSchema({
  description:
    "One row of an input table: the table's columns (GET /api/v1/schemes), money and ratios as strings; counts, years and months as strings or whole numbers; flags true/false",
})
export class SchemeInputRowBody {}

class ColumnResponse {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['code', 'text', 'money', 'signedMoney', 'ratio', 'score', 'count', 'year', 'month', 'flag'] }) kind!: string;
  @ApiProperty() required!: boolean;
  @ApiProperty() description!: string;
}

class InputTableResponse {
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ type: [ColumnResponse] }) columns!: ColumnResponse[];
  @ApiProperty({ type: [String], description: 'The columns that identify a row' }) key!: string[];
  @ApiProperty({ description: 'A run without it is refused (`missing-input`)' }) required!: boolean;
}

export class SchemeDefinitionResponse {
  @ApiProperty({ enum: SCHEME_IDS }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ example: '002 (Shanwei)' }) seed!: string;
  @ApiProperty({ type: [InputTableResponse] }) tables!: InputTableResponse[];
}

export class PolicyGivenResponse {
  @ApiProperty({ description: 'sha256 of the canonical JSON' }) hash!: string;
  @ApiProperty({ type: SchemePolicyBody }) policy!: SchemePolicyBody;
}

export class StoredInputResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() table!: string;
  @ApiProperty({ description: 'sha256 of the rows as read (the same for the same table as CSV or JSON)' }) sha256!: string;
  @ApiProperty({ type: 'integer' }) rows!: number;
  @ApiProperty({ enum: ['csv', 'json'] }) source!: string;
  @ApiProperty() importedBy!: string;
  @ApiProperty({ format: 'date-time' }) importedAt!: string;
}

export class ImportedInputResponse extends StoredInputResponse {
  @ApiProperty({ type: String, nullable: true, description: 'The import this one supersedes' }) replaced!: string | null;
}

class UsedInputResponse {
  @ApiProperty() table!: string;
  @ApiProperty({ format: 'uuid' }) inputId!: string;
  @ApiProperty() sha256!: string;
  @ApiProperty({ type: 'integer' }) rows!: number;
}

export class SchemeRunHeadResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: SCHEME_IDS }) scheme!: string;
  @ApiProperty() region!: string;
  @ApiProperty({ type: 'integer' }) year!: number;
  @ApiProperty({ enum: ['draft', 'final'] }) status!: string;
  @ApiProperty() policyHash!: string;
  @ApiProperty({ type: [UsedInputResponse] }) inputs!: UsedInputResponse[];
  @ApiProperty({ description: 'sha256 of the policy hash and every input hash: the same value, the same figures' }) inputsHash!: string;
  @ApiProperty() createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, nullable: true }) finalisedBy!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) finalisedAt!: string | null;
}

class ReportRunResponse extends SchemeRunHeadResponse {
  @ApiProperty() title!: string;
  @ApiProperty() seed!: string;
}

class ProviderResponse {
  @ApiProperty() provider!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: [String], description: 'The hospital codes whose users may read the row' }) visibleTo!: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: "Every figure of the unit, by the scheme's names (docs/schemes.md); money as 2-dp strings",
  })
  figures!: Record<string, unknown>;
}

export class SchemeReportResponse {
  @ApiProperty({ type: ReportRunResponse }) run!: ReportRunResponse;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: "The region's figures (totals, the budget tree); null for a hospital user",
  })
  region!: Record<string, unknown> | null;
  @ApiProperty({ type: [ProviderResponse] }) providers!: ProviderResponse[];
}

export class PersonFiguresResponse {
  @ApiProperty() provider!: string;
  @ApiProperty({ description: "The person's pseudonym" }) person!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: "Every per-person figure, by the scheme's names" })
  figures!: Record<string, unknown>;
}

export class SchemeRunStartedResponse {
  @ApiProperty({ format: 'uuid', description: "The run's id, also its job's" }) id!: string;
  @ApiProperty({ enum: ['running'] }) status!: string;
  @ApiProperty({ example: '/api/v1/jobs/5f2b8c1e-8a0e-4d8c-9a3f-0b1c2d3e4f50' }) statusUrl!: string;
  @ApiProperty({ example: '/api/v1/schemes/runs/5f2b8c1e-8a0e-4d8c-9a3f-0b1c2d3e4f50' }) runUrl!: string;
}

export class WithdrawnInputResponse {
  @ApiProperty() table!: string;
  @ApiProperty({ format: 'uuid', description: 'The import withdrawn (still stored; the runs that used it name it)' }) withdrawn!: string;
}
