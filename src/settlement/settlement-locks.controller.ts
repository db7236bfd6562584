import { Controller, Delete, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../http/error.response';
import { Allow, CurrentUser } from '../http/access.decorators';
import { actorOf, Principal, requireAgencyOf } from '../domain/access';
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
  @Allow('agency')
  @ApiOperation({ summary: 'The periods being settled now, with the run and the process holding each' })
  @ApiOkResponse({ type: SettlementLockResponse, isArray: true })
  @ApiErrors({})
  async list(@CurrentUser() p: Principal): Promise<SettlementLock[]> {
    return (await this.settlements.locks()).filter((l) => l.region === p.region);
  }

  @Delete(':region/:kind/:period')
  @Allow('agency')
  @ApiOperation({
    summary: "Release a period's lock by hand (audited): its run, if still working, stores nothing; a new run may start at once",
  })
  @ApiOkResponse({ type: SettlementLockResponse, description: 'The lock as it was' })
  @ApiErrors({ 400: 'a bad region, kind or period', 404: '`not-locked`: the period holds no lock' })
  release(@Param() k: SettlementPeriodParams, @CurrentUser() p: Principal): Promise<SettlementLock> {
    requireAgencyOf(p, k.region);
    return this.settlements.releaseLock(k.region, k.kind, k.period, actorOf(p));
  }
}
