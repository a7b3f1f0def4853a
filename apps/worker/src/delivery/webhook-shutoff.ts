import {
  SYSTEM_ACTOR,
  WebhookNotFound,
  decideChangeWebhookStatus,
  evolveWebhook,
  initialWebhookState,
  webhookStream,
} from '@herald/domain';
import {
  EVENT_COLUMNS,
  toRecordedEvent,
  type EventMetadata,
  type EventRow,
  type TransactionalEventStore,
} from '@herald/event-store';
import type { EntityManager } from 'typeorm';

/** The reasons for which the delivery worker turns a webhook off. */
export type ShutoffReason = 'endpoint_gone' | 'failing';

export interface WebhookShutoff {
  readonly webhookId: string;
  readonly reason: ShutoffReason;
  readonly metadata: Partial<EventMetadata>;
}

/**
 * Turns the webhook off as the system, inside the caller's transaction: folds its stream through
 * `tx` (one connection, no second one held while waiting), decides with
 * `decideChangeWebhookStatus` and appends `WebhookStatusChanged` at the version it decided on, so
 * the inline projection updates in the same transaction.
 *
 * Returns whether an event was appended: a webhook that is already off, deleted or unknown is left
 * as it is. A concurrent append to the stream throws `ConcurrencyError`; the caller must then roll
 * back and may try again on the new state.
 */
export async function turnWebhookOff(
  eventStore: TransactionalEventStore<EntityManager>,
  tx: EntityManager,
  shutoff: WebhookShutoff,
): Promise<boolean> {
  const stream = webhookStream(shutoff.webhookId);
  const rows = await tx.query<EventRow[]>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = $1 ORDER BY version`,
    [stream],
  );
  const events = rows.map(toRecordedEvent);
  const state = events.reduce(evolveWebhook, initialWebhookState());
  let decided: ReturnType<typeof decideChangeWebhookStatus>;
  try {
    decided = decideChangeWebhookStatus(
      { webhookId: shutoff.webhookId, status: 'off', reason: shutoff.reason, ...SYSTEM_ACTOR },
      state,
    );
  } catch (error) {
    if (error instanceof WebhookNotFound) return false;
    throw error;
  }
  if (decided.length === 0) return false;
  await eventStore.appendInTransaction(
    tx,
    stream,
    decided.map((event) => ({ ...event, metadata: shutoff.metadata })),
    { expectedVersion: events.at(-1)?.version ?? 0 },
  );
  return true;
}
