import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Principal } from '../domain/access';
import { Allow, CurrentUser } from '../http/access.decorators';
import { ApiErrors } from '../http/error.response';
import {
  HospitalDepartmentsQuery,
  HospitalDepartmentsResponse,
  HospitalGroupsQuery,
  HospitalGroupsResponse,
  HospitalSummaryResponse,
  HospitalViewQuery,
} from './hospital-view.dto';
import { HospitalDepartments, HospitalGroups, HospitalSummary, HospitalViewService } from './hospital-view.service';

const NOT_FOUND = '`unknown-hospital`; `no-settlement` (the region has no monthly settlement run in the period)';
const CHANGING =
  '`settlement-changing` (the months were re-run while read, again and again); `stale-settlement` (a case was replaced after its run: run the settlement again)';

/**
 * A hospital's view of itself (issue 12), from the stored settlement runs: for its own hospital
 * users and its region's agency users; anyone else gets 404 (the hospital's existence is not revealed).
 */
@ApiTags('hospitals')
@Controller('api/v1/hospitals/:code')
export class HospitalViewController {
  constructor(private readonly views: HospitalViewService) {}

  @Get('summary')
  @Allow('agency', 'hospital')
  @ApiOperation({
    summary:
      "A hospital's month (or a year's settled months so far): cases, points, CMI, outlier counts and rates, entitlement and pre-settlement per pool, the region's figures beside each",
  })
  @ApiParam({ name: 'code', example: 'H001' })
  @ApiOkResponse({ type: HospitalSummaryResponse })
  @ApiErrors({ 400: 'a bad period', 404: NOT_FOUND, 409: CHANGING })
  summary(@Param('code') code: string, @Query() q: HospitalViewQuery, @CurrentUser() p: Principal): Promise<HospitalSummary> {
    return this.views.summary(p, code, q.period);
  }

  @Get('groups')
  @Allow('agency', 'hospital')
  @ApiOperation({
    summary: "A hospital's cases by group (病组): cases, points, estimated payment, actual cost and the difference (病组盈亏), sortable",
  })
  @ApiParam({ name: 'code', example: 'H001' })
  @ApiOkResponse({ type: HospitalGroupsResponse })
  @ApiErrors({ 400: 'a bad period, sort or order', 404: NOT_FOUND, 409: CHANGING })
  groups(@Param('code') code: string, @Query() q: HospitalGroupsQuery, @CurrentUser() p: Principal): Promise<HospitalGroups> {
    return this.views.groups(p, code, q.period, q.sort, q.order);
  }

  @Get('departments')
  @Allow('agency', 'hospital')
  @ApiOperation({
    summary: "A hospital's cases by department (科室; cases without one as null), with the same figures and each department's CMI",
  })
  @ApiParam({ name: 'code', example: 'H001' })
  @ApiOkResponse({ type: HospitalDepartmentsResponse })
  @ApiErrors({ 400: 'a bad period, sort or order', 404: NOT_FOUND, 409: CHANGING })
  departments(
    @Param('code') code: string,
    @Query() q: HospitalDepartmentsQuery,
    @CurrentUser() p: Principal,
  ): Promise<HospitalDepartments> {
    return this.views.departments(p, code, q.period, q.sort, q.order);
  }
}
