import type { UserRole } from './user-role';

/** The key that currently authenticates as the user. */
export interface ActiveApiKey {
  readonly keyId: string;
  readonly keyPrefix: string;
  readonly keyHash: string;
  readonly regeneratedBy: string;
  /** The store's `recordedAt` of the KeyRegenerated event; absent when folded without timestamps. */
  readonly lastRegeneratedAt?: Date;
}

export interface NoUser {
  readonly exists: false;
  readonly key: null;
}

export interface ExistingUser {
  readonly exists: true;
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly role: UserRole;
  /** null: the user has no API access (never enabled, or cleared). */
  readonly key: ActiveApiKey | null;
  /** The store's `recordedAt` of UserCreated; absent when folded without timestamps. */
  readonly createdAt?: Date;
}

/**
 * What decisions about a user need, folded from the user stream. The password hash is left out on
 * purpose: no decision here needs it, and state is easy to log by accident.
 */
export type UserState = NoUser | ExistingUser;

export function initialUserState(): UserState {
  return { exists: false, key: null };
}
