import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { actorOf, Principal } from '../domain/access';
import { DipError, ErrorKind, INTERNAL } from '../domain/errors';
import { withoutJsonExcerpt } from '../io/text-input';

/** The HTTP status of each family of refusal: the one mapping of the error model to HTTP. */
export const STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid: HttpStatus.UNPROCESSABLE_ENTITY,
  'bad-request': HttpStatus.BAD_REQUEST,
  'not-found': HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  'too-large': HttpStatus.PAYLOAD_TOO_LARGE,
  encoding: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

/**
 * Every error leaves as `{ statusCode, error, message, problems? }`, where `error` is a stable
 * machine-readable code: a DipError by its kind and code; Nest's own refusals (validation
 * pipes, unknown routes) and body-parser's by their status; anything else is a bug, logged
 * and answered 500 `internal` without its text.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const { status, body } = this.answer(exception);
    if (status === HttpStatus.UNAUTHORIZED || status === HttpStatus.FORBIDDEN) this.logDenied(host.switchToHttp().getRequest(), body);
    res.status(status).json(body);
  }

  /** Who was refused what, and why: the user (or anonymous), the route's pattern (never its values, which may name a case). */
  private logDenied(req: Request & { principal?: Principal }, body: Record<string, unknown>): void {
    const who = req.principal ? actorOf(req.principal) : 'anonymous';
    const what = `${req.method} ${(req.route as { path?: string } | undefined)?.path ?? '(no route)'}`;
    this.logger.warn({ who, what, why: body.error, message: body.message }, 'access denied');
  }

  private answer(exception: unknown): { status: number; body: Record<string, unknown> } {
    if (exception instanceof DipError) {
      const { code, ...rest } = exception.toBody();
      const status = STATUS_OF_KIND[exception.kind];
      return { status, body: { statusCode: status, error: code, ...rest } };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const r = exception.getResponse();
      const detail = typeof r === 'string' ? { message: r } : (r as Record<string, unknown>);
      // Nest answers a body that is not JSON with a 400 whose message may quote the body: never repeated.
      const message = detail.message ?? exception.message;
      return {
        status,
        body: {
          statusCode: status,
          error: codeOfStatus(status),
          message: typeof message === 'string' ? withoutJsonExcerpt(message) : message,
        },
      };
    }
    // body-parser's own errors (too large, malformed JSON, not UTF-8) carry a status.
    const e = exception as { type?: string; status?: number; message?: string; code?: string };
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      const error = e.type === 'entity.too.large' ? 'too-large' : e.status === 415 ? 'encoding' : 'bad-request';
      return { status: e.status, body: { statusCode: e.status, error, message: withoutJsonExcerpt(e.message ?? '') } };
    }
    this.logger.error(exception);
    return { status: 500, body: { statusCode: 500, error: INTERNAL.code, message: INTERNAL.message } };
  }
}

function codeOfStatus(status: number): string {
  return (HttpStatus[status] ?? 'error').toLowerCase().replace(/_/g, '-');
}
