import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Principal } from '../domain/access';
import { Allow, CurrentUser } from '../http/access.decorators';
import { ApiErrors } from '../http/error.response';
import { VoteRequest } from './special-cases.dto';
import { AssignmentResponse, ReviewResponse, VoteResultResponse } from './special-cases.responses';
import { SpecialCasesService } from './special-cases.service';

/** The experts' admin routes (spec §9): their assignments, a case to review, their one vote. */
@ApiTags('special cases')
@Controller('api/v1/admin/special-cases')
export class ExpertReviewsController {
  constructor(private readonly specialCases: SpecialCasesService) {}

  @Get()
  @Allow('expert')
  @ApiOperation({ summary: 'My assignments: every application whose panel I sit on, with my own vote (newest first)' })
  @ApiOkResponse({ type: [AssignmentResponse] })
  @ApiErrors({})
  assignments(@CurrentUser() p: Principal) {
    return this.specialCases.assignments(p);
  }

  @Get(':id')
  @Allow('expert')
  @ApiOperation({
    summary:
      "An assigned case to review: the hospital's reason, statements and evidence, the case's group, rule, factors and ratio (never the patient's pseudonym), my seat",
  })
  @ApiOkResponse({ type: ReviewResponse })
  @ApiErrors({ 400: 'the id is not a UUID', 404: '`unknown-special-case` (also for one not assigned to me)' })
  review(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() p: Principal) {
    return this.specialCases.forReview(p, id);
  }

  @Post(':id/vote')
  @Allow('expert')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary:
      "Vote once: approve with points, or with a cost converted by the catalogue's costPerPoint, or reject; a reason is required. The last vote of the panel decides (majority; the median of the approving points)",
  })
  @ApiOkResponse({ type: VoteResultResponse })
  @ApiErrors({
    400: 'a field is missing or malformed (points and cost are decimal strings)',
    404: '`unknown-special-case` (also for one not assigned to me)',
    409: "`voted` (a vote is cast once), `not-on-panel` (not this round's), `not-pending`, `special-cases-locked`: the year's annual settlement is finalised",
    422: '`bad-vote`: an approval needs points or a cost (one of them), a rejection neither',
  })
  vote(@Param('id', ParseUUIDPipe) id: string, @Body() body: VoteRequest, @CurrentUser() p: Principal) {
    return this.specialCases.vote(p, id, body);
  }
}
