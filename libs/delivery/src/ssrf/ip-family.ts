import { isIP } from 'node:net';

export type IpFamily = 'ipv4' | 'ipv6';

/**
 * The family of a plain IP address, or null for anything else — including scoped IPv6 addresses
 * (`fe80::1%eth0`): a zone only exists for non-global scopes, and `net.BlockList` ignores it, so
 * callers treat these as "not an address" and fail closed.
 */
export function ipFamilyOf(address: string): IpFamily | null {
  if (address.includes('%')) {
    return null;
  }
  switch (isIP(address)) {
    case 4:
      return 'ipv4';
    case 6:
      return 'ipv6';
    default:
      return null;
  }
}
