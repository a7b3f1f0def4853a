/** A Bull Board API answer: status and the JSON body its UI reads (`error.key`, `message`). */
export interface QueueBoardErrorResponse {
  status: number;
  body: { error: { key: string }; message: string };
}

/** Socket errors of a Redis that refuses, drops or does not answer the connection. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

/**
 * What ioredis rejects a command with while Redis is away on the API's fail-fast connection (no
 * offline queue, one retry): not connected, closed under the command, or out of retries.
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, message, code } = error as { name?: unknown; message?: unknown; code?: unknown };
  return (
    name === 'MaxRetriesPerRequestError' ||
    (typeof code === 'string' && NETWORK_CODES.has(code)) ||
    (typeof message === 'string' &&
      (message.startsWith("Stream isn't writeable") || message === 'Connection is closed.'))
  );
}

/**
 * Bull Board's error handler, except that Redis being away is a 503 (the queues cannot be read
 * right now; try again) instead of its catch-all 500. Stacks are never sent.
 */
export function queueBoardErrorHandler(
  error: Error & { statusCode?: number },
): QueueBoardErrorResponse {
  if (isRedisUnavailable(error)) {
    return {
      status: 503,
      body: {
        error: { key: 'ERRORS.INTERNAL_SERVER_ERROR' },
        message: 'Redis is unavailable: the queues cannot be read right now; try again shortly',
      },
    };
  }
  return {
    status: error.statusCode ?? 500,
    body: { error: { key: 'ERRORS.INTERNAL_SERVER_ERROR' }, message: error.message },
  };
}
