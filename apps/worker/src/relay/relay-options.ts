/** Injection token of the relay's RelayOptions. */
export const RELAY_OPTIONS = Symbol('RELAY_OPTIONS');

export interface RelayOptions {
  /** Events read per `readAll` page; a shorter page means the relay has caught up. */
  batchSize: number;
  /** The fallback poll, for wake-ups (NOTIFY) that were lost. */
  pollIntervalMs: number;
  /** How long one enqueue waits for Redis before the pass counts as failed. */
  enqueueTimeoutMs: number;
  /** Backoff after a failed pass doubles from the first value up to the second. */
  minBackoffMs: number;
  maxBackoffMs: number;
  /** How often a standby relay tries to take the lock, and the cap of the reconnect backoff. */
  standbyRetryMs: number;
}

export const DEFAULT_RELAY_OPTIONS: RelayOptions = {
  batchSize: 500,
  pollIntervalMs: 1000,
  enqueueTimeoutMs: 5000,
  minBackoffMs: 250,
  maxBackoffMs: 5000,
  standbyRetryMs: 5000,
};
