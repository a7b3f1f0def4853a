import { Command } from '@nestjs/cqrs';

/** Send one delivery again, with its original webhook-id and body. */
export class RedeliverCommand extends Command<void> {
  constructor(
    readonly webhookId: string,
    readonly deliveryId: string,
  ) {
    super();
  }
}
