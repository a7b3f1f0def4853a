import { InvalidInput, UserNotFound } from '../errors';
import type { ExistingUser, UserState } from './user-state';

export function requireExistingUser(state: UserState, userId: string): ExistingUser {
  if (!state.exists) {
    throw new UserNotFound(userId);
  }
  return state;
}

/** Commands arrive from untyped input at runtime, so types alone do not rule out blanks. */
export function requireNonBlank(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidInput(field, 'must not be blank');
  }
  return value;
}
