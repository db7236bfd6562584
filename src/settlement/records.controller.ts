import { BadRequestException, Body, Controller, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { RECORD_KINDS, RecordKind } from '../domain/settlement/records';
import { recordRowsOfCsv, RecordsService } from './records.service';

@ApiTags('settlements')
@Controller('api/v1/settlement-records')
export class RecordsController {
  constructor(private readonly records: RecordsService) {}

  @Post(':kind')
  @ApiOperation({ summary: 'Record assessments, violations, revolvingFund advances or budgetActual spending for the annual settlement (a JSON array, or CSV with Content-Type text/csv); all or nothing' })
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody({ schema: { type: 'array', items: { type: 'object' } } })
  async record(@Param('kind') kind: string, @Req() req: Request, @Body() body: unknown) {
    if (!(RECORD_KINDS as readonly string[]).includes(kind)) throw new BadRequestException({ error: 'bad-kind', message: `kind must be one of ${RECORD_KINDS.join(', ')}` });
    if (String(req.headers['content-type'] ?? '').includes('csv')) {
      let text = '';
      for await (const chunk of req) text += String(chunk);
      return this.records.record(kind as RecordKind, recordRowsOfCsv(text), 'api', 2);
    }
    if (!Array.isArray(body)) throw new BadRequestException({ error: 'bad-body', message: 'send a JSON array of records, or CSV with Content-Type text/csv' });
    return this.records.record(kind as RecordKind, body as Record<string, unknown>[], 'api');
  }
}
