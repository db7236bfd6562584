import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Put, Query, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { actorOf, Principal } from '../domain/access';
import { badRequest } from '../domain/errors';
import { PersonFigures } from '../domain/schemes/scheme';
import { Allow, CurrentUser } from '../http/access.decorators';
import { ApiErrors } from '../http/error.response';
import { personsCsv, schemeReportFile } from './scheme-report';
import {
  SchemeParams,
  SchemePersonsQuery,
  SchemeReportQuery,
  SchemeRunsQuery,
  SchemeTableParams,
  SchemeYearQuery,
  StartSchemeRunRequest,
} from './schemes.dto';
import {
  ImportedInputResponse,
  PersonFiguresResponse,
  PolicyGivenResponse,
  SchemeDefinitionResponse,
  SchemeInputRowBody,
  SchemePolicyBody,
  SchemeReportResponse,
  SchemeRunHeadResponse,
  SchemeRunStartedResponse,
  StoredInputResponse,
  WithdrawnInputResponse,
} from './schemes.responses';
import { SchemesService } from './schemes.service';

/**
 * The payment schemes besides DIP (SCHEMES.md): the agency gives a year's policy and input
 * tables, runs the year (a draft, replaced by the next run) and finalises it; a hospital reads
 * the rows of the runs that name it (a medical group's members read the group's row).
 */
@ApiTags('schemes')
@ApiExtraModels(SchemeReportResponse, PersonFiguresResponse)
@Controller('api/v1/schemes')
export class SchemesController {
  constructor(private readonly schemes: SchemesService) {}

  @Get()
  @Allow('agency', 'hospital')
  @ApiOperation({ summary: 'The schemes, each with its seed document and its input tables (columns, kinds, key)' })
  @ApiOkResponse({ type: [SchemeDefinitionResponse] })
  @ApiErrors({})
  definitions() {
    return this.schemes.definitions();
  }

  @Get('runs')
  @Allow('agency', 'hospital')
  @ApiOperation({ summary: "The scheme runs of the user's region (a hospital: those with a row of theirs), newest year first" })
  @ApiOkResponse({ type: [SchemeRunHeadResponse] })
  @ApiErrors({ 400: 'scheme or year not acceptable' })
  runs(@Query() q: SchemeRunsQuery, @CurrentUser() p: Principal) {
    return this.schemes.runs(p, p.region, q);
  }

