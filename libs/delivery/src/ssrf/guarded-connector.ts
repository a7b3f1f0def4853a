import type { ConnectionOptions } from 'node:tls';
import { buildConnector } from 'undici';
import { parseHostLiteral } from './host-literal';
import { createBoundedLookup, DEFAULT_DNS_TIMEOUT_MS } from './bounded-lookup';
import { createGuardedLookup } from './guarded-lookup';
import type { LookupAll } from './resolve-and-check';
import { SsrfBlockedError } from './ssrf-blocked-error';
import { createAddressGuard, type TargetPolicy } from './target-policy';

export interface GuardedConnectorOptions extends TargetPolicy {
  /** Injected in tests; defaults to `createBoundedLookup` with `dnsTimeoutMs`. */
  readonly lookup?: LookupAll;
  /** Bound of one DNS resolution (default 5 s); keep it ≤ the delivery deadline. */
  readonly dnsTimeoutMs?: number;
  /** undici's connect timeout; the sender's overall deadline applies on top. */
  readonly connectTimeoutMs?: number;
  /**
   * Certificate authorities to trust for https, instead of Node's default store (tests, a
   * private PKI). Leave unset for public receivers.
   */
  readonly ca?: ConnectionOptions['ca'];
}

/**
 * An undici `connect` function that enforces the target policy on every new connection — the
 * binding SSRF check, since a DNS name checked at subscribe time may resolve elsewhere later.
 *
 * - A DNS name is resolved once by the guarded lookup, which hands `net.connect` only checked
 *   addresses: the socket goes where the check looked, with no second resolution to rebind.
 * - An IP literal host (which `net.connect` never looks up) is checked here before connecting.
 * - TLS is unaffected: SNI and certificate checks use the URL's host name, not the address.
 *
 * A refused target fails the connect with `SsrfBlockedError`; no packet is sent to it.
 */
export function createGuardedConnector(options: GuardedConnectorOptions): buildConnector.connector {
  const guard = createAddressGuard(options);
  const connect = buildConnector({
    lookup: createGuardedLookup(
      guard,
      options.lookup ??
        createBoundedLookup({ timeoutMs: options.dnsTimeoutMs ?? DEFAULT_DNS_TIMEOUT_MS }),
    ),
    timeout: options.connectTimeoutMs,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  });
  return (connectOptions, callback) => {
    const literal = parseHostLiteral(connectOptions.hostname);
    if (literal !== null && !guard.permits(literal.address)) {
      const refused = new SsrfBlockedError(connectOptions.hostname, literal.address);
      // Asynchronously, as for every other connect error: undici does not expect re-entrancy.
      queueMicrotask(() => callback(refused, null));
      return;
    }
    connect(connectOptions, callback);
  };
}
