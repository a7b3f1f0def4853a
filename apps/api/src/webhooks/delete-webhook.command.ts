import { Command } from '@nestjs/cqrs';
import type { WebhookActor } from '@herald/domain';
import type { CommandContext } from '../common/command-context';

export class DeleteWebhookCommand extends Command<void> {
  constructor(
    readonly webhookId: string,
    readonly actor: WebhookActor,
    readonly context: CommandContext,
  ) {
    super();
  }
}
