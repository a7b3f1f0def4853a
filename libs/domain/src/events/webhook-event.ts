import type { WebhookDeleted } from './webhook-deleted';
import type { WebhookPinged } from './webhook-pinged';
import type { WebhookSecretRotated } from './webhook-secret-rotated';
import type { WebhookStatusChanged } from './webhook-status-changed';
import type { WebhookSubscribed } from './webhook-subscribed';
import type { WebhookUpdated } from './webhook-updated';

/** Every event of a webhook stream. */
export type WebhookEvent =
  | WebhookSubscribed
  | WebhookUpdated
  | WebhookStatusChanged
  | WebhookSecretRotated
  | WebhookDeleted
  | WebhookPinged;

export type WebhookEventType = WebhookEvent['type'];

/** The type names as stored; use these instead of string literals when matching or filtering. */
export const WebhookEventTypes = {
  WebhookSubscribed: 'WebhookSubscribed',
  WebhookUpdated: 'WebhookUpdated',
  WebhookStatusChanged: 'WebhookStatusChanged',
  WebhookSecretRotated: 'WebhookSecretRotated',
  WebhookDeleted: 'WebhookDeleted',
  WebhookPinged: 'WebhookPinged',
} as const satisfies { readonly [Type in WebhookEventType]: Type };

const webhookEventTypeNames: ReadonlySet<string> = new Set(Object.values(WebhookEventTypes));

/**
 * Narrows an event read from the store by its type name. The data is trusted, not re-validated:
 * only the domain's own decide functions write these events.
 */
export function isWebhookEvent<E extends { readonly type: string; readonly data: unknown }>(
  event: E,
): event is E & WebhookEvent {
  return webhookEventTypeNames.has(event.type);
}
