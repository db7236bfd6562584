import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { TREATMENT_TYPES } from '../domain/codes';
import { HOSPITAL_LEVELS } from '../domain/hospital';

/**
 * OpenAPI documentation of the catalogue answers and of the exchange document
 * (docs/catalogue-format.md). Documentation classes only: an imported document is checked by
 * the domain's parseCatalogueJson (every problem by path, 422), not by Nest.
 */

export class CatalogueReferenceResponse {
  @ApiProperty({ enum: ['allCases', 'benchmark'] })
  type!: 'allCases' | 'benchmark';

  @ApiProperty({ type: String, description: 'The reference cost M, yuan, 2 dp', example: '8123.45' })
  cost!: string;
}

export class SeverityFactorsResponse {
  @ApiPropertyOptional({ type: String, description: 'Severity class 2 (4 dp)', example: '1.1250' })
  '2'?: string;

  @ApiPropertyOptional({ type: String, description: 'Severity class 3 (4 dp)', example: '1.3125' })
  '3'?: string;

  @ApiPropertyOptional({ type: String, description: 'Severity class 4 (4 dp)', example: '1.5000' })
  '4'?: string;
}

@ApiSchema({ description: 'A DIP group (病种) of a catalogue (spec §4). Decimals are strings.' })
export class CatalogueGroupResponse {
  @ApiProperty({
    description: 'Derived from the key: core K80.1-51.2300 (K80.1-CONS), composite Z-K80-S, Z-K80-K87-S, Z-ALL-S',
    example: 'K80.1-51.2300',
  })
  code!: string;

  @ApiProperty({
    description:
      'Core: the combination key `subcategory|procedures` (K80.1|51.2300, K80.1| conservative); composite: `<range>~<treatmentType>`',
    example: 'K80.1|51.2300',
  })
  key!: string;

  @ApiProperty({ enum: ['core', 'composite'] })
  kind!: 'core' | 'composite';

  @ApiProperty({ type: String, nullable: true, description: 'The category (K80); null for merged composite groups', example: 'K80' })
  category!: string | null;

  @ApiProperty({ enum: TREATMENT_TYPES, example: 'surgery' })
  treatmentType!: string;

  @ApiProperty({ type: [String], description: 'Key procedures of a core group; [] for composite', example: ['51.2300'] })
  procedures!: string[];

  @ApiProperty({ type: 'integer', description: 'Window cases in the group (before trimming)', example: 1234 })
  cases!: number;

  @ApiProperty({ type: String, description: 'Average cost, yuan, 2 dp', example: '23456.78' })
  avgCost!: string;

  @ApiProperty({ type: String, description: 'Score (分值), 4 dp', example: '2887.5432' })
  score!: string;

  @ApiProperty({
    type: () => SeverityFactorsResponse,
    description: 'Severity factors > 1 by class (core groups only)',
    example: { '3': '1.3125' },
  })
  auxiliary!: SeverityFactorsResponse;

  @ApiProperty({ enum: ['primaryCare', 'daySurgery', 'fixedScore'], isArray: true, example: ['daySurgery'] })
  flags!: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: `Average cost (2 dp) at each hospital level (${HOSPITAL_LEVELS.join(', ')}) with at least 15 kept window cases (spec §6.2 levelAverage); absent when none has`,
    example: { L3A_GENERAL: '25112.40' },
  })
  levelAvgCost?: Record<string, string>;
}

/** The figures of a catalogue: what the exchange document and GET /catalogs/:id share. */
class CatalogueFigures {
  @ApiProperty({ pattern: '^\\d{6}$', example: '370300' })
  region!: string;

  @ApiProperty({ type: 'integer', description: 'The settlement year', example: 2024 })
  year!: number;

  @ApiProperty({
    type: 'integer',
    isArray: true,
    description: 'The look-back years that had cases, ascending',
    example: [2021, 2022, 2023],
  })
  window!: number[];

  @ApiProperty({ type: () => CatalogueReferenceResponse })
  reference!: CatalogueReferenceResponse;

  @ApiProperty({ type: String, description: 'Yuan per point for cases without a score, 6 dp', example: '8.123450' })
  costPerPoint!: string;

  @ApiProperty({ type: String, description: 'Expected yuan per point (spec §4.9), 6 dp', example: '7.981234' })
  pvBudget!: string;
}

