import { Command } from '@nestjs/cqrs';

/** Deliver the past events of [from, to) that match the webhook's current filter again. */
export class ReplayWebhookCommand extends Command<{ count: number }> {
  constructor(
    readonly webhookId: string,
    /** ISO-8601 with a time zone, as the client sent it (validated by the handler). */
    readonly from: string,
    readonly to: string | undefined,
  ) {
    super();
  }
}
