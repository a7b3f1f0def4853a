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
 * The endpoint a URL counts against: its host name, case-folded and without a trailing dot;
 * scheme and port are ignored, so `https://evil.example:8001` … `:8013` are one endpoint.
 */
export function endpointKey(url: string): string {
  return new URL(url).hostname.toLowerCase().replace(/\.$/, '');
}

/**
 * Counts the attempts this worker has in flight per endpoint (`endpointKey`: the host name).
 *
 * Guarantees: at most `limit` slots of one endpoint are held at once, whatever ports or schemes
 * its URLs use, so an endpoint that hangs until the deadline occupies at most `limit` of the
 * worker's concurrency and every other endpoint keeps the rest. Holders `release` exactly once
 * per successful `tryAcquire` (in a `finally`).
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

  /** Takes a slot of endpoint `key` (`endpointKey(url)`) if one is free; never waits. */
  tryAcquire(key: string): boolean {
    const endpoint = this.endpoints.get(key) ?? { held: 0, typicalMs: null };
    if (endpoint.held >= this.limit) return false;
    endpoint.held += 1;
    this.endpoints.set(key, endpoint);
    return true;
  }

  /** Frees a slot; `durationMs` (how long the attempt took) feeds the endpoint's typical duration. */
  release(key: string, durationMs?: number): void {
    const endpoint = this.endpoints.get(key);
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

  held(key: string): number {
    return this.endpoints.get(key)?.held ?? 0;
  }

  /** About one typical attempt of endpoint `key`, clamped to 50 ms–5 s, spread over ±50%. */
  busyDelayMs(key: string): number {
    const typical = this.endpoints.get(key)?.typicalMs ?? UNKNOWN_DURATION_MS;
    const base = Math.min(Math.max(typical, MIN_BUSY_DELAY_MS), MAX_BUSY_DELAY_MS);
    return Math.round(base * (0.5 + this.random()));
  }

  private forgetIdle(): void {
    for (const [key, endpoint] of this.endpoints) {
      if (endpoint.held === 0) this.endpoints.delete(key);
    }
  }
}
