/** When a job finds its endpoint busy, it comes back after about one typical attempt, within these. */
export const MIN_BUSY_DELAY_MS = 50;
export const MAX_BUSY_DELAY_MS = 5_000;
/** The guess for an endpoint with no finished attempt yet. */
const UNKNOWN_DURATION_MS = 200;
/** Weight of the newest attempt in an endpoint's typical duration. */
const SMOOTHING = 0.3;
/** Idle endpoints' statistics are forgotten beyond this many endpoints. */
const MAX_REMEMBERED = 10_000;

interface Waiter {
  resolve(acquired: boolean): void;
  timer: NodeJS.Timeout;
}

interface Endpoint {
  held: number;
  typicalMs: number | null;
  /** Jobs waiting in this process for a slot, first come first served. */
  waiters: Waiter[];
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
 * `acquire` lets a job wait here briefly instead: only for an endpoint whose recent attempts
 * say a slot frees up within `maxWaitMs`, and never longer than that — so a busy fast endpoint
 * does not send every surplus job back through Redis, while a slow or hanging endpoint's jobs
 * still leave the worker's concurrency to others at once.
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
    const endpoint = this.endpoint(key);
    if (endpoint.held >= this.limit) return false;
    endpoint.held += 1;
    return true;
  }

  /**
   * Takes a slot now, or waits for one when the endpoint's queue here is expected to clear within
   * `maxWaitMs` (waiters ahead ÷ limit × typical attempt). Resolves false at once when the wait
   * would be longer or the endpoint's speed is unknown, and after `maxWaitMs` at the latest.
   */
  acquire(key: string, maxWaitMs: number): Promise<boolean> {
    if (this.tryAcquire(key)) return Promise.resolve(true);
    const endpoint = this.endpoint(key);
    const rounds = Math.ceil((endpoint.waiters.length + 1) / this.limit);
    if (endpoint.typicalMs === null || rounds * endpoint.typicalMs > maxWaitMs) {
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          endpoint.waiters.splice(endpoint.waiters.indexOf(waiter), 1);
          resolve(false);
        }, maxWaitMs),
      };
      endpoint.waiters.push(waiter);
    });
  }

  /** Frees a slot; `durationMs` (how long the attempt took) feeds the endpoint's typical duration. */
  release(key: string, durationMs?: number): void {
    const endpoint = this.endpoints.get(key);
    if (endpoint === undefined || endpoint.held === 0) return;
    if (durationMs !== undefined && Number.isFinite(durationMs) && durationMs >= 0) {
      endpoint.typicalMs =
        endpoint.typicalMs === null
          ? durationMs
          : endpoint.typicalMs + SMOOTHING * (durationMs - endpoint.typicalMs);
    }
    const next = endpoint.waiters.shift();
    if (next !== undefined) {
      // The slot passes straight to the first waiter: `held` stays as it is.
      clearTimeout(next.timer);
      next.resolve(true);
      return;
    }
    endpoint.held -= 1;
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

  private endpoint(key: string): Endpoint {
    let endpoint = this.endpoints.get(key);
    if (endpoint === undefined) {
      endpoint = { held: 0, typicalMs: null, waiters: [] };
      this.endpoints.set(key, endpoint);
    }
    return endpoint;
  }

  private forgetIdle(): void {
    for (const [key, endpoint] of this.endpoints) {
      if (endpoint.held === 0 && endpoint.waiters.length === 0) this.endpoints.delete(key);
    }
  }
}
