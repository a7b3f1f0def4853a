import type { Queue } from 'bullmq';
import { withRedisDeadline } from '../queues/redis-deadline';

/**
 * Whether the job that should carry some work is gone or finished (`unknown`, `completed`,
 * `failed`) although PostgreSQL says the work is still to do. A finished job is removed, so that
 * adding the same job id again creates a new job (BullMQ ignores an add whose id exists). Waiting,
 * delayed and active jobs are left alone: they will run.
 */
export async function takeStaleJob(
  queue: Queue,
  jobId: string,
  timeoutMs: number,
): Promise<boolean> {
  const state = await withRedisDeadline(queue.getJobState(jobId), timeoutMs, `job ${jobId} state`);
  if (state === 'unknown') return true;
  if (state !== 'completed' && state !== 'failed') return false;
  await withRedisDeadline(queue.remove(jobId), timeoutMs, `removing job ${jobId}`);
  return true;
}
