import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';

/**
 * Every error leaves as `{ statusCode, error, message, ...details }`, where `error` is a stable
 * machine-readable code. Unexpected errors are logged and answered without internals.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const detail = typeof body === 'string' ? { message: body } : (body as Record<string, unknown>);
      const error = typeof detail.error === 'string' && /^[a-z0-9-]+$/.test(detail.error) ? detail.error : codeOf(status);
      res.status(status).json({ ...detail, statusCode: status, error, message: detail.message ?? exception.message });
      return;
    }
    const e = exception as { type?: string; status?: number; message?: string };
    // body-parser's own errors (too large, malformed JSON) carry a status.
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ statusCode: e.status, error: e.type === 'entity.too.large' ? 'payload-too-large' : 'bad-request', message: e.message });
      return;
    }
    this.logger.error(exception);
    res.status(HttpStatus.INTERNAL_SERVER_ERROR).json({ statusCode: 500, error: 'internal', message: 'internal error' });
  }
}

function codeOf(status: number): string {
  return (HttpStatus[status] ?? 'error').toLowerCase().replace(/_/g, '-');
}
