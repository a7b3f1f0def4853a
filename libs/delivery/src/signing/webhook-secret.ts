import { randomBytes } from 'node:crypto';

/** Standard Webhooks' secret prefix; receivers' libraries strip it before base64-decoding. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** Random bytes in a new secret; Standard Webhooks asks for 24 to 64. */
export const WEBHOOK_SECRET_BYTES = 32;
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export class InvalidWebhookSecret extends Error {
  constructor(reason: string) {
    // The secret itself is never part of the message: messages end up in logs.
    super(`Invalid webhook secret: ${reason}`);
    this.name = new.target.name;
  }
}

/** A new secret: `whsec_` + standard base64 of 32 random bytes from node:crypto. */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(WEBHOOK_SECRET_BYTES).toString('base64');
}

/**
 * The HMAC key of a `whsec_…` secret: its base64 part, decoded. Strict where Node's base64
 * decoder is lenient (it silently skips bad characters), so a corrupted secret fails loudly here
 * instead of producing signatures no receiver can verify. Throws `InvalidWebhookSecret`.
 */
export function decodeWebhookSecret(secret: string): Buffer {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) {
    throw new InvalidWebhookSecret(`must start with ${WEBHOOK_SECRET_PREFIX}`);
  }
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!STANDARD_BASE64.test(encoded)) {
    throw new InvalidWebhookSecret('is not standard base64 after the prefix');
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
    throw new InvalidWebhookSecret(`must encode ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} bytes`);
  }
  return key;
}
