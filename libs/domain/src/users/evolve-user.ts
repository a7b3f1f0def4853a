import { isUserEvent } from '../events/user-event';
import type { ExistingUser, UserState } from './user-state';

/**
 * An event as it comes out of the store — or out of a decide function, which has no timestamp yet.
 * A `RecordedEvent` fits, so `{ initialState: initialUserState, evolve: evolveUser }` can be handed
 * to the store's `aggregate` as is.
 */
export interface EventToFold {
  readonly type: string;
  readonly data: unknown;
  /** The only source of time: evolve never reads the clock, so folding is deterministic. */
  readonly recordedAt?: Date;
}

/**
 * Applies one event to the state. Pure and total: it never throws and never mutates `state`.
 * Event types it does not know (from a newer version) and key events before UserCreated (which
 * decide never produces) leave the state unchanged, so a rebuild cannot fail half-way.
 */
export function evolveUser(state: UserState, event: EventToFold): UserState {
  if (!isUserEvent(event)) {
    return state;
  }
  switch (event.type) {
    case 'UserCreated': {
      const { userId, email, name, role } = event.data;
      const created: ExistingUser = { exists: true, userId, email, name, role, key: null };
      return event.recordedAt ? { ...created, createdAt: event.recordedAt } : created;
    }
    case 'KeyRegenerated': {
      if (!state.exists) {
        return state;
      }
      const { keyId, keyPrefix, keyHash, regeneratedBy } = event.data;
      const key = { keyId, keyPrefix, keyHash, regeneratedBy };
      return {
        ...state,
        key: event.recordedAt ? { ...key, lastRegeneratedAt: event.recordedAt } : key,
      };
    }
    case 'KeyCleared': {
      // Only the key the event names is cleared; a stale clear must not revoke a newer key.
      if (!state.exists || state.key?.keyId !== event.data.keyId) {
        return state;
      }
      return { ...state, key: null };
    }
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}
