import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DipError } from '../domain/errors';
import { DatabaseService } from '../persistence/database.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly db: DatabaseService) {}

  @Get()
  @ApiOperation({ summary: 'Liveness and database reachability' })
  async health(): Promise<{ status: 'ok'; database: string }> {
    if (!(await this.db.ping())) throw new DipError('unavailable', 'database-unreachable', 'the database does not answer');
    return { status: 'ok', database: this.db.engine };
  }
}
