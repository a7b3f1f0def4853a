import { Command } from '@nestjs/cqrs';
import type { WebhookActor, WebhookStatus } from '@herald/domain';
import type { CommandContext } from '../common/command-context';

export interface SubscribedWebhook {
  webhookId: string;
  /** The plaintext `whsec_…` secret: returned to the caller once, stored only sealed. */
  secret: string;
}

export class SubscribeWebhookCommand extends Command<SubscribedWebhook> {
  constructor(
    readonly actor: WebhookActor,
    readonly url: string,
    readonly entity: string,
    readonly operation: string,
    readonly status: WebhookStatus | undefined,
    readonly context: CommandContext,
  ) {
    super();
  }
}
