import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { forbidden } from '../domain/access';
import { ACCESS_POLICY, AccessPolicy, AuthedRequest } from '../http/access.decorators';
import { AuthService, unauthenticated } from './auth.service';

/**
 * The one gate of every route (registered for the whole application): the route's declared
 * policy (Public or Allow), else refused. A bearer token is the only credential: a cross-site
 * form or text/plain POST carries none and is refused (401). Refusals are logged by the error
 * filter, with the scope refusals of the services (who, the route pattern, why).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  /** Each handler's policy, read once (metadata is fixed once the application is built). */
  private readonly policies = new WeakMap<object, { classRef: object; policy: AccessPolicy | undefined }>();

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const policy = this.policyOf(ctx);
    if (!policy) throw forbidden('this route declares no access policy');
    if ('public' in policy) return true;
    const token = /^Bearer ([A-Za-z0-9._-]+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) throw unauthenticated('a bearer token is required (Authorization: Bearer …; log in at POST /api/v1/auth/login)');
    const principal = await this.auth.principalOf(token);
    req.principal = principal;
    if (!policy.roles.includes(principal.role)) throw forbidden(`only ${policy.roles.join(', ')} users may do this`);
    return true;
  }

  private policyOf(ctx: ExecutionContext): AccessPolicy | undefined {
    const handler = ctx.getHandler();
    const classRef = ctx.getClass();
    let known = this.policies.get(handler);
    if (known?.classRef !== classRef) {
      known = { classRef, policy: this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [handler, classRef]) };
      this.policies.set(handler, known);
    }
    return known.policy;
  }
}
