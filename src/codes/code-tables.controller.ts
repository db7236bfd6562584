import { Controller, Get, Param, ParseEnumPipe, Put, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CODE_TABLE_KINDS, CodeTableKind } from '../domain/code-table';
import { CodeTableInfo, CodeTablesService } from './code-tables.service';

@ApiTags('code tables')
@Controller('api/v1/regions/:region/code-tables')
export class CodeTablesController {
  constructor(private readonly tables: CodeTablesService) {}

  @Get()
  @ApiOperation({ summary: "The region's loaded code tables" })
  list(@Param('region') region: string): Promise<CodeTableInfo[]> {
    return this.tables.list(region);
  }

  @Put(':kind')
  @ApiOperation({ summary: 'Replace the region\'s table of this kind with the body: "CODE NAME" lines (procedureType: "CODE TYPE")' })
  @ApiConsumes('text/plain')
  @ApiBody({ schema: { type: 'string' } })
  load(
    @Param('region') region: string,
    @Param('kind', new ParseEnumPipe(CODE_TABLE_KINDS)) kind: CodeTableKind,
    @Req() req: Request,
  ): Promise<CodeTableInfo> {
    return this.tables.load(region, kind, req, `PUT /api/v1/regions/${region}/code-tables/${kind}`, 'api');
  }
}
