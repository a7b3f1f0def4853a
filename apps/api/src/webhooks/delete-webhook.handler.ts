import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  decideDeleteWebhook,
  evolveWebhook,
  initialWebhookState,
  webhookStream,
} from '@herald/domain';
import { handleCommand, type EventStore } from '@herald/event-store';
import { EVENT_STORE } from '@herald/projections';
import { eventMetadata } from '../common/command-context';
import { DeleteWebhookCommand } from './delete-webhook.command';

/** Appends WebhookDeleted; the projection marks the row deleted in the same transaction. */
@CommandHandler(DeleteWebhookCommand)
export class DeleteWebhookHandler implements ICommandHandler<DeleteWebhookCommand> {
  constructor(@Inject(EVENT_STORE) private readonly events: EventStore) {}

  async execute({ webhookId, actor, context }: DeleteWebhookCommand): Promise<void> {
    await handleCommand(
      this.events,
      webhookStream(webhookId),
      (state) => decideDeleteWebhook({ ...actor, webhookId }, state),
      {
        initialState: initialWebhookState,
        evolve: evolveWebhook,
        metadata: eventMetadata(context),
      },
    );
  }
}
