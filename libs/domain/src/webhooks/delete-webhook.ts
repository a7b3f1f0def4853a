import type { WebhookDeleted } from '../events/webhook-deleted';
import type { WebhookActor } from './webhook-actor';
import { requireOwnWebhook } from './webhook-guards';
import type { WebhookState } from './webhook-state';

export interface DeleteWebhook extends WebhookActor {
  readonly webhookId: string;
}

/**
 * Owner only. Deleting twice fails with `WebhookNotFound` like any command on a deleted webhook:
 * to its owner it no longer exists.
 */
export function decideDeleteWebhook(command: DeleteWebhook, state: WebhookState): [WebhookDeleted] {
  const webhook = requireOwnWebhook(state, command.webhookId, command);
  return [
    { type: 'WebhookDeleted', data: { webhookId: webhook.webhookId, deletedBy: command.actorId } },
  ];
}
