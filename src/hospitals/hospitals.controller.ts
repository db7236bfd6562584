import { Body, Controller, Get, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { badRequest, notFound } from '../domain/errors';
import { Hospital } from '../domain/hospital';
import { HospitalsService, HospitalUpsertResult } from './hospitals.service';

@ApiTags('hospitals')
@Controller('api/v1/hospitals')
export class HospitalsController {
  constructor(private readonly hospitals: HospitalsService) {}

  @Get()
  @ApiOperation({ summary: 'Registered hospitals, optionally of one region' })
  list(@Query('region') region?: string): Promise<Hospital[]> {
    return this.hospitals.list(region);
  }

  @Get(':code')
  async get(@Param('code') code: string): Promise<Hospital> {
    const h = await this.hospitals.get(code);
    if (!h) throw notFound('unknown-hospital', `no hospital ${code}`);
    return h;
  }

  @Post()
  @ApiOperation({ summary: 'Register or update hospitals: one object or an array of {code, name, region, level, bonuses[]}' })
  @ApiBody({ schema: { oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }] } })
  upsert(@Body() body: unknown): Promise<HospitalUpsertResult> {
    if (typeof body !== 'object' || body === null) throw badRequest('bad-body', 'expected hospital objects');
    return this.hospitals.upsert(Array.isArray(body) ? body : [body], 'api');
  }

  @Put(':code')
  @ApiOperation({ summary: 'Register or update one hospital' })
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
  import(@Req() req: Request): Promise<HospitalUpsertResult> {
    return this.hospitals.upsertFile(req, 'csv', 'api');
  }
}
