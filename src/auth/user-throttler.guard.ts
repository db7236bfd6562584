import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { AuthedRequest } from '../http/access.decorators';

/** Rate limits per user (after the access guard has named them), per client address before login. */
@Injectable()
export class UserThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const r = req as unknown as AuthedRequest;
    return r.principal ? `user:${r.principal.userId}` : `ip:${r.ip ?? 'unknown'}`;
  }
}
