import { Command } from '@nestjs/cqrs';
import type { WebhookActor, WebhookChanges, WebhookStatus } from '@herald/domain';
import type { CommandContext } from '../common/command-context';

/** A change of URL/filter and/or status, recorded together (one append, one version check). */
export class UpdateWebhookCommand extends Command<void> {
  constructor(
    readonly webhookId: string,
    readonly actor: WebhookActor,
    readonly changes: WebhookChanges,
    readonly status: WebhookStatus | undefined,
    /** In what capacity the status is changed: `owner` (PATCH /v1/webhooks) or `admin`. */
    readonly statusReason: 'owner' | 'admin',
    readonly context: CommandContext,
  ) {
    super();
  }
}
