import type { DomainEvent } from './domain-event';

/**
 * Someone asked for a test request. It is delivered to this webhook alone, as type `Webhook.Ping`,
 * and changes nothing about the webhook.
 */
export interface WebhookPingedData {
  readonly webhookId: string;
  readonly requestedBy: string;
}

export type WebhookPinged = DomainEvent<'WebhookPinged', WebhookPingedData>;
