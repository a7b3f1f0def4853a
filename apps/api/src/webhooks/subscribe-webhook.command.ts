import { Command } from '@nestjs/cqrs';
import type { WebhookActor, WebhookStatus } from '@herald/domain';
import type { CommandContext } from '../common/command-context';
import type { WebhookView } from './webhook.view';

export interface SubscribedWebhook {
  /** The new webhook as the projection holds it, read before the commit. */
  webhook: WebhookView;
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
