import {
  entityStream,
  userStream,
  webhookStream,
  type EntityChangedData,
  type UserRole,
  type WebhookSubscribedData,
} from '@herald/domain';
import {
  newKeyCleared,
  newKeyRegenerated,
  newUserCreated,
} from '@herald/domain/testing/user-event-factories';
import {
  newEntityChanged,
  newWebhookDeleted,
  newWebhookPinged,
  newWebhookStatusChanged,
  newWebhookSubscribed,
} from '@herald/domain/webhooks/testing/webhook-event-factories';
import type { EventStore, NewEvent, RecordedEvent } from '@herald/event-store';
import { randomUUID } from 'node:crypto';

/*
 * State for worker tests, built by appending domain events through the event store, so the inline
 * projections (`users`, `api_key_states`, `webhooks`) hold exactly what the API would have written.
 */

/** A user, with API access on unless `apiAccess: false`. Returns the user id. */
export async function givenUser(
  store: EventStore,
  options: { role?: UserRole; apiAccess?: boolean } = {},
): Promise<string> {
  const userId = randomUUID();
  const events: NewEvent[] = [
    newUserCreated({ userId, email: `${userId}@herald.test`, role: options.role ?? 'user' }),
  ];
  if (options.apiAccess !== false) {
    events.push(newKeyRegenerated({ userId, keyId: randomUUID(), regeneratedBy: userId }));
  }
  await store.append(userStream(userId), events, { expectedVersion: 'no_stream' });
  return userId;
}

/** Turns the user's API access off (the key is cleared). Appends KeyCleared, itself deliverable. */
export async function givenKeyCleared(store: EventStore, userId: string): Promise<RecordedEvent> {
  const { events } = await store.append(userStream(userId), [
    newKeyCleared({ userId, keyId: randomUUID(), clearedBy: userId }),
  ]);
  return events[0];
}

/** A webhook of `ownerId` (default filter Contact × Update, on). Returns the webhook id. */
export async function givenWebhook(
  store: EventStore,
  ownerId: string,
  filter: Partial<Pick<WebhookSubscribedData, 'entity' | 'operation' | 'status'>> = {},
): Promise<string> {
  const webhookId = randomUUID();
  await store.append(
    webhookStream(webhookId),
    [
      newWebhookSubscribed({
        webhookId,
        ownerId,
        url: `https://receiver.example.com/${webhookId}`,
        ...filter,
      }),
    ],
    { expectedVersion: 'no_stream' },
  );
  return webhookId;
}

export async function givenWebhookOff(store: EventStore, webhookId: string): Promise<void> {
  await store.append(webhookStream(webhookId), [newWebhookStatusChanged({ webhookId })]);
}

export async function givenWebhookDeleted(store: EventStore, webhookId: string): Promise<void> {
  await store.append(webhookStream(webhookId), [newWebhookDeleted({ webhookId })]);
}

/** A ping of the webhook, as the API appends it. */
export async function pingWebhook(store: EventStore, webhookId: string): Promise<RecordedEvent> {
  const { events } = await store.append(webhookStream(webhookId), [
    newWebhookPinged({ webhookId, requestedBy: randomUUID() }),
  ]);
  return events[0];
}

/** An EntityChanged (default Contact × Update) in a stream of its own. */
export async function entityChanged(
  store: EventStore,
  change: Partial<EntityChangedData> = {},
): Promise<RecordedEvent> {
  const entityId = change.entityId ?? randomUUID();
  const event = newEntityChanged({ entityId, actorUserId: randomUUID(), ...change });
  const { events } = await store.append(entityStream(event.data.entity, entityId), [event]);
  return events[0];
}
