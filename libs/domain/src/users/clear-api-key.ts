import { ActionNotAllowed, InvalidInput } from '../errors';
import { KEY_CLEAR_REASONS, type KeyClearReason, type KeyCleared } from '../events/key-cleared';
import { requireExistingUser, requireNonBlank } from './user-guards';
import type { UserState } from './user-state';

/**
 * Turns the user's API access off. Whether the actor may clear someone else's key (admins only) is
 * the caller's role check; the domain only rejects a `self` clear by somebody else.
 */
export interface ClearApiKey {
  readonly userId: string;
  readonly actorId: string;
  readonly reason: KeyClearReason;
}

/**
 * Idempotent: with no active key there is nothing to clear and it returns no events, so a retried
 * request or a double click succeeds without writing anything.
 */
export function decideClearApiKey(command: ClearApiKey, state: UserState): [] | [KeyCleared] {
  const user = requireExistingUser(state, command.userId);
  const clearedBy = requireNonBlank('actorId', command.actorId);
  if (!KEY_CLEAR_REASONS.includes(command.reason)) {
    throw new InvalidInput('reason', "must be 'admin' or 'self'");
  }
  if (command.reason === 'self' && clearedBy !== user.userId) {
    throw new ActionNotAllowed("Only the key's owner can clear it with reason 'self'");
  }
  if (user.key === null) {
    return [];
  }
  return [
    {
      type: 'KeyCleared',
      data: { userId: user.userId, keyId: user.key.keyId, clearedBy, reason: command.reason },
    },
  ];
}
