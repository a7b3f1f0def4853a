import { Gauge, type Registry } from 'prom-client';
import { withDeadline } from './deadline';

/** What the gauge needs of a BullMQ queue. */
export interface CountableQueue {
  readonly name: string;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

/** The BullMQ job states that are reported, as BullMQ names them. */
export const QUEUE_JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'paused',
  'waiting-children',
  'completed',
  'failed',
] as const;

export const QUEUE_JOBS_METRIC = 'herald_queue_jobs';

/**
 * `herald_queue_jobs{queue,state}`: jobs per queue and state, read from Redis on each scrape
 * (`getJobCounts`, a few cheap commands). A queue that does not answer within `timeoutMs` (Redis
 * away, or still connecting) has no series in that scrape, so `/metrics` never hangs on Redis and
 * never reports a stale or made-up depth.
 */
export function registerQueueDepth(
  registry: Registry,
  queues: readonly CountableQueue[],
  timeoutMs = 1000,
): Gauge<'queue' | 'state'> {
  // One read per queue in flight: while Redis is away, connections that queue commands (the
  // worker's) would otherwise pile up one read per scrape and flush them all when it returns.
  const inFlight = new Map<string, Promise<Record<string, number>>>();
  const countsOf = (queue: CountableQueue): Promise<Record<string, number>> => {
    let reading = inFlight.get(queue.name);
    if (!reading) {
      reading = queue.getJobCounts(...QUEUE_JOB_STATES).finally(() => inFlight.delete(queue.name));
      inFlight.set(queue.name, reading);
    }
    return reading;
  };
  return new Gauge({
    name: QUEUE_JOBS_METRIC,
    help: 'Jobs in each BullMQ queue by state (read from Redis at scrape time)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      await Promise.all(
        queues.map(async (queue) => {
          let counts: Record<string, number>;
          try {
            counts = await withDeadline(countsOf(queue), timeoutMs, `queue ${queue.name}`);
          } catch {
            return;
          }
          for (const state of QUEUE_JOB_STATES)
            this.set({ queue: queue.name, state }, Number(counts[state] ?? 0));
        }),
      );
    },
  });
}
