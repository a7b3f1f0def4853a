import { isWebhookEvent } from '../events/webhook-event';
import type { EventToFold } from '../users/evolve-user';
import type { ExistingWebhook, WebhookState } from './webhook-state';

/**
 * Applies one event to the state. Pure and total: it never throws and never mutates `state`.
 * Unknown event types, and webhook events before WebhookSubscribed (which decide never produces),
 * leave the state unchanged, so a rebuild cannot fail half-way. `RecordedEvent`s fit, so
 * `{ initialState: initialWebhookState, evolve: evolveWebhook }` goes to the store's `aggregate`.
 */
export function evolveWebhook(state: WebhookState, event: EventToFold): WebhookState {
  if (!isWebhookEvent(event)) {
    return state;
  }
  if (event.type === 'WebhookSubscribed') {
    const { webhookId, ownerId, url, entity, operation, status, secretRef } = event.data;
    const subscribed: ExistingWebhook = {
      exists: true,
      webhookId,
      ownerId,
      url,
      entity,
      operation,
      status,
      statusReason: null,
      secretRef,
      previousSecretRef: null,
      previousValidUntil: null,
      deleted: false,
    };
    return event.recordedAt
      ? { ...subscribed, createdAt: event.recordedAt, updatedAt: event.recordedAt }
      : subscribed;
  }
  if (!state.exists) {
    return state;
  }
  const touched = event.recordedAt ? { updatedAt: event.recordedAt } : {};
  switch (event.type) {
    case 'WebhookUpdated': {
      const { url, entity, operation } = event.data.changes;
      return {
        ...state,
        ...(url !== undefined && { url }),
        ...(entity !== undefined && { entity }),
        ...(operation !== undefined && { operation }),
        ...touched,
      };
    }
    case 'WebhookStatusChanged':
      return { ...state, status: event.data.status, statusReason: event.data.reason, ...touched };
    case 'WebhookSecretRotated': {
      const { secretRef, previousSecretRef, previousValidUntil } = event.data;
      return { ...state, secretRef, previousSecretRef, previousValidUntil, ...touched };
    }
    case 'WebhookDeleted':
      return { ...state, deleted: true, ...touched };
    case 'WebhookPinged':
      return state;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}
