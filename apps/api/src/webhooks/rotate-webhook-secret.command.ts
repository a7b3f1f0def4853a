import { Command } from '@nestjs/cqrs';
import type { WebhookActor } from '@herald/domain';
import type { CommandContext } from '../common/command-context';

export interface RotatedSecret {
  /** The new plaintext secret: returned once, stored only sealed. */
  secret: string;
  previousValidUntil: string;
}

export class RotateWebhookSecretCommand extends Command<RotatedSecret> {
  constructor(
    readonly webhookId: string,
    readonly actor: WebhookActor,
    readonly context: CommandContext,
  ) {
    super();
  }
}
