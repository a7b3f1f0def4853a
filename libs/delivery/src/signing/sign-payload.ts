import { createHmac } from 'node:crypto';
import { decodeWebhookSecret } from './webhook-secret';

export interface SignPayloadInput {
  /** `webhook-id`: the event's id, the same on every retry, redelivery and replay. */
  readonly webhookId: string;
  /** `webhook-timestamp`: unix seconds of this attempt. */
  readonly timestamp: number;
  /** The exact bytes sent as the request body — never a re-serialisation of them. */
  readonly body: string | Uint8Array;
  /** Every secret valid right now: one during normal operation, two during a rotation. */
  readonly secrets: readonly string[];
}

/**
 * The `webhook-signature` header value per Standard Webhooks: for each secret,
 * `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, space-separated, in the order of
 * `secrets`. A receiver holding any one of the secrets verifies the request.
 *
 * The body goes into the HMAC as bytes (a string as UTF-8), so what is signed is exactly what
 * undici writes. Throws `InvalidWebhookSecret` for a malformed secret and `RangeError` for no
 * secrets, an empty id or a timestamp that is not whole non-negative seconds.
 */
export function signPayload(input: SignPayloadInput): string {
  const { webhookId, timestamp, body, secrets } = input;
  if (secrets.length === 0) {
    throw new RangeError('At least one secret is needed to sign');
  }
  if (webhookId === '') {
    throw new RangeError('webhookId must not be empty');
  }
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError(`timestamp must be whole unix seconds, got ${timestamp}`);
  }
  const prefix = `${webhookId}.${timestamp}.`;
  return secrets
    .map((secret) => {
      const digest = createHmac('sha256', decodeWebhookSecret(secret))
        .update(prefix, 'utf8')
        .update(body)
        .digest('base64');
      return `v1,${digest}`;
    })
    .join(' ');
}
