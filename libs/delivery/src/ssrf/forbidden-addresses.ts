import { BlockList } from 'node:net';
import { embeddedIpv4Addresses } from './embedded-ipv4';
import { ipFamilyOf } from './ip-family';

/*
 * Where a webhook must never be sent unless the operator allows it: everything that reaches the
 * machine itself, its private networks or its cloud metadata service, plus ranges that no public
 * receiver can have. Sources: IANA IPv4/IPv6 Special-Purpose Address Registries (RFC 6890 and
 * updates).
 */

const FORBIDDEN_IPV4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // carrier-grade NAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, incl. cloud metadata 169.254.169.254
  ['172.16.0.0', 12], // private (RFC 1918)
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation TEST-NET-1
  ['192.88.99.0', 24], // deprecated 6to4 relay anycast
  ['192.168.0.0', 16], // private (RFC 1918)
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation TEST-NET-2
  ['203.0.113.0', 24], // documentation TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. broadcast 255.255.255.255
];

/**
 * Only global unicast (2000::/3) is routable on the public IPv6 internet; everything else —
 * `::`, `::1`, IPv4-compatible `::/96`, link-local fe80::/10, unique-local fc00::/7, multicast
 * ff00::/8, discard 100::/64, local-use NAT64 64:ff9b:1::/48 — is refused by not being in it.
 * Embedding prefixes outside it (IPv4-mapped, NAT64) are judged by their IPv4 address first.
 */
const IPV6_GLOBAL_UNICAST: readonly [string, number] = ['2000::', 3];

/** Special-purpose ranges inside global unicast. */
const FORBIDDEN_IPV6_GLOBAL: ReadonlyArray<readonly [string, number]> = [
  ['2001::', 23], // IETF protocol assignments (benchmarking, ORCHID, AMT, …); Teredo is judged first
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation (RFC 9637)
];

function blockList(
  subnets: ReadonlyArray<readonly [string, number]>,
  type: 'ipv4' | 'ipv6',
): BlockList {
  const list = new BlockList();
  for (const [network, prefixLength] of subnets) {
    list.addSubnet(network, prefixLength, type);
  }
  return list;
}

const forbiddenIpv4 = blockList(FORBIDDEN_IPV4, 'ipv4');
const ipv6GlobalUnicast = blockList([IPV6_GLOBAL_UNICAST], 'ipv6');
const forbiddenIpv6Global = blockList(FORBIDDEN_IPV6_GLOBAL, 'ipv6');

/**
 * True when `address` is loopback, unspecified, private, link-local, CGNAT, multicast, reserved,
 * benchmarking or documentation space — or an IPv6 address that embeds such an IPv4 address
 * (IPv4-mapped, IPv4-translated, NAT64, 6to4, Teredo).
 *
 * Fails closed: anything that is not a plain IP address (a hostname, a scoped IPv6 address, an
 * empty string) is forbidden.
 */
export function isForbiddenAddress(address: string): boolean {
  switch (ipFamilyOf(address)) {
    case 'ipv4':
      return forbiddenIpv4.check(address, 'ipv4');
    case 'ipv6':
      return isForbiddenIpv6(address);
    default:
      return true;
  }
}

function isForbiddenIpv6(address: string): boolean {
  const embedded = embeddedIpv4Addresses(address);
  if (embedded.length > 0) {
    return embedded.some((ipv4) => forbiddenIpv4.check(ipv4, 'ipv4'));
  }
  return !ipv6GlobalUnicast.check(address, 'ipv6') || forbiddenIpv6Global.check(address, 'ipv6');
}
