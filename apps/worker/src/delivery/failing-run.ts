import { MAX_RETRY_AFTER_SECONDS, RETRY_JITTER } from '@herald/delivery';
import type { HeraldConfig } from '@herald/config';
import type { EntityManager } from 'typeorm';

/**
 * Slack on top of the longest scheduled delay before a retry is considered late: the attempt's
 * own deadline is added separately; this covers a busy endpoint's deferrals, the reconciler
 * re-enqueueing a lost job (30 s past due plus its interval) and queue lag.
 */
export const RUN_GAP_MARGIN_MS = 10 * 60 * 1000;

/**
 * The longest time the retry schedule can leave between two failures of one failing webhook:
 * the largest step with its jitter, or a clamped `Retry-After`, whichever is longer, plus the
 * attempt's deadline, the reconciler's interval and `RUN_GAP_MARGIN_MS`. A failure later than this
 * after the previous one cannot belong to the same run of retries. (A queue backlog longer than
 * the margin splits a run in two: the webhook is then turned off later, never earlier.)
 */
export function longestRetryGapMs(
  config: Pick<HeraldConfig, 'retryScheduleSeconds' | 'deliveryTimeoutMs' | 'reconcileIntervalMs'>,
): number {
  const longestStepSeconds = Math.max(0, ...config.retryScheduleSeconds) * (1 + RETRY_JITTER);
  const longestDelayMs = Math.max(longestStepSeconds, MAX_RETRY_AFTER_SECONDS) * 1000;
  return longestDelayMs + config.deliveryTimeoutMs + config.reconcileIntervalMs + RUN_GAP_MARGIN_MS;
}

/** Ends the webhook's failing run when it is turned off (a success ends it in recordSucceededAttempts). */
export async function endFailingRun(tx: EntityManager, webhookId: string): Promise<void> {
  await tx.query('DELETE FROM webhook_failures WHERE webhook_id = $1', [webhookId]);
}
