import { Controller, Get, Param, ParseEnumPipe, Put, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Allow, CurrentUser } from '../http/access.decorators';
import { actorOf, Principal, requireAgencyOf, requireRegion } from '../domain/access';
import { CODE_TABLE_KINDS, CodeTableKind } from '../domain/code-table';
import { ApiErrors } from '../http/error.response';
import { CodeTableInfoResponse } from './code-tables.responses';
import { CodeTableInfo, CodeTablesService } from './code-tables.service';

@ApiTags('code tables')
@Controller('api/v1/regions/:region/code-tables')
export class CodeTablesController {
  constructor(private readonly tables: CodeTablesService) {}

  @Get()
  @Allow('agency', 'hospital')
  @ApiOperation({ summary: "The region's loaded code tables" })
  @ApiOkResponse({ type: [CodeTableInfoResponse] })
  @ApiErrors({})
  list(@Param('region') region: string, @CurrentUser() p: Principal): Promise<CodeTableInfo[]> {
    requireRegion(p, region);
    return this.tables.list(region);
  }

  @Put(':kind')
  @Allow('agency')
  @ApiOperation({ summary: 'Replace the region\'s table of this kind with the body: "CODE NAME" lines (procedureType: "CODE TYPE")' })
  @ApiConsumes('text/plain')
  @ApiBody({ schema: { type: 'string' } })
  @ApiOkResponse({ type: CodeTableInfoResponse })
  @ApiErrors({
    400: `the kind is not one of ${CODE_TABLE_KINDS.join(', ')}`,
    404: '`unknown-region`: register its hospitals first',
    413: '`too-large`: the body is over MAX_UPLOAD_BYTES',
    415: '`encoding`: the body is not UTF-8',
    422: '`invalid-code-table`: bad lines by line number, or an empty table; nothing loaded',
  })
  load(
    @Param('region') region: string,
    @Param('kind', new ParseEnumPipe(CODE_TABLE_KINDS)) kind: CodeTableKind,
    @Req() req: Request,
    @CurrentUser() p: Principal,
  ): Promise<CodeTableInfo> {
    requireAgencyOf(p, region);
    return this.tables.load(region, kind, req, `PUT /api/v1/regions/${region}/code-tables/${kind}`, actorOf(p));
  }
}
