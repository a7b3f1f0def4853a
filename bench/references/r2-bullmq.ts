import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { JOB_RETENTION } from '../../libs/queues/src/job-options';

export interface R2Result {
  /** Jobs/s through `addBulk` + a no-op worker at Herald's delivery concurrency. */
  jobsPerSecond: number;
  /** Redis `used_memory` growth per waiting job (no worker), bytes. */
  bytesPerQueuedJob: number;
  /** Redis commands (Lua scripts' inner calls included) per job added and processed. */
  redisCommandsPerJob: number;
}

export async function commandsProcessed(redis: IORedis): Promise<number> {
  const info = await redis.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)![1]);
}

export async function usedMemory(redis: IORedis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

/** Job data as Herald's delivery jobs carry it: ids, never payloads. */
const jobData = () => ({ deliveryId: randomUUID(), generation: 1 });

/**
 * R2: raw BullMQ on the same Redis, under a prefix of its own. `jobs` jobs added in `addBulk`
 * chunks while a no-op worker at `concurrency` takes them; the rate is jobs over the time from the
 * first add to the last completion. Then the footprint of `footprintJobs` waiting jobs.
 */
export async function runR2(
  redisUrl: string,
  jobs: number,
  concurrency: number,
  footprintJobs: number,
): Promise<R2Result> {
  const prefix = `bench-r2-${randomUUID().slice(0, 8)}`;
  const connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('deliveries', { connection, prefix });
  const commandsBefore = await commandsProcessed(connection);
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const started = Date.now();
  const workerConnection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker(
    'deliveries',
    async () => {
      done += 1;
      if (done === jobs) finish();
    },
    { connection: workerConnection, prefix, concurrency },
  );
  for (let added = 0; added < jobs; added += 500) {
    const size = Math.min(500, jobs - added);
    await queue.addBulk(
      Array.from({ length: size }, () => {
        const data = jobData();
        return {
          name: 'deliver',
          data,
          opts: { ...JOB_RETENTION, jobId: `${data.deliveryId}-1` },
        };
      }),
    );
  }
  await finished;
  const jobsPerSecond = jobs / ((Date.now() - started) / 1000);
  await worker.close();
  const redisCommandsPerJob = ((await commandsProcessed(connection)) - commandsBefore) / jobs;
  workerConnection.disconnect(); // BullMQ leaves connections it was given open

  await queue.obliterate({ force: true });
  const before = await usedMemory(connection);
  for (let added = 0; added < footprintJobs; added += 500) {
    const size = Math.min(500, footprintJobs - added);
    await queue.addBulk(
      Array.from({ length: size }, () => {
        const data = jobData();
        return { name: 'deliver', data, opts: { ...JOB_RETENTION, jobId: `${data.deliveryId}-1` } };
      }),
    );
  }
  const bytesPerQueuedJob = ((await usedMemory(connection)) - before) / footprintJobs;
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return { jobsPerSecond, bytesPerQueuedJob, redisCommandsPerJob };
}
