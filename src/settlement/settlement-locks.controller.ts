import { Controller, Delete, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../http/error.response';
import { SettlementLockResponse, SettlementPeriodParams } from './settlement.dto';
import { SettlementLock, SettlementService } from './settlement.service';

/**
 * The periods being settled now. A lock whose process died is freed by itself (liveness/); the
 * agency can free one by hand when its holder is stuck or on a machine that is gone.
 */
@ApiTags('settlements')
@Controller('api/v1/settlement-locks')
export class SettlementLocksController {
  constructor(private readonly settlements: SettlementService) {}

  @Get()
  @ApiOperation({ summary: 'The periods being settled now, with the run and the process holding each' })
  @ApiOkResponse({ type: SettlementLockResponse, isArray: true })
  @ApiErrors({})
  list(): Promise<SettlementLock[]> {
    return this.settlements.locks();
  }

  @Delete(':region/:kind/:period')
  @ApiOperation({
    summary: "Release a period's lock by hand (audited): its run, if still working, stores nothing; a new run may start at once",
  })
  @ApiOkResponse({ type: SettlementLockResponse, description: 'The lock as it was' })
  @ApiErrors({ 400: 'a bad region, kind or period', 404: '`not-locked`: the period holds no lock' })
  release(@Param() p: SettlementPeriodParams): Promise<SettlementLock> {
    return this.settlements.releaseLock(p.region, p.kind, p.period, 'api');
  }
}
