/** When a job finds its endpoint busy, it comes back after about one typical attempt, within these. */
export const MIN_BUSY_DELAY_MS = 50;
export const MAX_BUSY_DELAY_MS = 5_000;
/** The guess for an endpoint with no finished attempt yet. */
const UNKNOWN_DURATION_MS = 200;
/** Weight of the newest attempt in an endpoint's typical duration. */
const SMOOTHING = 0.3;
/** Idle endpoints' statistics are forgotten beyond this many endpoints. */
const MAX_REMEMBERED = 10_000;

interface Endpoint {
  held: number;
  typicalMs: number | null;
}

/**
 * Counts the attempts this worker has in flight per endpoint origin (scheme, host and port).
 *
 * Guarantees: at most `limit` slots of one origin are held at once, so an endpoint that hangs
 * until the deadline occupies at most `limit` of the worker's concurrency and every other endpoint
 * keeps the rest. Holders `release` exactly once per successful `tryAcquire` (in a `finally`).
 * `busyDelayMs` says when a turned-away job should come back: about one typical attempt of that
 * endpoint, so a fast endpoint at its cap loses little latency while a hanging one is polled
 * seldom.
 */
export class EndpointSlots {
  private readonly endpoints = new Map<string, Endpoint>();

  constructor(
    readonly limit: number,
    private readonly random: () => number = Math.random,
  ) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`limit must be an integer ≥ 1, got ${limit}`);
    }
  }

  /** Takes a slot of `origin` if one is free; never waits. */
  tryAcquire(origin: string): boolean {
    const endpoint = this.endpoints.get(origin) ?? { held: 0, typicalMs: null };
    if (endpoint.held >= this.limit) return false;
    endpoint.held += 1;
    this.endpoints.set(origin, endpoint);
    return true;
  }

  /** Frees a slot; `durationMs` (how long the attempt took) feeds the endpoint's typical duration. */
  release(origin: string, durationMs?: number): void {
    const endpoint = this.endpoints.get(origin);
    if (endpoint === undefined || endpoint.held === 0) return;
    endpoint.held -= 1;
    if (durationMs !== undefined && Number.isFinite(durationMs) && durationMs >= 0) {
      endpoint.typicalMs =
        endpoint.typicalMs === null
          ? durationMs
          : endpoint.typicalMs + SMOOTHING * (durationMs - endpoint.typicalMs);
    }
    if (this.endpoints.size > MAX_REMEMBERED) this.forgetIdle();
  }

  held(origin: string): number {
    return this.endpoints.get(origin)?.held ?? 0;
  }

  /** About one typical attempt of `origin`, clamped to 50 ms–5 s, spread over ±50%. */
  busyDelayMs(origin: string): number {
    const typical = this.endpoints.get(origin)?.typicalMs ?? UNKNOWN_DURATION_MS;
    const base = Math.min(Math.max(typical, MIN_BUSY_DELAY_MS), MAX_BUSY_DELAY_MS);
    return Math.round(base * (0.5 + this.random()));
  }

  private forgetIdle(): void {
    for (const [origin, endpoint] of this.endpoints) {
      if (endpoint.held === 0) this.endpoints.delete(origin);
    }
  }
}
