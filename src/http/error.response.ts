import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, ApiSchema } from '@nestjs/swagger';
import { INTERNAL } from '../domain/errors';

/**
 * OpenAPI documentation of the one error model (domain/errors.ts) as it leaves over HTTP
 * (http/error.filter.ts). Documentation only: nothing here validates or builds a body.
 */

@ApiSchema({ description: 'One thing wrong, as precisely as it can be located.' })
export class ProblemResponse {
  @ApiPropertyOptional({ type: 'integer', description: '1-based line of a file', example: 3 })
  line?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'Index of an element of a JSON array, or row of a table', example: 0 })
  row?: number;

  @ApiPropertyOptional({ description: 'Path inside a JSON document ("" for the top)', example: 'groups[3].score' })
  path?: string;

  @ApiPropertyOptional({ description: 'The field at fault; "*" for the row or file as a whole', example: 'totalCost' })
  field?: string;

  @ApiProperty({ example: 'must not be negative; got "-1.00"' })
  reason!: string;
}

@ApiSchema({
  description:
    "Every HTTP error: a stable machine-readable code in `error` (a DipError's code, or for Nest's and the body parser's own refusals the status: `bad-request`, `not-found`, `too-large`, `encoding`, …), a sentence, and the problems that made it.",
})
export class ErrorResponse {
  @ApiProperty({ type: 'integer', description: 'The HTTP status again', example: 404 })
  statusCode!: number;

  @ApiProperty({ description: 'Stable machine-readable code (no-policy, unknown-catalogue, finalised, …)', example: 'unknown-catalogue' })
  error!: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    description: "A sentence; the request validation's refusals (400) give one sentence per broken rule",
    example: 'no catalogue 0b9c5e9e-2f55-4c39-9d0e-2a4d6d1f1a10',
  })
  message!: string | string[];

  @ApiPropertyOptional({ type: () => [ProblemResponse], description: 'Each problem with where and why (bad rows, fields, policy paths)' })
  problems?: ProblemResponse[];

  @ApiPropertyOptional({ type: 'integer', description: 'Where in a file a whole-file refusal was found (1-based)' })
  line?: number;
}

@ApiSchema({
  description:
    "A refusal as a job's or an import's record keeps it (`GET /jobs/:id`, an import report's `error`): the same model with `code`.",
})
export class ErrorBodyResponse {
  @ApiProperty({ description: 'Stable machine-readable code', example: 'no-policy' })
  code!: string;

  @ApiProperty({ example: 'region 370300 has no policy for 2024' })
  message!: string;

  @ApiPropertyOptional({ type: () => [ProblemResponse] })
  problems?: ProblemResponse[];

  @ApiPropertyOptional({ type: 'integer', description: 'Where in a file a whole-file refusal was found (1-based)' })
  line?: number;
}

/** The statuses an error leaves with: those of the kinds (error.filter.ts), and 500 for a bug. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 500 | 503;

/**
 * What each status means wherever it is answered; a route adds what it means there (the codes it
 * answers with). The kinds of DipError give 400–415, 422 and 503 (error.filter.ts, STATUS_OF_KIND).
 */
const MEANING: Record<ErrorStatus, string> = {
  400: 'Malformed request (a bad parameter, query or body)',
  401: 'No valid bearer token (`unauthenticated`: none, expired, tampered or revoked)',
  403: "The user's role or scope does not allow it (`forbidden`)",
  404: 'Not found',
  409: 'Refused by the state of the data',
  413: 'Over the size limit',
  415: 'Not UTF-8',
  422: 'Not acceptable; `problems` say where and why',
  500: `A bug (\`${INTERNAL.code}\`, logged, its text not shown); nothing was stored`,
  503: 'A service the work needs does not answer',
};

/**
 * Documents a route's error responses, every one with the shared `ErrorResponse` body: the
 * statuses it can answer with, each with what it means on this route (the codes). A 500
 * (`internal`) is added to every route unless given; `false` leaves a status to the route's
 * own decorator (one answered with another body, such as an import report).
 *
 * `@ApiErrors({ 400: 'the id is not a UUID', 404: '`unknown-job`' })`
 */
export function ApiErrors(errors: Partial<Record<ErrorStatus, string | false>>): MethodDecorator & ClassDecorator {
  const all: Partial<Record<ErrorStatus, string | false>> = { 500: '', ...errors };
  return applyDecorators(
    ApiExtraModels(ErrorResponse),
    ...(Object.entries(all) as [string, string | false | undefined][]).flatMap(([key, text]) => {
      if (text === false || text === undefined) return [];
      const status = Number(key) as ErrorStatus;
      return [ApiResponse({ status, description: text ? `${MEANING[status]}: ${text}` : MEANING[status], type: ErrorResponse })];
    }),
  );
}
