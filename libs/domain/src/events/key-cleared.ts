import type { DomainEvent } from './domain-event';

/** `admin`: an admin turned someone's access off; `self`: the user turned their own key off. */
export type KeyClearReason = 'admin' | 'self';

export const KEY_CLEAR_REASONS: readonly KeyClearReason[] = ['admin', 'self'];

/** The user's active key stopped working; they have no API access until they regenerate. */
export interface KeyClearedData {
  readonly userId: string;
  /** The key that stopped working. */
  readonly keyId: string;
  readonly clearedBy: string;
  readonly reason: KeyClearReason;
}

export type KeyCleared = DomainEvent<'KeyCleared', KeyClearedData>;
