/**
 * When to try a failed delivery again. Pure: time and randomness come in as arguments.
 */

/** Each scheduled delay is spread over ±20% so retries after a shared outage don't stampede. */
export const RETRY_JITTER = 0.2;

/** The longest a receiver's `Retry-After` can push the next attempt beyond its schedule. */
export const MAX_RETRY_AFTER_SECONDS = 60 * 60;

export interface NextAttemptInput {
  /** Attempts made so far, including the one that just failed (1 after the first attempt). */
  readonly attemptNumber: number;
  /** Seconds to wait after attempt 1, 2, …; its length is the number of retries. */
  readonly scheduleSeconds: readonly number[];
  /** The receiver's `Retry-After`, in seconds, when it sent one (429/503). */
  readonly retryAfterSeconds?: number | null;
  /** Uniform in [0, 1); injected for tests. */
  readonly random?: () => number;
}

/**
 * Milliseconds to wait before the next attempt, or null when the schedule is exhausted (after
 * attempt `scheduleSeconds.length + 1`).
 *
 * Guarantees:
 * - Without `Retry-After`: `schedule[n-1] * 1000 * (1 ± 20%)`, i.e. within [0.8, 1.2) of it.
 * - `Retry-After` can only lengthen the wait, never shorten it, and by at most one hour:
 *   the result is `max(jittered schedule, min(Retry-After, 1 h))`. A receiver can slow Herald
 *   down but cannot make it retry sooner than planned, nor park a delivery indefinitely.
 * - The result is a whole number of milliseconds (BullMQ's backoff unit).
 */
export function nextAttemptDelay(input: NextAttemptInput): number | null {
  const { attemptNumber, scheduleSeconds, retryAfterSeconds, random = Math.random } = input;
  if (!Number.isInteger(attemptNumber) || attemptNumber < 1) {
    throw new RangeError(`attemptNumber must be an integer ≥ 1, got ${attemptNumber}`);
  }
  if (attemptNumber > scheduleSeconds.length) {
    return null;
  }
  const scheduled = scheduleSeconds[attemptNumber - 1] as number;
  if (!Number.isFinite(scheduled) || scheduled < 0) {
    throw new RangeError(`scheduleSeconds must be finite and ≥ 0, got ${scheduled}`);
  }
  const jitterFactor = 1 + RETRY_JITTER * (2 * random() - 1);
  const jittered = Math.round(scheduled * 1000 * jitterFactor);
  if (retryAfterSeconds === undefined || retryAfterSeconds === null || !(retryAfterSeconds > 0)) {
    return jittered;
  }
  const requested = Math.min(retryAfterSeconds, MAX_RETRY_AFTER_SECONDS) * 1000;
  return Math.max(jittered, Math.round(requested));
}

export type ResponseClass = 'success' | 'retry' | 'gone';

/**
 * What an attempt's result means for the delivery (DESIGN.md "Delivery semantics"): 2xx is
 * success; 410 Gone means the receiver wants no more (the webhook is turned off); everything else
 * — 3xx (redirects are not followed), other 4xx, 5xx, no status, or an error such as a deadline
 * hit while the body was still arriving — is retried.
 */
export function classifyResponse(statusCode: number | null, error: string | null): ResponseClass {
  if (error !== null || statusCode === null) {
    return 'retry';
  }
  if (statusCode >= 200 && statusCode < 300) {
    return 'success';
  }
  return statusCode === 410 ? 'gone' : 'retry';
}
