import { lookup as systemLookup, promises as dns, type LookupAddress } from 'node:dns';
import type { LookupAll } from './resolve-and-check';

/** Default bound of one resolution when the caller gives none. */
export const DEFAULT_DNS_TIMEOUT_MS = 5_000;
/**
 * Default cap on `getaddrinfo` calls in flight. libuv runs them on its pool of 4 threads (shared
 * with fs, crypto and zlib) and cannot cancel them, so at most 2 may ever be busy resolving.
 */
export const DEFAULT_MAX_FALLBACK_LOOKUPS = 2;

export interface BoundedLookupOptions {
  /** Longest one resolution may take (DNS, then the fallback); keep it ≤ the delivery deadline. */
  readonly timeoutMs: number;
  /** Most fallback lookups in flight in this process, abandoned ones included. */
  readonly maxFallbackLookups?: number;
  /** DNS servers to ask instead of the system's (tests). */
  readonly servers?: readonly string[];
  /** The fallback for names DNS does not know; defaults to `dns.lookup` (getaddrinfo). */
  readonly fallback?: LookupAll;
}

/**
 * A `LookupAll` whose cost is bounded, so a name whose DNS never answers cannot stall other
 * deliveries.
 *
 * Why not plain `dns.lookup`: it runs getaddrinfo on libuv's 4-thread pool and cannot be
 * cancelled, so four hanging names would freeze every lookup (and fs/crypto) of the process, far
 * beyond any attempt deadline. Instead:
 * - A and AAAA are asked with `dns.promises.Resolver` (c-ares: asynchronous sockets, no thread
 *   held), one try, bounded by `timeoutMs`; addresses of both families are returned, A first.
 * - Only when DNS says the name does not exist (or no DNS server is reachable) does it fall back
 *   to `dns.lookup`, for names only /etc/hosts knows, such as `localhost`. A DNS timeout never
 *   falls back. The fallback is raced against `timeoutMs` and at most `maxFallbackLookups` run at
 *   once (a call that gave up still counts until getaddrinfo returns); callers over the cap wait
 *   within their own `timeoutMs`.
 * Errors keep Node's shape (`code` ETIMEOUT, ENOTFOUND, …).
 */
export function createBoundedLookup(options: BoundedLookupOptions): LookupAll {
  const { timeoutMs } = options;
  const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  if (options.servers !== undefined) resolver.setServers([...options.servers]);
  const fallback = capped(
    options.fallback ?? defaultFallback,
    options.maxFallbackLookups ?? DEFAULT_MAX_FALLBACK_LOOKUPS,
  );
  return async (hostname) => {
    const deadline = Date.now() + timeoutMs;
    const [v4, v6] = await withTimeout(
      Promise.allSettled([resolver.resolve4(hostname), resolver.resolve6(hostname)]),
      timeoutMs,
      hostname,
    );
    const addresses: LookupAddress[] = [
      ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []),
      ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : []),
    ];
    if (addresses.length > 0) return addresses;
    const failures = [v4, v6].flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    const timedOut = failures.find((error) => codeOf(error) === 'ETIMEOUT');
    if (timedOut !== undefined) throw timedOut;
    return fallback(hostname, Math.max(0, deadline - Date.now()));
  };
}

const defaultFallback: LookupAll = (hostname) =>
  new Promise((resolve, reject) =>
    systemLookup(hostname, { all: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

/** `lookup` with at most `limit` calls in flight; a caller waits for a turn within `timeoutMs`. */
function capped(lookup: LookupAll, limit: number) {
  let inFlight = 0;
  const waiters: (() => void)[] = [];
  /** A finished call hands its place to the next waiter, so no newcomer can overtake the cap. */
  const release = () => {
    const next = waiters.shift();
    if (next === undefined) inFlight -= 1;
    else next();
  };
  const acquire = async (timeoutMs: number, hostname: string): Promise<void> => {
    if (inFlight < limit) {
      inFlight += 1;
      return;
    }
    let granted = false;
    const grant = () => {
      granted = true;
    };
    const waiting = new Promise<void>((resolve) =>
      waiters.push(() => {
        grant();
        resolve();
      }),
    );
    const self = waiters[waiters.length - 1] as () => void;
    try {
      await withTimeout(waiting, timeoutMs, hostname);
    } catch (error) {
      const index = waiters.indexOf(self);
      if (index >= 0) waiters.splice(index, 1);
      if (granted) release(); // handed a place while giving up: pass it on
      throw error;
    }
  };
  return async (hostname: string, timeoutMs: number): Promise<LookupAddress[]> => {
    const started = Date.now();
    await acquire(timeoutMs, hostname);
    const running = lookup(hostname, { all: true }).finally(release);
    return withTimeout(running, Math.max(0, timeoutMs - (Date.now() - started)), hostname);
  };
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, hostname: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          Object.assign(new Error(`DNS lookup of ${hostname} timed out`), {
            code: 'ETIMEOUT',
            hostname,
          }),
        ),
      timeoutMs,
    );
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}
