import type { JobsOptions } from 'bullmq';

/**
 * Finished jobs are kept a while for the dashboard, then removed; PostgreSQL keeps the lasting
 * record (deliveries and attempts), so nothing is lost when Redis forgets a job.
 */
export const JOB_RETENTION: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 100_000 },
};

/** Name of the worker's custom backoff: the delay comes from the delivery's retry schedule. */
export const DELIVERY_BACKOFF = 'herald-schedule';

/**
 * BullMQ's attempt limit is only a backstop: PostgreSQL's attempt count decides when a delivery is
 * exhausted. It must exceed the schedule's length plus attempts deferred by the per-endpoint cap.
 */
export function deliveryJobOptions(retries: number): JobsOptions {
  return {
    ...JOB_RETENTION,
    attempts: retries + 1 + 50,
    backoff: { type: DELIVERY_BACKOFF },
  };
}
