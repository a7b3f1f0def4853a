import type { DomainEvent } from './domain-event';

/**
 * A new API key replaced the user's previous one, if any. Enabling API access for the first time is
 * a regeneration too, so there is exactly one event type that makes a key valid.
 */
export interface KeyRegeneratedData {
  readonly userId: string;
  readonly keyId: string;
  /** `hrld_` plus the first random characters: enough to recognise a key in a UI, not to use it. */
  readonly keyPrefix: string;
  /** SHA-256 hex of the full key. The plaintext key is shown once and never stored. */
  readonly keyHash: string;
  readonly regeneratedBy: string;
}

export type KeyRegenerated = DomainEvent<'KeyRegenerated', KeyRegeneratedData>;
