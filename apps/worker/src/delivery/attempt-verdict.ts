import { classifyResponse, nextAttemptDelay, type SendWebhookResult } from '@herald/delivery';

/** What one attempt's result means for its delivery (DESIGN.md "Delivery semantics"). */
export type AttemptVerdict =
  | { readonly kind: 'succeeded' }
  /** 410: the receiver wants no more; the delivery ends and the webhook is turned off. */
  | { readonly kind: 'gone' }
  | { readonly kind: 'retry'; readonly failure: string; readonly delayMs: number }
  | { readonly kind: 'exhausted'; readonly failure: string };

export type AttemptResult = Pick<SendWebhookResult, 'statusCode' | 'error' | 'retryAfterSeconds'>;

/** The short text of a failed attempt, kept as the exhausted delivery's reason: `HTTP 500`, `timeout`. */
export function failureText(result: AttemptResult): string {
  return result.error ?? `HTTP ${result.statusCode}`;
}

/**
 * Pure: judges attempt number `attemptNumber` (1-based, counting this one) against the retry
 * schedule. A failure is retried after `nextAttemptDelay` (jittered, `Retry-After` honoured and
 * clamped) until the schedule runs out; then the delivery is exhausted.
 */
export function judgeAttempt(
  result: AttemptResult,
  attemptNumber: number,
  scheduleSeconds: readonly number[],
  random?: () => number,
): AttemptVerdict {
  const responseClass = classifyResponse(result.statusCode, result.error);
  if (responseClass === 'success') return { kind: 'succeeded' };
  if (responseClass === 'gone') return { kind: 'gone' };
  const failure = failureText(result);
  const delayMs = nextAttemptDelay({
    attemptNumber,
    scheduleSeconds,
    retryAfterSeconds: result.retryAfterSeconds,
    random,
  });
  return delayMs === null ? { kind: 'exhausted', failure } : { kind: 'retry', failure, delayMs };
}
