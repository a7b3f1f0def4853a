import { Agent } from 'undici';
import type { LookupAll } from './ssrf/resolve-and-check';
import { createGuardedConnector } from './ssrf/guarded-connector';
import type { TargetPolicy } from './ssrf/target-policy';

export interface DeliveryAgentOptions extends TargetPolicy {
  /** Injected in tests; defaults to the bounded system resolver (`createBoundedLookup`). */
  readonly lookup?: LookupAll;
  /** Bound of one DNS resolution; the worker passes its delivery deadline. */
  readonly dnsTimeoutMs?: number;
  /**
   * Most connections kept open to one origin (scheme + host + port); further requests to it
   * queue. Bounds what one slow receiver can hold; the worker still needs its own cap on
   * in-flight attempts per endpoint, since a queued request still occupies its caller.
   */
  readonly connectionsPerOrigin?: number;
  /** How long an idle keep-alive connection is kept (undici caps it by the server's hint). */
  readonly keepAliveTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
}

export const DEFAULT_CONNECTIONS_PER_ORIGIN = 8;

/**
 * The dispatcher for webhook POSTs: keep-alive connection pools per origin, every new connection
 * checked by the SSRF guard (`createGuardedConnector`), and no interceptors — in particular no
 * redirect interceptor, so redirects are never followed. Throws `InvalidSubnet` for a malformed
 * `allowedSubnets` entry. Close it (`await agent.close()`) on shutdown.
 */
export function createDeliveryAgent(options: DeliveryAgentOptions): Agent {
  return new Agent({
    connect: createGuardedConnector(options),
    connections: options.connectionsPerOrigin ?? DEFAULT_CONNECTIONS_PER_ORIGIN,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
    // One request per connection at a time (undici's default, stated): a slow answer never holds
    // up a request pipelined behind it on the same socket.
    pipelining: 1,
  });
}
