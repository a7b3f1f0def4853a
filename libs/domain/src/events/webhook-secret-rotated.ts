import type { DomainEvent } from './domain-event';

/**
 * A new signing secret. Until `previousValidUntil`, requests are signed with both the new and the
 * previous secret, so receivers can switch over without losing a request.
 */
export interface WebhookSecretRotatedData {
  readonly webhookId: string;
  /** The new secret, sealed by the caller; never the plaintext. */
  readonly secretRef: string;
  /** The secret it replaces, as it was sealed (a rotation during an overlap drops the older one). */
  readonly previousSecretRef: string;
  /** ISO-8601 (UTC, as `Date.toISOString` writes it). */
  readonly previousValidUntil: string;
}

export type WebhookSecretRotated = DomainEvent<'WebhookSecretRotated', WebhookSecretRotatedData>;
