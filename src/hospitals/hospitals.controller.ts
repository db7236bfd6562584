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
import { Hospital } from '../domain/hospital';
import { ApiErrors } from '../http/error.response';
import { HospitalBody, HospitalPutBody, HospitalResponse, HospitalUpsertResponse } from './hospitals.dto';
import { HospitalsService, HospitalUpsertResult } from './hospitals.service';

@ApiTags('hospitals')
@Controller('api/v1/hospitals')
export class HospitalsController {
  constructor(private readonly hospitals: HospitalsService) {}

  @Get()
  @ApiOperation({ summary: 'Registered hospitals, optionally of one region' })
  @ApiOkResponse({ type: [HospitalResponse] })
  @ApiErrors({})
  list(@Query('region') region?: string): Promise<Hospital[]> {
    return this.hospitals.list(region);
  }

  @Get(':code')
  @ApiOperation({ summary: 'One registered hospital' })
  @ApiOkResponse({ type: HospitalResponse })
  @ApiErrors({ 404: '`unknown-hospital`' })
  async get(@Param('code') code: string): Promise<Hospital> {
    const h = await this.hospitals.get(code);
    if (!h) throw notFound('unknown-hospital', `no hospital ${code}`);
    return h;
  }

  @Post()
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
  upsert(@Body() body: unknown): Promise<HospitalUpsertResult> {
    if (typeof body !== 'object' || body === null) throw badRequest('bad-body', 'expected hospital objects');
    return this.hospitals.upsert(Array.isArray(body) ? body : [body], 'api');
  }

  @Put(':code')
  @ApiOperation({ summary: 'Register or update one hospital' })
  @ApiBody({ type: HospitalPutBody })
  @ApiOkResponse({ type: HospitalUpsertResponse })
  @ApiErrors({
    400: '`bad-body`, `code-mismatch` (the body names another code), malformed JSON',
    413: 'the JSON body is over the limit',
    415: 'the JSON body is not UTF-8',
    422: '`invalid-hospitals`: every problem by field; nothing stored',
  })
  put(@Param('code') code: string, @Body() body: Record<string, unknown>): Promise<HospitalUpsertResult> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('bad-body', 'expected one hospital object');
    if (body.code !== undefined && body.code !== code)
      throw badRequest('code-mismatch', `body code "${String(body.code)}" differs from the path "${code}"`);
    return this.hospitals.upsert([{ ...body, code }], 'api');
  }

  @Post('import')
  @ApiOperation({ summary: 'Register or update hospitals from a CSV file body (code,name,region,level,bonuses)' })
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiCreatedResponse({ type: HospitalUpsertResponse })
  @ApiErrors({
    413: '`too-large`: the file is over MAX_UPLOAD_BYTES',
    415: '`encoding`: the file is not UTF-8',
    422: '`invalid-hospitals`: an unreadable CSV, or every problem by line and field; nothing stored',
  })
  import(@Req() req: Request): Promise<HospitalUpsertResult> {
    return this.hospitals.upsertFile(req, 'csv', 'api');
  }
}
