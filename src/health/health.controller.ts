import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../http/access.decorators';
import { DipError } from '../domain/errors';
import { ApiErrors } from '../http/error.response';
import { DatabaseService } from '../persistence/database.service';
import { HealthResponse } from './health.responses';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly db: DatabaseService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness and database reachability' })
  @ApiOkResponse({ type: HealthResponse })
  @ApiErrors({ 503: '`database-unreachable`' })
  async health(): Promise<{ status: 'ok'; database: string }> {
    if (!(await this.db.ping())) throw new DipError('unavailable', 'database-unreachable', 'the database does not answer');
    return { status: 'ok', database: this.db.engine };
  }
}
