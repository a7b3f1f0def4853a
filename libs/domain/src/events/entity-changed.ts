import type { DomainEvent } from './domain-event';
import type { JsonObject } from './json';

/**
 * A client reported a change to one of its entities (`POST /v1/entity-changes`). Herald does not
 * own these entities; it records the report and delivers it to matching webhooks.
 */
export interface EntityChangedData {
  /** A catalog entity (never `ApiKey`, never `*`). */
  readonly entity: string;
  /** The client's id of the entity, 1 to 200 characters. */
  readonly entityId: string;
  /** A catalog operation (never `*`). */
  readonly operation: string;
  /** Whatever the client sent about the change; `{}` when it sent nothing. */
  readonly data: JsonObject;
  readonly actorUserId: string;
  /** When the change happened according to the client (ISO-8601, UTC); defaults to receipt time. */
  readonly occurredAt: string;
  /** The request's `Idempotency-Key`, if it had one. */
  readonly idempotencyKey: string | null;
}

export type EntityChanged = DomainEvent<'EntityChanged', EntityChangedData>;

export function isEntityChanged<E extends { readonly type: string; readonly data: unknown }>(
  event: E,
): event is E & EntityChanged {
  return event.type === 'EntityChanged';
}
