import { performance } from 'node:perf_hooks';
import { request, type Dispatcher } from 'undici';
import { describeNetworkError } from './describe-network-error';
import { parseRetryAfter } from './retry-after';

export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

export interface SendWebhookInput {
  readonly url: string | URL;
  /** Sent as given; build them with `buildWebhookHeaders`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact bytes that were signed. */
  readonly body: string | Uint8Array;
  /** One deadline for the whole attempt: connect, request, response headers and body. */
  readonly deadlineMs: number;
  /** At most this much of the response body is read and kept. */
  readonly maxResponseBytes?: number;
  /** From `createDeliveryAgent`: it carries the SSRF guard and never follows redirects. */
  readonly dispatcher: Dispatcher;
}

export interface SendWebhookResult {
  /** `succeeded` only for a 2xx answer whose body arrived within the deadline. */
  readonly outcome: 'succeeded' | 'failed';
  /** The status the receiver answered, even if the body then failed; null if none arrived. */
  readonly statusCode: number | null;
  /** Short text (`timeout`, `connection refused`, `ssrf: …`), null when the exchange completed. */
  readonly error: string | null;
  readonly durationMs: number;
  /** The first `maxResponseBytes` of the body as UTF-8, NUL-free so PostgreSQL `text` takes it. */
  readonly responseBody: string;
  /** From `Retry-After` on a 429 or 503 (the statuses where the design honours it), else null. */
  readonly retryAfterSeconds: number | null;
}

const RETRY_AFTER_STATUSES = new Set([429, 503]);

/**
 * One delivery attempt: a single POST, no redirects followed, no automatic retries.
 *
 * Guarantees:
 * - Never rejects: network failures, refusals by the SSRF guard and the deadline come back as
 *   `outcome: 'failed'` with `error` set.
 * - Ends within `deadlineMs` (plus scheduling slack) whatever the receiver does — including
 *   never accepting the connection, never answering or trickling its body — because one
 *   AbortSignal spans the whole exchange and the result does not wait for undici to act on it
 *   (undici's own `bodyTimeout` restarts with every chunk, so it cannot bound a trickle).
 * - Holds at most `maxResponseBytes` of the response in memory; the rest is not read, and the
 *   connection is destroyed rather than drained.
 */
export async function sendWebhook(input: SendWebhookInput): Promise<SendWebhookResult> {
  const maxResponseBytes = input.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const started = performance.now();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DeadlineExceeded()), input.deadlineMs);
  let statusCode: number | null = null;
  let retryAfterSeconds: number | null = null;
  const received: Buffer[] = [];
  const exchange = async () => {
    const response = await request(input.url, {
      method: 'POST',
      headers: input.headers,
      body: input.body,
      dispatcher: input.dispatcher,
      signal: deadline.signal,
      // Defeats a redirect interceptor should the dispatcher ever be composed with one.
      ...NO_REDIRECTS,
    });
    statusCode = response.statusCode;
    if (RETRY_AFTER_STATUSES.has(statusCode)) {
      retryAfterSeconds = parseRetryAfter(response.headers['retry-after']);
    }
    await readAtMost(response.body, maxResponseBytes, received);
  };
  try {
    // undici honours the abort only once the request has a socket: while a connection is still
    // being made (a blackholed address, a listener that never accepts) it waits for its own
    // connect timeout. The race ends the attempt at the deadline anyway; the aborted request
    // settles in the background (race keeps its rejection handled).
    await Promise.race([exchange(), rejectOnAbort(deadline.signal)]);
    const succeeded = statusCode !== null && statusCode >= 200 && statusCode < 300;
    return result(succeeded ? 'succeeded' : 'failed', null);
  } catch (error) {
    return result('failed', describeNetworkError(error, deadline.signal.aborted));
  } finally {
    clearTimeout(timer);
  }

  function result(outcome: SendWebhookResult['outcome'], error: string | null): SendWebhookResult {
    return {
      outcome,
      statusCode,
      error,
      durationMs: Math.round(performance.now() - started),
      responseBody: Buffer.concat(received).toString('utf8').replaceAll('\u0000', '\uFFFD'),
      retryAfterSeconds,
    };
  }
}

/**
 * Appends up to `limit` bytes of `body` to `into` as they arrive, so a deadline mid-body still
 * leaves what came. Leaving the loop early destroys the stream, and with it the connection.
 */
async function readAtMost(
  body: AsyncIterable<Buffer>,
  limit: number,
  into: Buffer[],
): Promise<void> {
  let size = 0;
  for await (const chunk of body) {
    const room = limit - size;
    if (chunk.length > room) {
      into.push(chunk.subarray(0, room));
      return;
    }
    into.push(chunk);
    size += chunk.length;
  }
}

/** Rejects with the signal's reason once it aborts; never settles otherwise. */
function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

const NO_REDIRECTS: { maxRedirections: 0 } = { maxRedirections: 0 };

class DeadlineExceeded extends Error {
  constructor() {
    super('The delivery attempt exceeded its deadline');
    this.name = new.target.name;
  }
}