@ApiSchema({
  description:
    'A catalogue in the exchange format (docs/catalogue-format.md), as POST /api/v1/catalogs/import takes it. Every decimal is a string; an unknown key is refused; every problem is reported by path (422).',
})
export class CatalogueDocumentBody extends CatalogueFigures {
  @ApiPropertyOptional({ format: 'uuid', description: 'The version id of an exported file (ignored on import)' })
  id?: string;

  @ApiPropertyOptional({
    pattern: '^[0-9a-f]{64}$',
    description: 'sha256 of the content; when given it must match (422 `hash-mismatch`), without it the catalogue is imported unverified',
  })
  hash?: string;

  @ApiProperty({ type: () => [CatalogueGroupResponse], minItems: 1, description: 'Each key once' })
  groups!: CatalogueGroupResponse[];
}

@ApiSchema({ description: 'A catalogue version in the exchange format (docs/catalogue-format.md); it imports back to the same version.' })
export class CatalogueDocumentResponse extends CatalogueFigures {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ description: 'sha256 of the content' })
  hash!: string;

  @ApiProperty({ type: () => [CatalogueGroupResponse] })
  groups!: CatalogueGroupResponse[];
}

@ApiSchema({ description: 'A stored catalogue version (immutable) and whether it is the active one of its region and year.' })
export class CatalogueMetaResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: '370300' })
  region!: string;

  @ApiProperty({ type: 'integer', example: 2024 })
  year!: number;

  @ApiProperty({ description: 'sha256 of the content' })
  hash!: string;

  @ApiProperty({ type: String, nullable: true, description: 'The policy it was built with; null when imported' })
  policyHash!: string | null;

  @ApiProperty({ enum: ['build', 'import'] })
  source!: 'build' | 'import';

  @ApiProperty({ type: 'integer', example: 175 })
  coreGroups!: number;

  @ApiProperty({ type: 'integer', example: 367 })
  compositeGroups!: number;

  @ApiProperty({ example: 'api' })
  createdBy!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ description: 'The active catalogue of its region and year' })
  active!: boolean;

  @ApiProperty({
    description: 'Imported without its content hash: not activated nor used by a run until accepted (`?acceptUnverified=true`, audited)',
  })
  unverified!: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'Who accepted the unverified catalogue for use; null until then' })
  unverifiedAcceptedBy!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  unverifiedAcceptedAt!: string | null;
}

export class CatalogueListItemResponse extends CatalogueMetaResponse {
  @ApiProperty({ type: 'integer', description: 'coreGroups + compositeGroups' })
  groups!: number;
}

export class CatalogueGroupsPageResponse {
  @ApiProperty({ type: 'integer', description: 'Groups matching the filter in all' })
  total!: number;

  @ApiProperty({ type: 'integer', example: 0 })
  offset!: number;

  @ApiProperty({ type: () => [CatalogueGroupResponse], description: 'In key order' })
  items!: CatalogueGroupResponse[];
}

@ApiSchema({ description: 'A catalogue version: what it is, its figures and a page of its groups.' })
export class CatalogueResponse extends CatalogueMetaResponse {
  @ApiProperty({ type: 'integer', isArray: true, example: [2021, 2022, 2023] })
  window!: number[];

  @ApiProperty({ type: () => CatalogueReferenceResponse })
  reference!: CatalogueReferenceResponse;

  @ApiProperty({ type: String, description: '6 dp', example: '8.123450' })
  costPerPoint!: string;

  @ApiProperty({ type: String, description: '6 dp', example: '7.981234' })
  pvBudget!: string;

  @ApiProperty({ type: () => CatalogueGroupsPageResponse })
  groups!: CatalogueGroupsPageResponse;
}

@ApiSchema({ description: 'An official catalogue stored (or found already stored: `created` false).' })
export class CatalogueImportResponse {
  @ApiProperty({ format: 'uuid' })
  catalogueId!: string;

  @ApiProperty({ description: 'false: the same content was stored already (its version is returned)' })
  created!: boolean;

  @ApiProperty({ description: 'sha256 of the content' })
  hash!: string;

  @ApiProperty({ type: 'integer', description: 'Groups in the catalogue' })
  groups!: number;

  @ApiProperty({ description: 'Stored without a hash: refused for activation and runs (409 `unverified-catalogue`) until accepted' })
  unverified!: boolean;

  @ApiProperty({ description: "An unverified catalogue accepted for use (by this import's `acceptUnverified=true`, or before)" })
  accepted!: boolean;
}
