import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Principal } from '../domain/access';
import { Allow, CurrentUser } from '../http/access.decorators';
import { ApiErrors } from '../http/error.response';
import { AppealRequest, ApplyRequest, AuditQuery, ListQuery, PanelRequest } from './special-cases.dto';
import { ApplicationResponse, ApplicationsPageResponse, AuditEntryResponse, ExpertLoadResponse } from './special-cases.responses';
import { SpecialCasesService } from './special-cases.service';

const LOCKED = "`special-cases-locked`: the year's annual settlement is finalised";

/** Special cases (特病单议, spec §9): hospitals apply, withdraw and appeal; the agency seats panels and reads the audit. */
@ApiTags('special cases')
@Controller('api/v1/special-cases')
export class SpecialCasesController {
  constructor(private readonly specialCases: SpecialCasesService) {}

  @Post()
  @Allow('hospital')
  @ApiOperation({
    summary:
      "Apply for a special review of one of the hospital's own cases; objective reasons are checked against the case's newest stored result, and the year's cap (pending + approved ≤ max(1, floor(discharges × cap))) is enforced",
  })
  @ApiCreatedResponse({ type: ApplicationResponse })
  @ApiErrors({
    400: 'a field is missing or malformed (every problem named)',
    404: '`unknown-case`: the hospital has no such stored case',
    409: `\`special-case-cap\` (with the numbers), \`already-applied\`, ${LOCKED}`,
    422: '`reason-not-met` (with the figures), `no-result` (the case has not been valued yet)',
  })
  apply(@Body() body: ApplyRequest, @CurrentUser() p: Principal) {
    return this.specialCases.apply(p, body);
  }

  @Get()
  @Allow('agency', 'hospital')
  @ApiOperation({
    summary: "Applications: the agency's region (filter by hospital), or the hospital's own; by year, status, or overdue panels",
  })
  @ApiOkResponse({ type: ApplicationsPageResponse })
  @ApiErrors({ 400: 'a query parameter is malformed' })
  list(@Query() q: ListQuery, @CurrentUser() p: Principal) {
    return this.specialCases.list(p, q);
  }

  @Get('audit')
  @Allow('agency')
  @ApiOperation({
    summary:
      "The audit log of the region's applications (apply, withdraw, assign, vote, decide, appeal), optionally of one hospital or year",
  })
  @ApiOkResponse({ type: [AuditEntryResponse] })
  @ApiErrors({ 400: 'a query parameter is malformed' })
  auditOfHospital(@Query() q: AuditQuery, @CurrentUser() p: Principal) {
    return this.specialCases.audit(p, q);
  }

  @Get(':id')
  @Allow('agency', 'hospital')
  @ApiOperation({ summary: 'One application with its panels and votes (a hospital sees the votes, not who cast them)' })
  @ApiOkResponse({ type: ApplicationResponse })
  @ApiErrors({ 400: 'the id is not a UUID', 404: '`unknown-special-case` (also for one outside your scope)' })
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() p: Principal) {
    return this.specialCases.get(p, id);
  }

  @Get(':id/audit')
  @Allow('agency')
  @ApiOperation({ summary: 'The audit log of one application: who did what, when, with the state before and after' })
  @ApiOkResponse({ type: [AuditEntryResponse] })
  @ApiErrors({ 400: 'the id is not a UUID', 404: '`unknown-special-case`' })
  audit(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() p: Principal) {
    return this.specialCases.audit(p, { id });
  }

  @Post(':id/withdraw')
  @Allow('hospital')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Withdraw a pending application (its place under the cap is freed)' })
  @ApiOkResponse({ type: ApplicationResponse })
  @ApiErrors({ 400: 'the id is not a UUID', 404: '`unknown-special-case`', 409: `\`not-pending\`, ${LOCKED}` })
  withdraw(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() p: Principal) {
    return this.specialCases.withdraw(p, id);
  }

  @Post(':id/appeal')
  @Allow('hospital')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Appeal a rejection, once: the application is pending again, for a panel of experts who did not vote on it' })
  @ApiOkResponse({ type: ApplicationResponse })
  @ApiErrors({
    400: 'the id is not a UUID, or the statement is missing',
    404: '`unknown-special-case`',
    409: `\`not-rejected\`, \`appealed-before\`, \`special-case-cap\`, ${LOCKED}`,
  })
  appeal(@Param('id', ParseUUIDPipe) id: string, @Body() body: AppealRequest, @CurrentUser() p: Principal) {
    return this.specialCases.appeal(p, id, body.statement);
  }

  @Get(':id/panel-suggestion')
  @Allow('agency')
  @ApiOperation({
    summary:
      "The panel the service suggests for the application's current round: the least loaded experts, none affiliated with the case's hospital, none who voted on it before",
  })
  @ApiOkResponse({ type: [ExpertLoadResponse] })
  @ApiErrors({ 400: 'the id is not a UUID', 404: '`unknown-special-case`', 409: '`too-few-experts`' })
  suggestion(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() p: Principal) {
    return this.specialCases.suggestion(p, id);
  }

  @Post(':id/panel')
  @Allow('agency')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Seat the panel of the current round (the experts named, or the suggestion), with the policy's deadline" })
  @ApiOkResponse({ type: ApplicationResponse })
  @ApiErrors({
    400: 'the id is not a UUID, or experts is not a list of user ids',
    404: '`unknown-special-case`',
    409: `\`panel-assigned\`, \`not-pending\`, \`too-few-experts\`, ${LOCKED}`,
    422: '`bad-panel`: the size, a duplicate, an expert affiliated with the hospital or who voted before (each named)',
  })
  assign(@Param('id', ParseUUIDPipe) id: string, @Body() body: PanelRequest, @CurrentUser() p: Principal) {
    return this.specialCases.assign(p, id, body.experts);
  }
}
