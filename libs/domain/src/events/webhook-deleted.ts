import type { DomainEvent } from './domain-event';

/** The webhook is gone for good: nothing more is sent and every further command fails with 404. */
export interface WebhookDeletedData {
  readonly webhookId: string;
  readonly deletedBy: string;
}

export type WebhookDeleted = DomainEvent<'WebhookDeleted', WebhookDeletedData>;
