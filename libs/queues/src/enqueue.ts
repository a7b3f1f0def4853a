import type { Queue } from 'bullmq';
import {
  deliveryJobId,
  dispatchJobId,
  type DeliveryJobData,
  type DispatchJobData,
} from './job-data';
import { JOB_RETENTION, deliveryJobOptions } from './job-options';

export interface PendingDelivery {
  id: string;
  generation: number;
  /** Delay before the first try of this job (ms); 0 or absent: now. */
  delayMs?: number;
}

export async function enqueueDeliveries(
  queue: Queue<DeliveryJobData>,
  deliveries: readonly PendingDelivery[],
  retries: number,
): Promise<void> {
  if (deliveries.length === 0) return;
  await queue.addBulk(
    deliveries.map((delivery) => ({
      name: 'deliver',
      data: { deliveryId: delivery.id, generation: delivery.generation },
      opts: {
        ...deliveryJobOptions(retries),
        jobId: deliveryJobId(delivery.id, delivery.generation),
        delay: Math.max(0, delivery.delayMs ?? 0),
      },
    })),
  );
}

export async function enqueueDispatches(
  queue: Queue<DispatchJobData>,
  eventIds: readonly string[],
): Promise<void> {
  if (eventIds.length === 0) return;
  await queue.addBulk(
    eventIds.map((eventId) => ({
      name: 'dispatch',
      data: { eventId },
      opts: {
        ...JOB_RETENTION,
        jobId: dispatchJobId(eventId),
        attempts: 10,
        backoff: { type: 'exponential', delay: 1000 },
      },
    })),
  );
}
