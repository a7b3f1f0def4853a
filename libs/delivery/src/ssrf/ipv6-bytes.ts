import { isIPv6 } from 'node:net';

/**
 * The 16 bytes of an IPv6 address, or null when `address` is not one (or carries a zone).
 *
 * The WHATWG URL parser canonicalises the address first and rewrites a dotted-quad tail
 * (`::ffff:127.0.0.1`) as hex groups, so only hex groups and at most one `::` are left to expand.
 */
export function ipv6Bytes(address: string): Buffer | null {
  if (!isIPv6(address) || address.includes('%')) {
    return null;
  }
  let canonical: string;
  try {
    canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  const [head, tail] = canonical.split('::') as [string, string | undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, index) => bytes.writeUInt16BE(parseInt(group, 16), index * 2));
  return bytes;
}
