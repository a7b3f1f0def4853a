import type { KeyCleared } from './key-cleared';
import type { KeyRegenerated } from './key-regenerated';
import type { UserCreated } from './user-created';

/** Every event of a user stream. */
export type UserEvent = UserCreated | KeyRegenerated | KeyCleared;

export type UserEventType = UserEvent['type'];

/** The type names as stored; use these instead of string literals when matching or filtering. */
export const UserEventTypes = {
  UserCreated: 'UserCreated',
  KeyRegenerated: 'KeyRegenerated',
  KeyCleared: 'KeyCleared',
} as const satisfies { readonly [Type in UserEventType]: Type };

const userEventTypeNames: ReadonlySet<string> = new Set(Object.values(UserEventTypes));

/**
 * Narrows an event read from the store by its type name. The data is trusted, not re-validated:
 * only the domain's own decide functions write these events.
 */
export function isUserEvent<E extends { readonly type: string; readonly data: unknown }>(
  event: E,
): event is E & UserEvent {
  return userEventTypeNames.has(event.type);
}
