import { toMatchable, WebhookEventTypes } from '@herald/domain';

/**
 * Whether dispatch can turn the event into deliveries: an event a subscription filter can match
 * (entity changes, API key events) or a ping, which is addressed to one webhook. Everything else
 * (users created, webhook changes) is never sent, so the relay does not queue it.
 */
export function isDeliverableEvent(event: {
  readonly type: string;
  readonly data: unknown;
}): boolean {
  return event.type === WebhookEventTypes.WebhookPinged || toMatchable(event) !== null;
}
