import type { Catalog } from '../catalog/catalog';
import { validateSubscriptionFilter } from '../catalog/validate-subscription-filter';
import { InvalidInput } from '../errors';
import type { WebhookChanges, WebhookUpdated } from '../events/webhook-updated';
import type { WebhookActor } from './webhook-actor';
import { requireHttpUrl, requireOwnWebhook } from './webhook-guards';
import type { WebhookState } from './webhook-state';

/** Changes the URL or filter. Status has its own command (`ChangeWebhookStatus`). */
export interface UpdateWebhook extends WebhookActor {
  readonly webhookId: string;
  /** Fields left out (or `undefined`) stay as they are. */
  readonly changes: WebhookChanges;
  readonly catalog: Catalog;
}

/**
 * Owner only. A changed filter is validated as a whole (changing only the entity to `ApiKey`
 * while the operation is `Create` is refused). Idempotent: fields equal to their current value are
 * left out of the event, and when none is left there is no event at all.
 */
export function decideUpdateWebhook(
  command: UpdateWebhook,
  state: WebhookState,
): [] | [WebhookUpdated] {
  const webhook = requireOwnWebhook(state, command.webhookId, command);
  if (typeof command.changes !== 'object' || command.changes === null) {
    throw new InvalidInput('changes', 'must be an object');
  }
  const { url, entity, operation } = command.changes;
  if (url !== undefined) {
    requireHttpUrl('url', url);
  }
  // Only a filter being changed is checked against the catalog, so a webhook whose entity has
  // since left the configured catalog can still get a new URL. `=== undefined`, not `??`: a null
  // from untyped input must fail validation, not mean "unchanged".
  if (entity !== undefined || operation !== undefined) {
    validateSubscriptionFilter(
      command.catalog,
      entity === undefined ? webhook.entity : entity,
      operation === undefined ? webhook.operation : operation,
    );
  }
  const changes: WebhookChanges = {
    ...(url !== undefined && url !== webhook.url && { url }),
    ...(entity !== undefined && entity !== webhook.entity && { entity }),
    ...(operation !== undefined && operation !== webhook.operation && { operation }),
  };
  if (Object.keys(changes).length === 0) {
    return [];
  }
  return [{ type: 'WebhookUpdated', data: { webhookId: webhook.webhookId, changes } }];
}
