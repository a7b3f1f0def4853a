import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import {
  DELIVERIES_QUEUE,
  enqueueDeliveries,
  type DeliveryJobData,
  type PendingDelivery,
} from '@herald/queues';
import type { Queue } from 'bullmq';

/** How long a request waits for Redis before it leaves the jobs to the reconciler. */
export const ENQUEUE_TIMEOUT_MS = 2000;
/** Jobs per `addBulk` call: keeps one Redis command (and its Lua script) small. */
const ENQUEUE_CHUNK = 1000;

/**
 * Puts pending deliveries on the `deliveries` queue for the API. Best-effort by design: the
 * deliveries rows are already committed as `pending`, so when Redis is down or slow this logs a
 * warning and returns, and the worker's reconciler enqueues them (same job ids, so a late success
 * of this call adds nothing twice).
 */
@Injectable()
export class DeliveryEnqueuer {
  private readonly logger = new Logger(DeliveryEnqueuer.name);

  constructor(
    @InjectQueue(DELIVERIES_QUEUE) private readonly queue: Queue<DeliveryJobData>,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {
    // Without a listener BullMQ prints every connection error to the console; enqueue reports
    // what matters to a request itself.
    this.queue.on('error', (error: Error) =>
      this.logger.debug(`deliveries queue connection: ${error.message}`),
    );
  }

  /** Returns whether every job was added; never throws. */
  async enqueue(deliveries: readonly PendingDelivery[]): Promise<boolean> {
    if (deliveries.length === 0) return true;
    const adding = (async () => {
      for (let start = 0; start < deliveries.length; start += ENQUEUE_CHUNK) {
        await enqueueDeliveries(
          this.queue,
          deliveries.slice(start, start + ENQUEUE_CHUNK),
          this.config.retryScheduleSeconds.length,
        );
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not answer within ${ENQUEUE_TIMEOUT_MS} ms`)),
        ENQUEUE_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([adding, timeout]);
      return true;
    } catch (error) {
      // The attempt may still finish later; its outcome no longer matters to this request.
      adding.catch(() => undefined);
      this.logger.warn(
        `Could not enqueue ${deliveries.length} deliveries (${(error as Error).message}); ` +
          'they are pending in PostgreSQL and the reconciler will enqueue them',
      );
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
