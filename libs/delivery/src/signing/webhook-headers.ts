import { signPayload, type SignPayloadInput } from './sign-payload';

export interface WebhookHeadersInput extends SignPayloadInput {
  /** `Herald/<version>`. */
  readonly userAgent: string;
}

/**
 * The headers of a webhook request (API.md "Webhook request"), signed over `body`. Send exactly
 * that `body` with them.
 */
export function buildWebhookHeaders(input: WebhookHeadersInput): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': input.userAgent,
    'webhook-id': input.webhookId,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': signPayload(input),
  };
}
