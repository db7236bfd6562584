import { Body, Controller, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { badRequest } from '../domain/errors';
import { RecordsService } from './records.service';

@ApiTags('settlements')
@Controller('api/v1/settlement-records')
export class RecordsController {
  constructor(private readonly records: RecordsService) {}

  @Post(':kind')
  @ApiOperation({
    summary:
      'Record assessments, violations, revolvingFund advances or budgetActual spending for the annual settlement (a JSON array, or CSV with Content-Type text/csv); all or nothing',
  })
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody({ schema: { type: 'array', items: { type: 'object' } } })
  async record(@Param('kind') kind: string, @Req() req: Request, @Body() body: unknown) {
    if (String(req.headers['content-type'] ?? '').includes('csv')) return this.records.recordCsv(kind, req, 'api');
    if (!Array.isArray(body)) throw badRequest('bad-body', 'send a JSON array of records, or CSV with Content-Type text/csv');
    return this.records.record(kind, body, 'api');
  }
}
