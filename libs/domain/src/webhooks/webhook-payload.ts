import { isEntityChanged } from '../events/entity-changed';
import type { JsonObject, JsonValue } from '../events/json';
import type { KeyClearReason } from '../events/key-cleared';
import { isUserEvent } from '../events/user-event';
import { isWebhookEvent } from '../events/webhook-event';
import { webhookEventType } from './webhook-event-type';

/** An event as the store returns it; a `RecordedEvent` fits. */
export interface DeliverableEvent {
  /** Also the request's `webhook-id`. */
  readonly id: string;
  readonly position: bigint | number;
  readonly type: string;
  readonly data: unknown;
  readonly recordedAt: Date;
}

export interface EntityChangedPayloadData {
  readonly eventId: string;
  readonly position: number;
  readonly entity: string;
  readonly entityId: string;
  readonly operation: string;
  readonly actorUserId: string;
  readonly occurredAt: string;
  readonly data: JsonObject;
}

/** `ApiKey.Regenerate`. The key's hash never leaves Herald; the prefix identifies the key. */
export interface KeyRegeneratedPayloadData {
  readonly eventId: string;
  readonly position: number;
  readonly userId: string;
  readonly keyId: string;
  readonly keyPrefix: string;
  readonly actorUserId: string;
}

/** `ApiKey.Clear`. */
export interface KeyClearedPayloadData {
  readonly eventId: string;
  readonly position: number;
  readonly userId: string;
  readonly keyId: string;
  readonly reason: KeyClearReason;
  readonly actorUserId: string;
}

/** `Webhook.Ping`. */
export interface PingPayloadData {
  readonly eventId: string;
  readonly webhookId: string;
}

export type WebhookPayloadData =
  EntityChangedPayloadData | KeyRegeneratedPayloadData | KeyClearedPayloadData | PingPayloadData;

/** The body of a webhook request (API.md "Webhook request"). */
export interface WebhookPayload {
  readonly type: string;
  /** The event's `recordedAt`, ISO-8601 UTC. */
  readonly timestamp: string;
  readonly data: WebhookPayloadData;
}

/**
 * The request body for an event. Deterministic: built only from the recorded event, with a fixed
 * key order and the client's `data` keys sorted at every depth, so every retry, redelivery and
 * replay sends the same bytes — whether the event came straight from `append` or back out of jsonb
 * (which reorders keys). Throws for events that are never delivered (`webhookEventType` is null).
 */
export function webhookPayload(event: DeliverableEvent): WebhookPayload {
  const type = webhookEventType(event);
  if (type === null) {
    throw new Error(`Events of type ${event.type} are not delivered to webhooks`);
  }
  return { type, timestamp: event.recordedAt.toISOString(), data: payloadData(event) };
}

/** `webhookPayload` as the exact JSON text to sign and send. */
export function webhookRequestBody(event: DeliverableEvent): string {
  return JSON.stringify(webhookPayload(event));
}

function payloadData(event: DeliverableEvent): WebhookPayloadData {
  const eventId = event.id;
  if (isWebhookEvent(event) && event.type === 'WebhookPinged') {
    return { eventId, webhookId: event.data.webhookId };
  }
  const position = safePosition(event.position);
  if (isEntityChanged(event)) {
    const { entity, entityId, operation, actorUserId, occurredAt, data } = event.data;
    return {
      eventId,
      position,
      entity,
      entityId,
      operation,
      actorUserId,
      occurredAt,
      data: sortKeys(data),
    };
  }
  if (isUserEvent(event) && event.type === 'KeyRegenerated') {
    const { userId, keyId, keyPrefix, regeneratedBy } = event.data;
    return { eventId, position, userId, keyId, keyPrefix, actorUserId: regeneratedBy };
  }
  if (isUserEvent(event) && event.type === 'KeyCleared') {
    const { userId, keyId, reason, clearedBy } = event.data;
    return { eventId, position, userId, keyId, reason, actorUserId: clearedBy };
  }
  throw new Error(`Events of type ${event.type} are not delivered to webhooks`);
}

function safePosition(position: bigint | number): number {
  const value = Number(position);
  if (!Number.isSafeInteger(value)) {
    throw new Error(`Event position ${position} does not fit a JSON number exactly`);
  }
  return value;
}

/**
 * A copy with object keys in UTF-16 code-unit order at every depth; arrays keep their order.
 * `Object.fromEntries` defines properties, so a `__proto__` key stays a plain key.
 */
function sortKeys(object: JsonObject): JsonObject {
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((key) => [key, sortValue(object[key])]),
  );
}

function sortValue(value: JsonValue): JsonValue {
  if (isJsonArray(value)) {
    return value.map(sortValue);
  }
  return typeof value === 'object' && value !== null ? sortKeys(value) : value;
}

// `Array.isArray` does not narrow readonly arrays out of a union; this does.
function isJsonArray(value: JsonValue): value is readonly JsonValue[] {
  return Array.isArray(value);
}
