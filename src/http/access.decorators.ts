import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { Principal, Role } from '../domain/access';
import { ErrorResponse } from './error.response';

/** What a route declares about who may call it; a route without it is refused (default deny). */
export type AccessPolicy = { public: true } | { roles: readonly Role[] };
export const ACCESS_POLICY = 'dip:access-policy';

/** Anyone, without a token (health, login, refresh). */
export const Public = () =>
  applyDecorators(SetMetadata(ACCESS_POLICY, { public: true } satisfies AccessPolicy), ApiExtension('x-roles', ['public']));

/**
 * Users of these roles, with a valid bearer token; the service then checks the scope of what is
 * asked (domain/access.ts). OpenAPI shows the roles (`x-roles`) and the 401/403 answers.
 */
export const Allow = (...roles: Role[]) =>
  applyDecorators(
    SetMetadata(ACCESS_POLICY, { roles } satisfies AccessPolicy),
    ApiBearerAuth(),
    ApiExtension('x-roles', roles),
    ApiResponse({
      status: 401,
      description: 'No valid bearer token (`unauthenticated`: none, expired, tampered or revoked)',
      type: ErrorResponse,
    }),
    ApiResponse({
      status: 403,
      description: `Only for ${roles.join(', ')} users, within their scope (\`forbidden\`)`,
      type: ErrorResponse,
    }),
  );

/** The request's user, as the guard found it. */
export type AuthedRequest = Request & { principal?: Principal & { sessionId: string } };

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const p = ctx.switchToHttp().getRequest<AuthedRequest>().principal;
  if (!p) throw new Error('CurrentUser on a route without Allow()');
  return p;
});
