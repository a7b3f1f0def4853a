import type { WebhookStatus, WebhookStatusReason } from '../events/webhook-status';

export interface NoWebhook {
  readonly exists: false;
}

export interface ExistingWebhook {
  readonly exists: true;
  readonly webhookId: string;
  readonly ownerId: string;
  readonly url: string;
  readonly entity: string;
  readonly operation: string;
  readonly status: WebhookStatus;
  /** Why the status last changed; null while it is still the status it was subscribed with. */
  readonly statusReason: WebhookStatusReason | null;
  /** The current secret, sealed. */
  readonly secretRef: string;
  /** The secret replaced by the last rotation, sealed; it signs too until `previousValidUntil`. */
  readonly previousSecretRef: string | null;
  readonly previousValidUntil: string | null;
  /** A deleted webhook keeps its last state for the audit trail but refuses every command. */
  readonly deleted: boolean;
  /** The store's `recordedAt` of WebhookSubscribed; absent when folded without timestamps. */
  readonly createdAt?: Date;
  /** The store's `recordedAt` of the last event that changed the webhook (a ping changes nothing). */
  readonly updatedAt?: Date;
}

/** What decisions about a webhook need, folded from its stream. */
export type WebhookState = NoWebhook | ExistingWebhook;

export function initialWebhookState(): WebhookState {
  return { exists: false };
}
