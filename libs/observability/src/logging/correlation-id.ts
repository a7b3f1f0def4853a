import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The request and response header that carries a request's correlation id. */
export const CORRELATION_HEADER = 'x-correlation-id';

const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** The caller's `X-Correlation-Id` when well-formed (1-100 of `A-Za-z0-9._:-`), else a new UUID. */
export function correlationIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SAFE_CORRELATION_ID.test(header) ? header : randomUUID();
}

/**
 * Gives a request its correlation id, once: `req.id` (which pino-http logs as `correlationId` and
 * RequestContext writes into the metadata of the events the request appends) and the
 * `x-correlation-id` response header. A request that already has a string id keeps it, so calling
 * this again (pino-http's `genReqId` after the API's own middleware) changes nothing.
 */
export function assignCorrelationId(request: IncomingMessage, response: ServerResponse): string {
  const existing: unknown = request.id;
  if (typeof existing === 'string' && existing !== '') return existing;
  const id = correlationIdFrom(request.headers[CORRELATION_HEADER]);
  request.id = id;
  if (!response.headersSent) response.setHeader(CORRELATION_HEADER, id);
  return id;
}
