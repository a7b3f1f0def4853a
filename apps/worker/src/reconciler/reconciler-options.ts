import type { HeraldConfig } from '@herald/config';

/** Injection token of the reconciler's ReconcilerOptions. */
export const RECONCILER_OPTIONS = Symbol('RECONCILER_OPTIONS');

export interface ReconcilerOptions {
  /** Pause between the end of one pass and the start of the next. */
  intervalMs: number;
  /**
   * How far in the past work must be before the reconciler touches it (30 s): a delivery due for
   * longer, an event recorded longer ago. It leaves the normal path (relay → dispatch → delivery)
   * time to act first; tests use 0.
   */
  graceSeconds: number;
  /** Rows looked at per query. */
  batchLimit: number;
  /** How long one Redis call may take before the pass fails (BullMQ retries forever otherwise). */
  redisTimeoutMs: number;
}

export function reconcilerOptionsFrom(config: HeraldConfig): ReconcilerOptions {
  return {
    intervalMs: config.reconcileIntervalMs,
    graceSeconds: 30,
    batchLimit: 1000,
    redisTimeoutMs: 5000,
  };
}
