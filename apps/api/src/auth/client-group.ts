import { isIPv4, isIPv6 } from 'node:net';

/**
 * Who counts as one client for the failed-authentication limit, given the request's address.
 *
 * - IPv4: the address itself.
 * - IPv4-mapped IPv6 (`::ffff:192.0.2.1`, how a dual-stack listener sees an IPv4 client): that
 *   IPv4 address, so both spellings of one client share one count.
 * - Any other IPv6 address: its /64 (`2001:db8:1:2::/64`). A subscriber or LAN is handed at
 *   least a /64 and its hosts choose interface ids at will, so counting single addresses would
 *   give one client 2^64 fresh counts.
 * - Anything else (no address known): as given.
 */
export function clientGroup(address: string): string {
  if (isIPv4(address) || !isIPv6(address)) return address;
  const groups = ipv6Groups(address);
  if (groups === null) return address;
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (a zone id ignored), or null. */
function ipv6Groups(address: string): number[] | null {
  let canonical: string;
  try {
    // The WHATWG parser canonicalises the address and rewrites a dotted-quad tail as hex groups.
    canonical = new URL(`http://[${address.split('%')[0]}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  const [head = '', tail] = canonical.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return null;
  return [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups].map((group) =>
    parseInt(group, 16),
  );
}
