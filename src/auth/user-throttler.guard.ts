import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
// The metadata keys of the throttler's decorators (each followed by the throttler's name); not in its index.
import {
  THROTTLER_BLOCK_DURATION as BLOCK_DURATION,
  THROTTLER_KEY_GENERATOR as KEY_GENERATOR,
  THROTTLER_LIMIT as LIMIT,
  THROTTLER_SKIP as SKIP,
  THROTTLER_TRACKER as TRACKER,
  THROTTLER_TTL as TTL,
} from '@nestjs/throttler/dist/throttler.constants';
import { AuthedRequest } from '../http/access.decorators';

/** One throttler's limit on one route, as numbers. */
interface RouteLimit {
  name: string;
  limit: number;
  ttl: number;
  blockDuration: number;
  /** The storage key less the tracker: `Class-handler-throttler-`. */
  keyPrefix: string;
  /** The response headers' names (`X-RateLimit-Limit` …; a throttler other than `default` adds `-name`). */
  headers: { limit: string; remaining: string; reset: string; retryAfter: string };
}

/**
 * Rate limits per user (after the access guard has named them), per client address before login.
 *
 * The throttler's own canActivate reads five metadata keys per throttler, awaits each value and
 * hashes the key (sha256) on every request; here a route's limits are read once and kept (our
 * limits and routes' `@Throttle` values are numbers), and the key is the plain string the hash was
 * made of. Same counts, same 429 and same headers. Anything this does not cover (a function as a
 * limit, `skipIf`, ignored user agents, a tracker or key generator of its own, headers turned off)
 * takes the library's own path, for that route.
 */
@Injectable()
export class UserThrottlerGuard extends ThrottlerGuard {
  /** Per handler: its class and its limits, or null for the library's path. */
  private readonly routes = new WeakMap<object, { classRef: object; limits: RouteLimit[] | null }>();

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    return trackerOf(req);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const handler = context.getHandler();
    const classRef = context.getClass();
    let route = this.routes.get(handler);
    if (route?.classRef !== classRef) this.routes.set(handler, (route = { classRef, limits: this.limitsOf(handler, classRef) }));
    if (route.limits === null) return super.canActivate(context);
    const { req, res } = this.getRequestResponse(context);
    const tracker = trackerOf(req);
    for (const l of route.limits) {
      const key = l.keyPrefix + tracker;
      const hit = await this.storageService.increment(key, l.ttl, l.limit, l.blockDuration, l.name);
      if (hit.isBlocked) {
        this.setResponseHeader(res, l.headers.retryAfter, hit.timeToBlockExpire);
        await this.throwThrottlingException(context, { limit: l.limit, ttl: l.ttl, key, tracker, ...hit });
      }
      this.setResponseHeader(res, l.headers.limit, l.limit);
      this.setResponseHeader(res, l.headers.remaining, Math.max(0, l.limit - hit.totalHits));
      this.setResponseHeader(res, l.headers.reset, hit.timeToExpire);
    }
    return true;
  }

  /** A route's limits as numbers, or null when something about them is not a plain number or option. */
  private limitsOf(handler: object, classRef: object): RouteLimit[] | null {
    if (Array.isArray(this.options)) return null;
    const o = this.options;
    if (o.skipIf || o.ignoreUserAgents || o.getTracker || o.generateKey || o.setHeaders === false) return null;
    const meta = (key: string): unknown => this.reflector.getAllAndOverride<unknown>(key, [handler as never, classRef as never]);
    const limits: RouteLimit[] = [];
    for (const t of this.throttlers) {
      const name = t.name ?? 'default';
      if (t.skipIf || t.ignoreUserAgents || t.getTracker || t.generateKey || t.setHeaders === false) return null;
      if (meta(SKIP + name) !== undefined || meta(TRACKER + name) !== undefined || meta(KEY_GENERATOR + name) !== undefined) return null;
      const limit = meta(LIMIT + name) ?? t.limit;
      const ttl = meta(TTL + name) ?? t.ttl;
      const blockDuration = meta(BLOCK_DURATION + name) ?? t.blockDuration ?? ttl;
      if (typeof limit !== 'number' || typeof ttl !== 'number' || typeof blockDuration !== 'number') return null;
      const suffix = name === 'default' ? '' : `-${name}`;
      limits.push({
        name,
        limit,
        ttl,
        blockDuration,
        keyPrefix: `${(classRef as { name: string }).name}-${(handler as { name: string }).name}-${name}-`,
        headers: {
          limit: `${this.headerPrefix}-Limit${suffix}`,
          remaining: `${this.headerPrefix}-Remaining${suffix}`,
          reset: `${this.headerPrefix}-Reset${suffix}`,
          retryAfter: `Retry-After${suffix}`,
        },
      });
    }
    return limits;
  }
}

function trackerOf(req: Record<string, unknown>): string {
  const r = req as unknown as AuthedRequest;
  return r.principal ? `user:${r.principal.userId}` : `ip:${r.ip ?? 'unknown'}`;
}
