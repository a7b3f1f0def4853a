import { InvalidInput } from '../errors';
import type { WebhookSecretRotated } from '../events/webhook-secret-rotated';
import { requireIsoTimestamp } from './iso-timestamp';
import type { WebhookActor } from './webhook-actor';
import { requireOwnWebhook, requireSecretRef } from './webhook-guards';
import type { WebhookState } from './webhook-state';

/**
 * Replaces the signing secret. The caller seals a fresh secret into `secretRef` and picks until
 * when the current one keeps signing (24 h from now by default).
 */
export interface RotateWebhookSecret extends WebhookActor {
  readonly webhookId: string;
  readonly secretRef: string;
  /** ISO-8601 with a time zone; recorded normalised to UTC. */
  readonly previousValidUntil: string;
}

/**
 * Owner only. The current secret becomes the previous one; a secret still inside an earlier
 * overlap is dropped, so at most two secrets ever sign.
 */
export function decideRotateWebhookSecret(
  command: RotateWebhookSecret,
  state: WebhookState,
): [WebhookSecretRotated] {
  const webhook = requireOwnWebhook(state, command.webhookId, command);
  const secretRef = requireSecretRef('secretRef', command.secretRef);
  if (secretRef === webhook.secretRef) {
    throw new InvalidInput('secretRef', 'must be a new secret');
  }
  const previousValidUntil = requireIsoTimestamp('previousValidUntil', command.previousValidUntil);
  return [
    {
      type: 'WebhookSecretRotated',
      data: {
        webhookId: webhook.webhookId,
        secretRef,
        previousSecretRef: webhook.secretRef,
        previousValidUntil,
      },
    },
  ];
}
