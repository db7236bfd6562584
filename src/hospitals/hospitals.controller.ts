import { Body, Controller, Get, Param, Post, Put, Query, Req } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { badRequest, notFound } from '../domain/errors';
import { actorOf, Principal, seesHospital } from '../domain/access';
import { Hospital } from '../domain/hospital';
import { Allow, CurrentUser } from '../http/access.decorators';
import { ApiErrors } from '../http/error.response';
import { HospitalBody, HospitalPutBody, HospitalResponse, HospitalUpsertResponse } from './hospitals.dto';
import { HospitalSummariesResponse, HospitalViewQuery } from './hospital-view.dto';
import { HospitalViewService } from './hospital-view.service';
import { HospitalsService, HospitalUpsertResult } from './hospitals.service';

@ApiTags('hospitals')
@Controller('api/v1/hospitals')
export class HospitalsController {
  constructor(
    private readonly hospitals: HospitalsService,
    private readonly views: HospitalViewService,
  ) {}

  @Get()
  @Allow('agency', 'hospital')
  @ApiOperation({ summary: "The hospitals of the user's region (a hospital user: its own)" })
  @ApiOkResponse({ type: [HospitalResponse] })
  @ApiErrors({})
  async list(@CurrentUser() p: Principal): Promise<Hospital[]> {
    return (await this.hospitals.list(p.region)).filter((h) => seesHospital(p, h.code, h.region));
  }

  // Before ':code', so that Express matches it first.
  @Get('summaries')
  @Allow('agency')
  @ApiOperation({
    summary:
      "Every hospital of the agency's region with settled cases in a month (or a year's settled months so far): each one's summary with the region's figures beside it",
  })
  @ApiOkResponse({ type: HospitalSummariesResponse })
  @ApiErrors({
    400: 'a bad period',
    404: '`no-settlement` (the region has no monthly settlement run in the period)',
    409: '`settlement-changing`',
  })
  summaries(@Query() q: HospitalViewQuery, @CurrentUser() p: Principal) {
    return this.views.summaries(p, q.period);
  }

  @Get(':code')
  @Allow('agency', 'hospital')
  @ApiOperation({ summary: "One registered hospital of the user's scope" })
  @ApiOkResponse({ type: HospitalResponse })
  @ApiErrors({ 404: '`unknown-hospital` (or outside the scope)' })
  async get(@Param('code') code: string, @CurrentUser() p: Principal): Promise<Hospital> {
    const h = await this.hospitals.get(code);
    if (!h || !seesHospital(p, h.code, h.region)) throw notFound('unknown-hospital', `no hospital ${code}`);
    return h;
  }

  @Post()
  @Allow('agency')
  @ApiOperation({ summary: 'Register or update hospitals: one object or an array of {code, name, region, level, bonuses[]}' })
  @ApiExtraModels(HospitalBody)
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(HospitalBody) }, { type: 'array', items: { $ref: getSchemaPath(HospitalBody) } }] } })
  @ApiCreatedResponse({ type: HospitalUpsertResponse })
  @ApiErrors({
    400: '`bad-body` (not an object or array), malformed JSON',
    413: 'the JSON body is over the limit',
    415: 'the JSON body is not UTF-8',
    422: '`invalid-hospitals`: every problem by row and field; nothing stored',
  })
  upsert(@Body() body: unknown, @CurrentUser() p: Principal): Promise<HospitalUpsertResult> {
    if (typeof body !== 'object' || body === null) throw badRequest('bad-body', 'expected hospital objects');
    return this.hospitals.upsert(Array.isArray(body) ? body : [body], actorOf(p), p.region);
  }

  @Put(':code')
  @Allow('agency')
  @ApiOperation({ summary: 'Register or update one hospital' })
  @ApiBody({ type: HospitalPutBody })
  @ApiOkResponse({ type: HospitalUpsertResponse })
  @ApiErrors({
    400: '`bad-body`, `code-mismatch` (the body names another code), malformed JSON',
    413: 'the JSON body is over the limit',
    415: 'the JSON body is not UTF-8',
    422: '`invalid-hospitals`: every problem by field; nothing stored',
  })
  put(@Param('code') code: string, @Body() body: Record<string, unknown>, @CurrentUser() p: Principal): Promise<HospitalUpsertResult> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('bad-body', 'expected one hospital object');
    if (body.code !== undefined && body.code !== code)
      throw badRequest('code-mismatch', `body code "${String(body.code)}" differs from the path "${code}"`);
    return this.hospitals.upsert([{ ...body, code }], actorOf(p), p.region);
  }

  @Post('import')
  @Allow('agency')
  @ApiOperation({ summary: 'Register or update hospitals from a CSV file body (code,name,region,level,bonuses)' })
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiCreatedResponse({ type: HospitalUpsertResponse })
  @ApiErrors({
    413: '`too-large`: the file is over MAX_UPLOAD_BYTES',
    415: '`encoding`: the file is not UTF-8',
    422: '`invalid-hospitals`: an unreadable CSV, or every problem by line and field; nothing stored',
  })
  import(@Req() req: Request, @CurrentUser() p: Principal): Promise<HospitalUpsertResult> {
    return this.hospitals.upsertFile(req, 'csv', actorOf(p), p.region);
  }
}
