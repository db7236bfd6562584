import { stdSerializers } from 'pino';

/**
 * What a log line may say of an error. pino's standard serializer copies every enumerable
 * property, and a failed statement carries its SQL, its parameters and the driver's error with
 * the SQL once more (patient ids, megabytes of them). Logs keep the kind, code, a bounded
 * message and the stack; never parameters or statement text.
 */
const MESSAGE_CHARS = 300;
const STACK_CHARS = 2000;

export interface LoggedError {
  type: string;
  message: string;
  code?: string | number;
  stack?: string;
  cause?: LoggedError;
}

export function loggedError(err: unknown, depth = 0): LoggedError {
  if (!(err instanceof Error)) return { type: typeof err, message: String(err).slice(0, MESSAGE_CHARS) };
  const e = err as Error & { code?: unknown; errno?: unknown; cause?: unknown };
  const bounded = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}… (${s.length} characters)` : s);
  const out: LoggedError = { type: e.name, message: bounded(e.message, MESSAGE_CHARS) };
  const code = typeof e.code === 'string' || typeof e.code === 'number' ? e.code : undefined;
  if (code !== undefined) out.code = code;
  // The stack's first line repeats the message: keep only the frames.
  if (e.stack) out.stack = bounded(e.stack.slice(e.stack.indexOf('\n    at ') + 1 || 0), STACK_CHARS);
  if (e.cause !== undefined && depth < 3) out.cause = loggedError(e.cause, depth + 1);
  return out;
}

/**
 * What a log line says of its request: id, method, path and the client's address. No headers
 * (tokens, cookies) and no body (patient pseudonyms); and cheap, because pino binds it to every
 * request's child logger, even at levels that write no line (measured: copying and redacting the
 * headers was 3 % of the server's CPU under bench:api). Takes the request itself (as
 * `httpLogSerializers` gives it) or pino's standard serialization of it.
 */
export function loggedRequest(req: {
  id?: unknown;
  method?: string;
  url?: string;
  originalUrl?: string;
  remoteAddress?: string;
  socket?: { remoteAddress?: string };
}) {
  return { id: req.id, method: req.method, url: req.originalUrl ?? req.url, remoteAddress: req.remoteAddress ?? req.socket?.remoteAddress };
}

/**
 * pino-http's serializers, applied to the raw objects (`wrapSerializers: false`). Wrapped, as
 * pino-http does by default, loggedError was handed pino's plain-object copy of the error (with
 * every enumerable property, SQL too), not an Error, and every error logged inside a request
 * read `{"type":"object","message":"[object Object]"}`; and each request was first copied into
 * pino's standard form (headers included) for loggedRequest to pick four fields from.
 */
export const httpLogSerializers = {
  wrapSerializers: false,
  serializers: { err: loggedError, req: loggedRequest, res: stdSerializers.res },
};
