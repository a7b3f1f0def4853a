import type { DomainEvent } from './domain-event';
import type { WebhookStatus } from './webhook-status';

/** A new webhook subscription; the first event of its stream. */
export interface WebhookSubscribedData {
  readonly webhookId: string;
  readonly ownerId: string;
  readonly url: string;
  /** A catalog entity, `ApiKey` or `*`. */
  readonly entity: string;
  /** A catalog operation, an `ApiKey` operation or `*`. */
  readonly operation: string;
  readonly status: WebhookStatus;
  /**
   * The signing secret sealed by the caller (AES-256-GCM box, opaque here). The plaintext
   * `whsec_…` secret is shown once and never enters an event.
   */
  readonly secretRef: string;
}

export type WebhookSubscribed = DomainEvent<'WebhookSubscribed', WebhookSubscribedData>;
