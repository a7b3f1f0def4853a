import { RETRY_JITTER } from '@herald/delivery';
import type { BackoffStrategy } from 'bullmq';
import { DeliveryRetryScheduled } from './delivery-retry-scheduled';

/** Ceiling of the backoff after an unexpected error (database down, a bug): retry, but not hammer. */
export const UNEXPECTED_ERROR_MAX_DELAY_MS = 5 * 60 * 1000;
const UNEXPECTED_ERROR_BASE_DELAY_MS = 1000;

/**
 * BullMQ backoff strategy of the deliveries worker (`DELIVERY_BACKOFF` jobs).
 *
 * - After a recorded failed attempt (`DeliveryRetryScheduled`): exactly the delay the processor
 *   recorded in `next_attempt_at`, so Redis and PostgreSQL agree on when the next attempt runs.
 * - After any other error nothing was recorded: `unexpectedErrorDelay`. Should a job ever start
 *   before the row's `next_attempt_at`, the processor defers it to that time, so PostgreSQL's
 *   schedule wins over whatever Redis decided.
 */
export const deliveryBackoff: BackoffStrategy = (attemptsMade, _type, error) =>
  error instanceof DeliveryRetryScheduled ? error.delayMs : unexpectedErrorDelay(attemptsMade);

/** Exponential from 1 s (first retry) to at most 5 min, ±20%, in whole milliseconds. */
export function unexpectedErrorDelay(
  attemptsMade: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.min(attemptsMade - 1, 20));
  const delay = Math.min(
    UNEXPECTED_ERROR_BASE_DELAY_MS * 2 ** exponent,
    UNEXPECTED_ERROR_MAX_DELAY_MS,
  );
  return Math.round(delay * (1 + RETRY_JITTER * (2 * random() - 1)));
}
