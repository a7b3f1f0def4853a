import { isIPv4, isIPv6 } from 'node:net';

export interface HostLiteral {
  readonly family: 'ipv4' | 'ipv6';
  /** Canonical form, IPv6 without brackets: `127.0.0.1`, `::ffff:7f00:1`. */
  readonly address: string;
}

/** Characters that would make `http://${host}/` mean something other than "this host". */
const NOT_IN_A_HOST = /[\s/\\?#@]/;

/**
 * The IP address a URL host denotes, or null when it is a DNS name.
 *
 * The guard must see the host exactly as the HTTP client will, so normalisation is left to the
 * WHATWG URL parser that undici also uses: it turns `2130706433`, `0x7f.1`, `127.1`,
 * `0177.0.0.1`, `127.0.0.1.`, percent-encoded and full-width digits into `127.0.0.1`, and
 * canonicalises IPv6 (`[::ffff:127.0.0.1]` → `::ffff:7f00:1`). Accepts the host with or without
 * IPv6 brackets, and also an already-parsed `URL.hostname`.
 */
export function parseHostLiteral(host: string): HostLiteral | null {
  const unbracketed = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIPv6(unbracketed)) {
    const hostname = urlHostname(`[${unbracketed}]`);
    return hostname === null ? null : { family: 'ipv6', address: hostname.slice(1, -1) };
  }
  if (unbracketed.includes(':') || NOT_IN_A_HOST.test(unbracketed)) {
    return null;
  }
  const hostname = urlHostname(unbracketed);
  return hostname !== null && isIPv4(hostname) ? { family: 'ipv4', address: hostname } : null;
}

function urlHostname(host: string): string | null {
  try {
    return new URL(`http://${host}/`).hostname;
  } catch {
    return null;
  }
}
