import { InvalidInput, UserAlreadyExists } from '../errors';
import type { UserCreated } from '../events/user-created';
import { isPlausibleEmail, normalizeEmail } from './email';
import { requireNonBlank } from './user-guards';
import { isUserRole, type UserRole } from './user-role';
import type { UserState } from './user-state';

export interface CreateUser {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly role: UserRole;
  /** Hashed by the caller (argon2id/scrypt); decide stays pure and never sees the password. */
  readonly passwordHash: string;
}

/**
 * Creates the user once. Email uniqueness across users is the caller's check (EmailAlreadyTaken):
 * this stream cannot see other users.
 */
export function decideCreateUser(command: CreateUser, state: UserState): [UserCreated] {
  if (state.exists) {
    throw new UserAlreadyExists(command.userId);
  }
  const userId = requireNonBlank('userId', command.userId);
  const email = normalizeEmail(requireNonBlank('email', command.email));
  if (!isPlausibleEmail(email)) {
    throw new InvalidInput('email', 'is not a valid email address');
  }
  const name = requireNonBlank('name', command.name).trim();
  if (!isUserRole(command.role)) {
    throw new InvalidInput('role', "must be 'admin' or 'user'");
  }
  const passwordHash = requireNonBlank('passwordHash', command.passwordHash);
  return [{ type: 'UserCreated', data: { userId, email, name, role: command.role, passwordHash } }];
}
