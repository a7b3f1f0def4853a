import { API_KEY_ENTITY, WILDCARD } from '../catalog/catalog';
import { isEntityChanged } from '../events/entity-changed';
import { isUserEvent } from '../events/user-event';
import type { WebhookStatus } from '../events/webhook-status';
import type { UserRole } from '../users/user-role';
import { API_KEY_OPERATION_OF } from './webhook-event-type';

/** What of an event a subscription filter looks at. */
export interface Matchable {
  readonly entity: string;
  readonly operation: string;
  /**
   * The user the event is about, when it is about one user's private affairs (their API key):
   * only that user and admins may hear it. Null for client entity changes, which every matching
   * subscription hears.
   */
  readonly subjectUserId: string | null;
}

/** What of a subscription matching looks at (the owner's API access is checked separately). */
export interface MatchableSubscription {
  readonly entity: string;
  readonly operation: string;
  readonly status: WebhookStatus;
  readonly ownerId: string;
  readonly ownerRole: UserRole;
}

/**
 * The matchable part of an event from the store, or null when no subscription can match it
 * (webhook events, including pings, which are addressed to one webhook; UserCreated; unknown types).
 */
export function toMatchable(event: {
  readonly type: string;
  readonly data: unknown;
}): Matchable | null {
  if (isEntityChanged(event)) {
    return { entity: event.data.entity, operation: event.data.operation, subjectUserId: null };
  }
  if (isUserEvent(event) && (event.type === 'KeyRegenerated' || event.type === 'KeyCleared')) {
    return {
      entity: API_KEY_ENTITY,
      operation: API_KEY_OPERATION_OF[event.type],
      subjectUserId: event.data.userId,
    };
  }
  return null;
}

/**
 * Whether the subscription wants the event: same entity or `*`, same operation or `*`, status
 * `on`, and — for an event about one user — the owner is that user or an admin.
 */
export function subscriptionMatches(
  subscription: MatchableSubscription,
  matchable: Matchable,
): boolean {
  return (
    subscription.status === 'on' &&
    (subscription.entity === WILDCARD || subscription.entity === matchable.entity) &&
    (subscription.operation === WILDCARD || subscription.operation === matchable.operation) &&
    (matchable.subjectUserId === null ||
      subscription.ownerRole === 'admin' ||
      subscription.ownerId === matchable.subjectUserId)
  );
}