  @Get('runs/:id')
  @Allow('agency', 'hospital')
  @ApiOperation({
    summary:
      "A run's report as JSON, CSV or XLSX: the run with its policy's and every input's hash, the region's figures (agency only) and the providers' figures (a hospital: its own rows)",
  })
  @ApiOkResponse({
    description: 'format=json: the report; csv, xlsx: an attachment scheme-<scheme>-<region>-<year>-<status>.<format>',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(SchemeReportResponse) } },
      'text/csv': { schema: { type: 'string' } },
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } },
    },
  })
  @ApiErrors({ 400: 'the id is not a UUID; format not json, csv or xlsx', 404: '`unknown-run` (also a run outside your scope)' })
  async report(@Param('id', ParseUUIDPipe) id: string, @Query() q: SchemeReportQuery, @Res() res: Response, @CurrentUser() p: Principal) {
    const file = await schemeReportFile(await this.schemes.report(id, p), q.format);
    if (q.format !== 'json') res.attachment(file.name);
    res.type(file.type).send(file.body);
  }

  @Get('runs/:id/persons')
  @Allow('agency', 'hospital')
  @ApiOperation({
    summary:
      "The per-person figures of a run's provider (the per-head schemes): why a provider's allowance is what it is. A hospital names one of its providers; the agency may leave it out for every provider (CSV)",
  })
  @ApiOkResponse({
    description: 'format=json: an array of { provider, person, figures }; csv: an attachment, one line per person, the figures flattened',
    content: {
      'application/json': { schema: { type: 'array', items: { $ref: getSchemaPath(PersonFiguresResponse) } } },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  @ApiErrors({
    400: 'the id is not a UUID; format not json or csv; `provider-required`',
    404: '`unknown-run`, `unknown-provider` (also outside your scope)',
  })
  async persons(@Param('id', ParseUUIDPipe) id: string, @Query() q: SchemePersonsQuery, @Res() res: Response, @CurrentUser() p: Principal) {
    if (q.format === 'json' && q.provider === undefined && p.role === 'agency')
      throw badRequest(
        'provider-required',
        'name the provider (?provider=) for JSON; every provider at once is given as CSV (?format=csv)',
      );
    const chunks = await this.schemes.persons(id, q.provider ?? null, p);
    if (q.format === 'csv') {
      res.attachment(`scheme-persons-${id}${q.provider ? `-${q.provider}` : ''}.csv`).type('text/csv');
      for await (const text of personsCsv(chunks)) res.write(text);
      res.end();
      return;
    }
    const all: PersonFigures[] = [];
    for await (const c of chunks) for (const x of c) all.push(x);
    res.json(all);
  }

  @Post('runs/:id/finalise')
  @Allow('agency')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Freeze the run's year: later imports and runs of it are refused with 409 (audited)" })
  @ApiOkResponse({ type: SchemeReportResponse, description: 'The report, now final' })
  @ApiErrors({
    400: 'the id is not a UUID',
    404: '`unknown-run`',
    409: '`finalised` (already), `replaced` (a later run replaced it), `inputs-changed` (an input was imported after the run)',
  })
  finalise(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() p: Principal) {
    return this.schemes.finalise(id, actorOf(p), p.region);
  }

  @Put(':scheme/policy')
  @Allow('agency')
  @ApiOperation({
    summary: "Give a year's policy of a scheme (decimals as strings; stored by content hash; it is the year's policy from then on)",
  })
  @ApiBody({ type: SchemePolicyBody })
  @ApiOkResponse({ type: PolicyGivenResponse })
  @ApiErrors({ 400: 'unknown scheme, malformed JSON', 422: '`invalid-policy` (every problem by path), `policy-mismatch` (another region)' })
  policy(@Param() a: SchemeParams, @Body() body: unknown, @CurrentUser() p: Principal) {
    return this.schemes.givePolicy(a.scheme, body, actorOf(p), p.region);
  }

  @Post(':scheme/inputs/:table')
  @Allow('agency')
  @ApiOperation({
    summary:
      "Import one input table of a year (a JSON array of objects, or CSV with Content-Type text/csv and the column names as header); all or nothing; it supersedes the table's previous import",
  })
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody({ type: [SchemeInputRowBody], description: 'A JSON array of rows (or CSV with the column names as header)' })
  @ApiCreatedResponse({ type: ImportedInputResponse })
  @ApiErrors({
    400: 'unknown scheme, `bad-body` (not an array), `bad-csv`, malformed JSON',
    404: '`unknown-table`',
    409: "`finalised`: the year's run is final",
    413: 'the body or file is over the limit',
    415: 'the body or file is not UTF-8',
    422: '`invalid-rows` (every problem by row or line and field), `header`, `no-rows`; nothing stored',
  })
  async importTable(
    @Param() a: SchemeTableParams,
    @Query() q: SchemeYearQuery,
    @Req() req: Request,
    @Body() body: unknown,
    @CurrentUser() p: Principal,
  ) {
    if (String(req.headers['content-type'] ?? '').includes('csv'))
      return this.schemes.importCsv(a.scheme, a.table, p.region, q.year, req, actorOf(p));
    if (!Array.isArray(body)) throw badRequest('bad-body', 'send a JSON array of rows, or CSV with Content-Type text/csv');
    return this.schemes.importRows(a.scheme, a.table, p.region, q.year, body, actorOf(p));
  }

  @Delete(':scheme/inputs/:table')
  @Allow('agency')
  @ApiOperation({ summary: 'Withdraw a table of a year: the next run does without it (a required table then refuses the run); audited' })
  @ApiOkResponse({ type: WithdrawnInputResponse })
  @ApiErrors({
    400: 'unknown scheme, year not acceptable',
    404: '`unknown-table`, `no-input`',
    409: "`finalised`: the year's run is final",
  })
  withdraw(@Param() a: SchemeTableParams, @Query() q: SchemeYearQuery, @CurrentUser() p: Principal) {
    return this.schemes.withdrawInput(a.scheme, a.table, p.region, q.year, actorOf(p));
  }

  @Get(':scheme/inputs')
  @Allow('agency')
  @ApiOperation({ summary: "The year's current input tables: rows, sha256, who imported them and when" })
  @ApiOkResponse({ type: [StoredInputResponse] })
  @ApiErrors({ 400: 'unknown scheme, year not acceptable' })
  inputs(@Param() a: SchemeParams, @Query() q: SchemeYearQuery, @CurrentUser() p: Principal) {
    return this.schemes.inputs(a.scheme, p.region, q.year);
  }

  @Post(':scheme/runs')
  @Allow('agency')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary:
      "Run a scheme's year on its current inputs and policy (a job; follow it at /api/v1/jobs/:id): stored as the year's draft, replacing the previous one; then GET /api/v1/schemes/runs/:id",
  })
  @ApiAcceptedResponse({ type: SchemeRunStartedResponse, description: 'Started; the Location header names the run' })
  @ApiErrors({
    400: 'unknown scheme, year not acceptable',
    404: '`no-policy`',
    409: "`finalised`: the year's run is final",
    422: '`missing-input` (a required table not imported), `invalid-policy`; a cross-table problem of the inputs fails the job (by table, row and field)',
  })
  async start(
    @Param() a: SchemeParams,
    @Body() b: StartSchemeRunRequest,
    @Res({ passthrough: true }) res: Response,
    @CurrentUser() p: Principal,
  ) {
    const { id } = await this.schemes.start(a.scheme, p.region, b.year, actorOf(p));
    res.location(`/api/v1/schemes/runs/${id}`);
    return { id, status: 'running', statusUrl: `/api/v1/jobs/${id}`, runUrl: `/api/v1/schemes/runs/${id}` };
  }
}
