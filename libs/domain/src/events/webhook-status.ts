/** `on`: matching events are delivered; `off`: nothing is sent (matching events are not recorded). */
export type WebhookStatus = 'on' | 'off';

export const WEBHOOK_STATUSES: readonly WebhookStatus[] = ['on', 'off'];

export function isWebhookStatus(value: unknown): value is WebhookStatus {
  return (WEBHOOK_STATUSES as readonly unknown[]).includes(value);
}

/**
 * Why the status last changed: `admin` (an admin's switch), `owner` (the owner's switch),
 * `endpoint_gone` (the receiver answered 410), `failing` (deliveries kept failing for too long).
 * The last two are the system's and only ever turn a webhook off.
 */
export type WebhookStatusReason = 'admin' | 'owner' | 'endpoint_gone' | 'failing';

export const WEBHOOK_STATUS_REASONS: readonly WebhookStatusReason[] = [
  'admin',
  'owner',
  'endpoint_gone',
  'failing',
];

/** The reasons only the system (the delivery worker) gives. */
export const SYSTEM_STATUS_REASONS: readonly WebhookStatusReason[] = ['endpoint_gone', 'failing'];

export function isWebhookStatusReason(value: unknown): value is WebhookStatusReason {
  return (WEBHOOK_STATUS_REASONS as readonly unknown[]).includes(value);
}
