import { Body, Controller, HttpCode, HttpStatus, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiQuery, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { Principal } from '../domain/access';
import { Allow, CurrentUser } from '../http/access.decorators';
import type { Response } from 'express';
import { MAX_CASES_PER_REQUEST } from '../cases/case-import.service';
import { badRequest } from '../domain/errors';
import { ApiErrors } from '../http/error.response';
import { ProjectionCaseBody } from './projections.dto';
import { ProjectionBatchResponse, ProjectionResponse } from './projections.responses';
import { ProjectionsService } from './projections.service';

/**
 * What a case will be worth before settlement (issue 12). Nothing is stored.
 *
 * Agency users project cases of their region, hospital users their own hospital's (the
 * alternatives above all); ProjectionsService checks the scope.
 */
@ApiTags('projections')
@Controller('api/v1/projections')
export class ProjectionsController {
  constructor(private readonly projections: ProjectionsService) {}

  @Post()
  @Allow('agency', 'hospital')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary:
      "Project one case: its group, the rule that placed it, score, factors, outlier class, points, and the estimated payment at the latest point value of its pool; with alternatives=true, the other groups its principal diagnosis can reach with other coded procedures, each with this case's points",
  })
  @ApiBody({ type: ProjectionCaseBody })
  @ApiQuery({
    name: 'alternatives',
    required: false,
    enum: ['true', 'false'],
    description:
      'Also list the other groups the principal diagnosis can reach with other coded procedures, each with its points for this case',
  })
  @ApiOkResponse({ type: ProjectionResponse })
  @ApiErrors({
    400: '`not-an-object`, `bad-query` (alternatives other than true or false), malformed JSON',
    404: "`no-active-catalogue` (the region has none for the case's discharge year), `no-policy`",
    413: 'the JSON body is over the limit',
    415: 'the JSON body is not UTF-8',
    422: '`invalid-case`: every broken rule in `problems` (field, reason), as an import reports it; `invalid-catalogue`',
  })
  async project(
    @Body() body: unknown,
    @Res() res: Response,
    @CurrentUser() p: Principal,
    @Query('alternatives') alternatives?: string,
  ): Promise<void> {
    // Read as a plain string, not through a query class: this route is on the hot path, and
    // class-transformer and class-validator cost more than the rest of a projection's checks.
    if (alternatives !== undefined && alternatives !== 'true' && alternatives !== 'false')
      throw badRequest('bad-query', `alternatives must be true or false; got ${JSON.stringify(alternatives.slice(0, 40))}`);
    json(res, await this.projections.project(body, { alternatives: alternatives === 'true', principal: p }));
  }

  @Post('batch')
  @Allow('agency', 'hospital')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: `Project up to ${MAX_CASES_PER_REQUEST} cases given as a JSON array (on the worker pool): one projection or its errors (field, reason) per case, in order`,
  })
  @ApiExtraModels(ProjectionCaseBody)
  @ApiBody({
    schema: { type: 'array', minItems: 1, maxItems: MAX_CASES_PER_REQUEST, items: { $ref: getSchemaPath(ProjectionCaseBody) } },
  })
  @ApiOkResponse({ type: ProjectionBatchResponse })
  @ApiErrors({
    400: '`not-an-array`, `empty`, malformed JSON',
    404: '`no-policy`',
    413: `\`too-many-cases\` (more than ${MAX_CASES_PER_REQUEST}), or the body is over the limit`,
    415: 'the JSON body is not UTF-8',
    422: '`invalid-catalogue`',
  })
  async batch(@Body() body: unknown, @Res() res: Response, @CurrentUser() p: Principal): Promise<void> {
    if (!Array.isArray(body)) throw badRequest('not-an-array', 'expected a JSON array of cases');
    json(res, await this.projections.projectBatch(body, p));
  }
}

/**
 * 200 with a JSON body, written directly: express's `res.json` would also hash the whole body
 * for an ETag (6 MB for a batch of 10,000), of no use in the answer to a POST. Errors are thrown
 * before anything is written and leave through the error filter as everywhere.
 */
function json(res: Response, body: unknown): void {
  res.status(HttpStatus.OK).setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}
