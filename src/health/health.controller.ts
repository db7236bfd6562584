import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DatabaseService } from '../persistence/database.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly db: DatabaseService) {}

  @Get()
  @ApiOperation({ summary: 'Liveness and database reachability' })
  async health(): Promise<{ status: 'ok'; database: string }> {
    try {
      await this.db.dataSource.query('SELECT 1');
    } catch {
      throw new ServiceUnavailableException({ error: 'database-unreachable', message: 'the database does not answer' });
    }
    return { status: 'ok', database: this.db.engine };
  }
}
