import type { WebhookPinged } from '../events/webhook-pinged';
import type { WebhookActor } from './webhook-actor';
import { requireOwnWebhook } from './webhook-guards';
import type { WebhookState } from './webhook-state';

export interface PingWebhook extends WebhookActor {
  readonly webhookId: string;
}

/** Owner only. Allowed whatever the status: whether an off webhook gets its ping is dispatch's call. */
export function decidePingWebhook(command: PingWebhook, state: WebhookState): [WebhookPinged] {
  const webhook = requireOwnWebhook(state, command.webhookId, command);
  return [
    { type: 'WebhookPinged', data: { webhookId: webhook.webhookId, requestedBy: command.actorId } },
  ];
}
