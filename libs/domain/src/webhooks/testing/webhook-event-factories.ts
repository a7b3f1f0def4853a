import type { EntityChanged, EntityChangedData } from '../../events/entity-changed';
import type { WebhookDeleted, WebhookDeletedData } from '../../events/webhook-deleted';
import type { WebhookPinged, WebhookPingedData } from '../../events/webhook-pinged';
import type {
  WebhookSecretRotated,
  WebhookSecretRotatedData,
} from '../../events/webhook-secret-rotated';
import type {
  WebhookStatusChanged,
  WebhookStatusChangedData,
} from '../../events/webhook-status-changed';
import type { WebhookSubscribed, WebhookSubscribedData } from '../../events/webhook-subscribed';
import type { WebhookUpdated, WebhookUpdatedData } from '../../events/webhook-updated';

/** Ids in UUID form, so the same events also fit the `webhooks` table's uuid columns. */
export const WEBHOOK_ID = '5f0c3a52-7a61-4d0e-9d38-1a3c2b7e0001';
export const OWNER_ID = '5f0c3a52-7a61-4d0e-9d38-1a3c2b7e00a1';
export const OTHER_USER_ID = '5f0c3a52-7a61-4d0e-9d38-1a3c2b7e00b2';
export const ADMIN_ID = '5f0c3a52-7a61-4d0e-9d38-1a3c2b7e00c3';

/** Stand-ins for sealed secrets (the real ones are `v1.<iv>.<tag>.<ciphertext>` boxes). */
export const SECRET_REF_1 = 'v1.aXYx.dGFnMQ.Y2lwaGVyMQ';
export const SECRET_REF_2 = 'v1.aXYy.dGFnMg.Y2lwaGVyMg';

/** Events with plausible defaults; tests override only what they are about. */
export function newWebhookSubscribed(
  overrides: Partial<WebhookSubscribedData> = {},
): WebhookSubscribed {
  return {
    type: 'WebhookSubscribed',
    data: {
      webhookId: WEBHOOK_ID,
      ownerId: OWNER_ID,
      url: 'https://receiver.example.com/hooks',
      entity: 'Contact',
      operation: 'Update',
      status: 'on',
      secretRef: SECRET_REF_1,
      ...overrides,
    },
  };
}

export function newWebhookUpdated(overrides: Partial<WebhookUpdatedData> = {}): WebhookUpdated {
  return {
    type: 'WebhookUpdated',
    data: { webhookId: WEBHOOK_ID, changes: { url: 'https://new.example.com/in' }, ...overrides },
  };
}

export function newWebhookStatusChanged(
  overrides: Partial<WebhookStatusChangedData> = {},
): WebhookStatusChanged {
  return {
    type: 'WebhookStatusChanged',
    data: {
      webhookId: WEBHOOK_ID,
      status: 'off',
      changedBy: OWNER_ID,
      reason: 'owner',
      ...overrides,
    },
  };
}

export function newWebhookSecretRotated(
  overrides: Partial<WebhookSecretRotatedData> = {},
): WebhookSecretRotated {
  return {
    type: 'WebhookSecretRotated',
    data: {
      webhookId: WEBHOOK_ID,
      secretRef: SECRET_REF_2,
      previousSecretRef: SECRET_REF_1,
      previousValidUntil: '2030-01-02T00:00:00.000Z',
      ...overrides,
    },
  };
}

export function newWebhookDeleted(overrides: Partial<WebhookDeletedData> = {}): WebhookDeleted {
  return {
    type: 'WebhookDeleted',
    data: { webhookId: WEBHOOK_ID, deletedBy: OWNER_ID, ...overrides },
  };
}

export function newWebhookPinged(overrides: Partial<WebhookPingedData> = {}): WebhookPinged {
  return {
    type: 'WebhookPinged',
    data: { webhookId: WEBHOOK_ID, requestedBy: OWNER_ID, ...overrides },
  };
}

export function newEntityChanged(overrides: Partial<EntityChangedData> = {}): EntityChanged {
  return {
    type: 'EntityChanged',
    data: {
      entity: 'Contact',
      entityId: '42',
      operation: 'Update',
      data: { name: 'Ann Lee' },
      actorUserId: OWNER_ID,
      occurredAt: '2030-01-01T12:00:00.000Z',
      idempotencyKey: null,
      ...overrides,
    },
  };
}
