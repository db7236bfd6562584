import { Body, Controller, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiExtraModels, ApiOperation, ApiParam, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Request } from 'express';
import { Allow, CurrentUser } from '../http/access.decorators';
import { actorOf, Principal } from '../domain/access';
import { badRequest } from '../domain/errors';
import { RECORD_KINDS } from '../domain/settlement/records';
import { ApiErrors } from '../http/error.response';
import { RECORD_BODY_MODELS, RecordsResponse } from './records.dto';
import { RecordsService } from './records.service';

@ApiTags('settlements')
@Controller('api/v1/settlement-records')
export class RecordsController {
  constructor(private readonly records: RecordsService) {}

  @Post(':kind')
  @Allow('agency')
  @ApiOperation({
    summary:
      'Record assessments, violations, revolvingFund advances or budgetActual spending for the annual settlement (a JSON array, or CSV with Content-Type text/csv); all or nothing',
  })
  @ApiConsumes('application/json', 'text/csv')
  @ApiParam({ name: 'kind', enum: RECORD_KINDS })
  @ApiExtraModels(...RECORD_BODY_MODELS)
  @ApiBody({
    description: 'A JSON array of records of the kind in the path (or CSV with these fields as its header)',
    schema: { type: 'array', items: { oneOf: RECORD_BODY_MODELS.map((m) => ({ $ref: getSchemaPath(m) })) } },
  })
  @ApiCreatedResponse({ type: RecordsResponse })
  @ApiErrors({
    400: `\`bad-kind\` (not one of ${RECORD_KINDS.join(', ')}), \`bad-body\` (not an array), \`bad-csv\`, malformed JSON`,
    413: 'the body or file is over the limit',
    415: 'the body or file is not UTF-8',
    422: '`invalid-records`: every problem by row and field; nothing stored',
  })
  async record(@Param('kind') kind: string, @Req() req: Request, @Body() body: unknown, @CurrentUser() p: Principal) {
    if (String(req.headers['content-type'] ?? '').includes('csv')) return this.records.recordCsv(kind, req, actorOf(p), p.region);
    if (!Array.isArray(body)) throw badRequest('bad-body', 'send a JSON array of records, or CSV with Content-Type text/csv');
    return this.records.record(kind, body, actorOf(p), p.region);
  }
}
