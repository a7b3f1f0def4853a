import { Command } from '@nestjs/cqrs';
import type { WebhookActor } from '@herald/domain';
import type { CommandContext } from '../common/command-context';

export class PingWebhookCommand extends Command<{ eventId: string }> {
  constructor(
    readonly webhookId: string,
    readonly actor: WebhookActor,
    readonly context: CommandContext,
  ) {
    super();
  }
}
