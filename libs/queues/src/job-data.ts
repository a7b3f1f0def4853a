/** Job data holds ids only: payloads and secrets are read from PostgreSQL when the job runs. */
export interface DispatchJobData {
  eventId: string;
}

export interface DeliveryJobData {
  deliveryId: string;
  /** Bumped by redeliver/replay, so a new round gets a new job even while the old one is kept. */
  generation: number;
}

/** Job ids derive from the data, so adding the same work twice adds one job (BullMQ ignores the repeat). */
export function dispatchJobId(eventId: string): string {
  return `dispatch-${eventId}`;
}

export function deliveryJobId(deliveryId: string, generation: number): string {
  return `delivery-${deliveryId}-${generation}`;
}
