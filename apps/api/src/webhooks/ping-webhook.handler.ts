import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  decidePingWebhook,
  evolveWebhook,
  initialWebhookState,
  webhookStream,
} from '@herald/domain';
import { handleCommand, type EventStore } from '@herald/event-store';
import { EVENT_STORE } from '@herald/projections';
import { eventMetadata } from '../common/command-context';
import { PingWebhookCommand } from './ping-webhook.command';

/**
 * Appends WebhookPinged to the webhook's stream; the relay and dispatch deliver it to this webhook
 * alone. Checked at the stream's version, so a ping never lands after a concurrent delete.
 */
@CommandHandler(PingWebhookCommand)
export class PingWebhookHandler implements ICommandHandler<PingWebhookCommand> {
  constructor(@Inject(EVENT_STORE) private readonly events: EventStore) {}

  async execute({ webhookId, actor, context }: PingWebhookCommand): Promise<{ eventId: string }> {
    const events = await handleCommand(
      this.events,
      webhookStream(webhookId),
      (state) => decidePingWebhook({ ...actor, webhookId }, state),
      {
        initialState: initialWebhookState,
        evolve: evolveWebhook,
        metadata: eventMetadata(context),
      },
    );
    return { eventId: events[0].id };
  }
}
