import type { DomainEvent } from './domain-event';
import type { WebhookStatus, WebhookStatusReason } from './webhook-status';

export interface WebhookStatusChangedData {
  readonly webhookId: string;
  /** Always different from the status before. */
  readonly status: WebhookStatus;
  /** A user id, or `system` for the delivery worker. */
  readonly changedBy: string;
  readonly reason: WebhookStatusReason;
}

export type WebhookStatusChanged = DomainEvent<'WebhookStatusChanged', WebhookStatusChangedData>;
