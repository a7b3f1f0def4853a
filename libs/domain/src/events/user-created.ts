import type { UserRole } from '../users/user-role';
import type { DomainEvent } from './domain-event';

export interface UserCreatedData {
  readonly userId: string;
  /** Already normalised (trimmed, lower case). */
  readonly email: string;
  readonly name: string;
  readonly role: UserRole;
  /** argon2id/scrypt hash computed by the caller; the plaintext password never reaches an event. */
  readonly passwordHash: string;
}

export type UserCreated = DomainEvent<'UserCreated', UserCreatedData>;
