import { buildWebhookHeaders, decryptSecret } from '@herald/delivery';
import { webhookRequestBody, type DeliverableEvent } from '@herald/domain';
import type { TargetWebhook } from './delivery-target';

export interface WebhookRequest {
  /** Exactly the bytes that were signed; send them unchanged. */
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface WebhookRequestInput {
  readonly event: DeliverableEvent;
  readonly webhook: Pick<
    TargetWebhook,
    'id' | 'secretRef' | 'previousSecretRef' | 'previousValidUntil'
  >;
  /** `HERALD_SECRET_KEY`, which opens the sealed secrets. */
  readonly secretKey: Buffer;
  readonly now: Date;
  readonly userAgent: string;
}

/**
 * The signed request for one attempt (Standard Webhooks).
 *
 * Guarantees: the body is `webhookRequestBody(event)`, identical on every retry, redelivery and
 * replay, and `webhook-id` is the event's id; `webhook-timestamp` is this attempt's time. It is
 * signed with the current secret and, while `previousValidUntil` is still ahead, the previous one
 * too, so a receiver holding either verifies it. The plaintext secrets live only inside this call;
 * a box that does not open (wrong key, box of another webhook) throws `SecretBoxError`, which never
 * contains the secret, and nothing is sent unsigned.
 */
export function buildWebhookRequest(input: WebhookRequestInput): WebhookRequest {
  const { event, webhook, secretKey, now } = input;
  const open = (ref: string) => decryptSecret(ref, secretKey, { associatedData: webhook.id });
  const secrets = [open(webhook.secretRef)];
  if (
    webhook.previousSecretRef !== null &&
    webhook.previousValidUntil !== null &&
    webhook.previousValidUntil.getTime() > now.getTime()
  ) {
    secrets.push(open(webhook.previousSecretRef));
  }
  const body = webhookRequestBody(event);
  const headers = buildWebhookHeaders({
    webhookId: event.id,
    timestamp: Math.floor(now.getTime() / 1000),
    body,
    secrets,
    userAgent: input.userAgent,
  });
  return { body, headers };
}
