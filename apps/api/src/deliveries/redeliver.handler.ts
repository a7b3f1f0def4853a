import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { DeliveryEnqueuer } from '../queues/delivery-enqueuer';
import { deliveryNotFound } from './delivery-directory';
import { RedeliverCommand } from './redeliver.command';

/**
 * Makes the delivery `pending` again under a new generation (so the job id is new even while the
 * previous job is still kept, and a stale job of the old generation is ignored by the worker),
 * then enqueues it. The row is committed first: if Redis is down the reconciler enqueues it.
 */
@CommandHandler(RedeliverCommand)
export class RedeliverHandler implements ICommandHandler<RedeliverCommand> {
  constructor(
    private readonly db: DataSource,
    private readonly enqueuer: DeliveryEnqueuer,
  ) {}

  async execute({ webhookId, deliveryId }: RedeliverCommand): Promise<void> {
    const rows: { id: string; generation: number }[] = await this.db.query(
      `WITH redelivered AS (
         UPDATE deliveries
            SET status = 'pending', reason = NULL, generation = generation + 1, round_attempts = 0,
                next_attempt_at = now(), updated_at = now()
          WHERE id = $1 AND webhook_id = $2
         RETURNING id, generation)
       SELECT id, generation FROM redelivered`,
      [deliveryId, webhookId],
    );
    if (rows.length === 0) throw deliveryNotFound(deliveryId);
    await this.enqueuer.enqueue(rows);
  }
}
