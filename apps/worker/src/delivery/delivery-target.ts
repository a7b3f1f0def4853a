import type { RecordedEvent } from '@herald/event-store';
import type { WebhookStatus } from '@herald/domain';

export type DeliveryStatus = 'pending' | 'succeeded' | 'exhausted' | 'skipped';

/** Why a delivery was recorded `skipped` at send time (nothing was sent). */
export type SkipReason = 'webhook_deleted' | 'webhook_off' | 'owner_api_access_off';

/** The webhook a delivery goes to, as the `webhooks` projection holds it at send time. */
export interface TargetWebhook {
  readonly id: string;
  readonly ownerId: string;
  readonly url: string;
  readonly status: WebhookStatus;
  readonly deletedAt: Date | null;
  /** Sealed secrets (AES-256-GCM boxes), opened only to sign. */
  readonly secretRef: string;
  readonly previousSecretRef: string | null;
  readonly previousValidUntil: Date | null;
}

/** A delivery row with everything sending it depends on, read in one query. */
export interface DeliveryTarget {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly status: DeliveryStatus;
  readonly generation: number;
  readonly attemptCount: number;
  readonly nextAttemptAt: Date | null;
  /** Null only if the webhook row is missing altogether (treated as deleted). */
  readonly webhook: TargetWebhook | null;
  /** `api_key_states.enabled` of the webhook's owner; false when the owner has no key state. */
  readonly ownerApiAccess: boolean;
  /** The event's `metadata.correlationId` (the request that caused it), for the logs. */
  readonly correlationId?: string | null;
  /** The event to send, as recorded; null if it no longer exists. */
  readonly event: RecordedEvent | null;
}

/** Whether the job should act at all: the row is still waiting for exactly this round. */
export function isDueForJob(target: DeliveryTarget, generation: number): boolean {
  return target.status === 'pending' && target.generation === generation;
}

export type SendDecision =
  | { readonly send: TargetWebhook; readonly skip?: undefined }
  | { readonly skip: SkipReason; readonly send?: undefined };

/** Whether the delivery may be sent now (to which webhook), or why it must be skipped. */
export function decideSending(target: DeliveryTarget): SendDecision {
  const { webhook } = target;
  if (webhook === null || webhook.deletedAt !== null) return { skip: 'webhook_deleted' };
  if (webhook.status !== 'on') return { skip: 'webhook_off' };
  if (!target.ownerApiAccess) return { skip: 'owner_api_access_off' };
  return { send: webhook };
}
