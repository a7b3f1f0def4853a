import type { DomainEvent } from './domain-event';

/** The fields an update may change. An event holds only those that actually changed. */
export interface WebhookChanges {
  readonly url?: string;
  readonly entity?: string;
  readonly operation?: string;
}

export interface WebhookUpdatedData {
  readonly webhookId: string;
  /** At least one field, each different from its value before. */
  readonly changes: WebhookChanges;
}

export type WebhookUpdated = DomainEvent<'WebhookUpdated', WebhookUpdatedData>;
