import type { LookupAddress } from 'node:dns';
import { createBoundedLookup, DEFAULT_DNS_TIMEOUT_MS } from './bounded-lookup';
import { parseHostLiteral } from './host-literal';
import { SsrfBlockedError } from './ssrf-blocked-error';
import { createAddressGuard, type AddressGuard, type TargetPolicy } from './target-policy';

/** Resolves a name to every address it has, as `dns.promises.lookup` with `all: true` does. */
export type LookupAll = (hostname: string, options: { all: true }) => Promise<LookupAddress[]>;

/** The system's DNS, bounded (`createBoundedLookup`): at most `DEFAULT_DNS_TIMEOUT_MS` per name. */
export const defaultLookupAll: LookupAll = createBoundedLookup({
  timeoutMs: DEFAULT_DNS_TIMEOUT_MS,
});

export interface ResolveOptions extends TargetPolicy {
  /** Injected in tests; defaults to `defaultLookupAll`. */
  readonly lookup?: LookupAll;
}

export interface CheckedTarget {
  /** The first address, in resolver order: where to connect. */
  readonly address: string;
  readonly family: 4 | 6;
  /** Every address the name resolved to, all of them checked (for happy-eyeballs connects). */
  readonly addresses: readonly LookupAddress[];
}

/**
 * Resolves `hostname` once and checks every address it resolved to.
 *
 * Guarantees: rejects with `SsrfBlockedError` if ANY address is not permitted (a name that mixes a
 * public and a private address is refused, so no resolver ordering can slip the private one
 * through); otherwise returns only addresses that were checked, so the caller connects to those
 * and never resolves again (no DNS-rebinding window). IP literals are checked without resolving.
 * Resolver errors (ENOTFOUND, …) propagate unchanged.
 */
export async function resolveAndCheck(
  hostname: string,
  options: ResolveOptions,
): Promise<CheckedTarget> {
  return resolveAndCheckWith(hostname, createAddressGuard(options), options.lookup);
}

/** `resolveAndCheck` with a guard compiled once (the connect path). */
export async function resolveAndCheckWith(
  hostname: string,
  guard: AddressGuard,
  lookup: LookupAll = defaultLookupAll,
): Promise<CheckedTarget> {
  const literal = parseHostLiteral(hostname);
  const addresses: LookupAddress[] =
    literal !== null
      ? [{ address: literal.address, family: literal.family === 'ipv4' ? 4 : 6 }]
      : await lookup(hostname, { all: true });
  if (addresses.length === 0) {
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
      code: 'ENOTFOUND',
      hostname,
    });
  }
  const refused = addresses.find(({ address }) => !guard.permits(address));
  if (refused !== undefined) {
    throw new SsrfBlockedError(hostname, refused.address);
  }
  const [first] = addresses as [LookupAddress, ...LookupAddress[]];
  return { address: first.address, family: first.family === 6 ? 6 : 4, addresses };
}
