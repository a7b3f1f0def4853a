/**
 * Thrown by the deliveries processor after a failed attempt has been recorded with a next attempt
 * due: BullMQ counts it as a failed try and asks `deliveryBackoff`, which answers `delayMs`, the
 * delay already recorded in `deliveries.next_attempt_at`. The message names ids and the short
 * failure text only (it is stored in Redis as the job's failed reason).
 */
export class DeliveryRetryScheduled extends Error {
  constructor(
    readonly deliveryId: string,
    readonly attemptNumber: number,
    readonly failure: string,
    readonly delayMs: number,
  ) {
    super(
      `Delivery ${deliveryId} attempt ${attemptNumber} failed (${failure}); next attempt in ${delayMs} ms`,
    );
    this.name = new.target.name;
  }
}
