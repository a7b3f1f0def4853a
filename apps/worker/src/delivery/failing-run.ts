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

/**
 * Records a failure of `webhookId` at `now` in its failing run, inside the caller's transaction,
 * and returns when the run started. The run continues (keeps `failing_since`) only if the previous
 * failure was at most `gapMs` ago; otherwise this failure starts a new run. `last_failed_at`
 * always moves to the latest failure.
 */
export async function recordFailure(
  tx: EntityManager,
  webhookId: string,
  now: Date,
  gapMs: number,
): Promise<Date> {
  const [run] = await tx.query<{ failing_since: Date }[]>(
    `INSERT INTO webhook_failures (webhook_id, failing_since, last_failed_at) VALUES ($1, $2, $2)
     ON CONFLICT (webhook_id) DO UPDATE
        SET failing_since = CASE WHEN webhook_failures.last_failed_at < $3
                                 THEN EXCLUDED.failing_since
                                 ELSE webhook_failures.failing_since END,
            last_failed_at = GREATEST(webhook_failures.last_failed_at, EXCLUDED.last_failed_at)
     RETURNING failing_since`,
    [webhookId, now, new Date(now.getTime() - gapMs)],
  );
  return new Date(run!.failing_since);
}

/** Ends the webhook's failing run (a success, or the webhook turned off). */
export async function endFailingRun(tx: EntityManager, webhookId: string): Promise<void> {
  await tx.query('DELETE FROM webhook_failures WHERE webhook_id = $1', [webhookId]);
}
