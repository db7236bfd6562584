import { Body, Controller, Delete, ExecutionContext, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import type { Request } from 'express';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import { actorOf, Principal } from '../domain/access';
import { ApiErrors } from '../http/error.response';
import { Allow, CurrentUser, Public } from '../http/access.decorators';
import { CreateUserRequest, LoginRequest, PrincipalResponse, RefreshRequest, TokensResponse, UserResponse } from './auth.dto';
import { AuthService } from './auth.service';
import { UsersService } from './users.service';

/**
 * Logins and refreshes are limited per client address: LOGIN_RATE_LIMIT_PER_MINUTE (10 unless
 * set). A route's limit is static metadata, so it is read per request from the HTTP
 * application, which server.ts gives the validated value.
 */
const LOGIN_LIMIT = {
  default: {
    limit: (ctx: ExecutionContext) => (ctx.switchToHttp().getRequest<Request>().app?.locals.loginRateLimit as number | undefined) ?? 10,
    ttl: 60_000,
  },
};

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @Throttle(LOGIN_LIMIT)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Log in: an access token (15 minutes) and a refresh token (7 days, good once)' })
  @ApiOkResponse({ type: TokensResponse })
  @ApiErrors({ 400: 'missing username or password', 401: '`unauthenticated`: unknown username or wrong password' })
  login(@Body() b: LoginRequest) {
    return this.auth.login(b.username, b.password);
  }

  @Post('refresh')
  @Public()
  @Throttle(LOGIN_LIMIT)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'New tokens for a refresh token; a refresh token used twice revokes its session' })
  @ApiOkResponse({ type: TokensResponse })
  @ApiErrors({ 400: 'no refresh token', 401: '`unauthenticated`: unknown, expired, revoked or reused' })
  refresh(@Body() b: RefreshRequest) {
    return this.auth.refresh(b.refreshToken);
  }

  @Post('logout')
  @Allow('agency', 'hospital', 'expert')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "Ends the token's session: its access and refresh tokens stop working at once" })
  @ApiNoContentResponse()
  @ApiErrors({})
  async logout(@CurrentUser() p: Principal & { sessionId: string }): Promise<void> {
    await this.auth.logout(p);
  }

  @Get('me')
  @Allow('agency', 'hospital', 'expert')
  @ApiOperation({ summary: 'Who the token is for: role and scope' })
  @ApiOkResponse({ type: PrincipalResponse })
  @ApiErrors({})
  me(@CurrentUser() p: Principal): PrincipalResponse {
    return { userId: p.userId, username: p.username, role: p.role, region: p.region, hospital: p.hospital };
  }
}

@ApiTags('auth')
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Allow('agency')
  @ApiOperation({ summary: "The users of the agency user's region" })
  @ApiOkResponse({ type: UserResponse, isArray: true })
  @ApiErrors({})
  list(@CurrentUser() p: Principal) {
    return this.users.list(p);
  }

  @Post()
  @Allow('agency')
  @ApiOperation({
    summary: "Create a user of the agency user's region: agency, hospital (of a hospital of the region) or expert (audited)",
  })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiErrors({ 400: 'malformed body', 409: '`username-taken`', 422: '`invalid-user` with the fields' })
  create(@Body() b: CreateUserRequest, @CurrentUser() p: Principal) {
    return this.users.create(b, p, actorOf(p));
  }

  @Delete(':id')
  @Allow('agency')
  @ApiOperation({ summary: 'Deactivate a user of the region: their sessions end at once (audited)' })
  @ApiOkResponse({ type: UserResponse })
  @ApiErrors({ 400: 'the id is not a UUID', 404: '`unknown-user` (or of another region)' })
  deactivate(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() p: Principal) {
    return this.users.deactivate(id, p, actorOf(p));
  }
}
