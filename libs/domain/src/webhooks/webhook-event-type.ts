import { API_KEY_ENTITY } from '../catalog/catalog';
import { isEntityChanged } from '../events/entity-changed';

/** The `type` of a ping request; no subscription filter can match it. */
export const WEBHOOK_PING_TYPE = 'Webhook.Ping';

/** The operation names of the `ApiKey` entity, by the user event they come from. */
export const API_KEY_OPERATION_OF = {
  KeyRegenerated: 'Regenerate',
  KeyCleared: 'Clear',
} as const;

interface TypedEvent {
  readonly type: string;
  readonly data: unknown;
}

/**
 * The `type` receivers see (`<Entity>.<Operation>`): `Contact.Update` for an EntityChanged,
 * `ApiKey.Regenerate`/`ApiKey.Clear` for key events, `Webhook.Ping` for a ping; null for events
 * that are never delivered.
 */
export function webhookEventType(event: TypedEvent): string | null {
  if (isEntityChanged(event)) {
    return `${event.data.entity}.${event.data.operation}`;
  }
  if (event.type === 'KeyRegenerated' || event.type === 'KeyCleared') {
    return `${API_KEY_ENTITY}.${API_KEY_OPERATION_OF[event.type]}`;
  }
  if (event.type === 'WebhookPinged') {
    return WEBHOOK_PING_TYPE;
  }
  return null;
}
