import type { LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { resolveAndCheckWith, type LookupAll } from './resolve-and-check';
import type { AddressGuard } from './target-policy';

/**
 * A `lookup` for `net.connect`/`tls.connect` that resolves once through the guard.
 *
 * Node calls it in two shapes and both are answered: with `all: true` (the default since Node 20,
 * when `autoSelectFamily` tries addresses happy-eyeballs style) it gets every checked address;
 * otherwise it gets the first checked address of the requested family. Either way the socket can
 * only go to an address that passed the check. A refused name fails the connect with
 * `SsrfBlockedError`. Node skips `lookup` for IP literals: `createGuardedConnector` checks those.
 */
export function createGuardedLookup(guard: AddressGuard, lookup?: LookupAll): LookupFunction {
  return (hostname, options, callback) => {
    resolveAndCheckWith(hostname, guard, lookup).then(
      ({ addresses }) => {
        const wanted = ofFamily(addresses, options);
        if (wanted.length === 0) {
          callback(noAddressOfFamily(hostname, options), '', undefined);
        } else if (options.all === true) {
          callback(null, wanted);
        } else {
          const [first] = wanted as [LookupAddress];
          callback(null, first.address, first.family);
        }
      },
      (error: unknown) => callback(asErrnoException(error), '', undefined),
    );
  };
}

function ofFamily(addresses: readonly LookupAddress[], options: LookupOptions): LookupAddress[] {
  const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
  return family === 4 || family === 6
    ? addresses.filter((entry) => entry.family === family)
    : [...addresses];
}

function noAddressOfFamily(hostname: string, options: LookupOptions): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (family ${options.family})`), {
    code: 'ENOTFOUND',
  });
}

function asErrnoException(error: unknown): NodeJS.ErrnoException {
  return error instanceof Error ? error : new Error(String(error));
}
