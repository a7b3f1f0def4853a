import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  decidePingWebhook,
  evolveWebhook,
  initialWebhookState,
  webhookStream,
} from '@herald/domain';
import type { EventStore } from '@herald/event-store';
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
    const stream = webhookStream(webhookId);
    const { state, currentVersion } = await this.events.aggregate(stream, {
      initialState: initialWebhookState,
      evolve: evolveWebhook,
    });
    const decided = decidePingWebhook({ ...actor, webhookId }, state);
    const { events } = await this.events.append(
      stream,
      decided.map((event) => ({ ...event, metadata: eventMetadata(context) })),
      { expectedVersion: currentVersion },
    );
    return { eventId: events[0].id };
  }
}
