import type { Catalog } from '../catalog/catalog';
import { validateSubscriptionFilter } from '../catalog/validate-subscription-filter';
import { ActionNotAllowed, InvalidInput, WebhookAlreadyExists } from '../errors';
import { isWebhookStatus, type WebhookStatus } from '../events/webhook-status';
import type { WebhookSubscribed } from '../events/webhook-subscribed';
import { requireNonBlank } from '../users/user-guards';
import { requireWebhookActor, type WebhookActor } from './webhook-actor';
import { requireHttpUrl, requireSecretRef } from './webhook-guards';
import type { WebhookState } from './webhook-state';

/**
 * Subscribes a webhook owned by the actor. The caller generates `webhookId`, validates the URL
 * (including the SSRF guard) and seals a fresh secret into `secretRef`, so decide stays pure.
 */
export interface SubscribeWebhook extends WebhookActor {
  readonly webhookId: string;
  readonly url: string;
  readonly entity: string;
  readonly operation: string;
  /** Defaults to `on`. */
  readonly status?: WebhookStatus;
  readonly secretRef: string;
  readonly catalog: Catalog;
}

export function decideSubscribeWebhook(
  command: SubscribeWebhook,
  state: WebhookState,
): [WebhookSubscribed] {
  if (state.exists) {
    throw new WebhookAlreadyExists(command.webhookId);
  }
  const actor = requireWebhookActor(command);
  if (actor.actorRole === 'system') {
    throw new ActionNotAllowed('Only a user can own a webhook');
  }
  const webhookId = requireNonBlank('webhookId', command.webhookId);
  const url = requireHttpUrl('url', command.url);
  validateSubscriptionFilter(command.catalog, command.entity, command.operation);
  const status = command.status ?? 'on';
  if (!isWebhookStatus(status)) {
    throw new InvalidInput('status', "must be 'on' or 'off'");
  }
  const secretRef = requireSecretRef('secretRef', command.secretRef);
  return [
    {
      type: 'WebhookSubscribed',
      data: {
        webhookId,
        ownerId: actor.actorId,
        url,
        entity: command.entity,
        operation: command.operation,
        status,
        secretRef,
      },
    },
  ];
}
