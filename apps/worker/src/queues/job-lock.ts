import type { Worker } from 'bullmq';

/**
 * Gives a worker the configured job lock (`HERALD_JOB_LOCK_MS`): it claims each job for `lockMs`
 * and renews the claim while the job runs; every `lockMs` it moves jobs whose claim lapsed (their
 * worker crashed or froze) back to waiting, so they run elsewhere within about twice `lockMs`.
 *
 * @nestjs/bullmq builds the worker from the decorator, before configuration is at hand, and
 * BullMQ's lock manager copies its settings at construction: so this must run on a worker created
 * with `autorun: false`, before `worker.run()`, and it rebuilds the lock manager.
 */
export function applyJobLock(worker: Worker, lockMs: number): void {
  Object.assign(worker.opts, {
    lockDuration: lockMs,
    lockRenewTime: lockMs / 2,
    stalledInterval: lockMs,
  });
  (worker as unknown as { createLockManager(): void }).createLockManager();
}
