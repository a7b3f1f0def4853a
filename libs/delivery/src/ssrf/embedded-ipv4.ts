import { BlockList } from 'node:net';
import { ipv6Bytes } from './ipv6-bytes';

/*
 * IPv6 prefixes whose addresses carry an IPv4 address that the packet (or the host's stack) ends
 * up delivering to. Such an address is only as safe as the IPv4 address inside it, so
 * `isForbiddenAddress` judges those instead.
 */
interface Embedding {
  readonly name: string;
  readonly prefix: BlockList;
  /** The IPv4 addresses inside the 16 address bytes. */
  readonly extract: (bytes: Buffer) => string[];
}

function subnet(network: string, prefixLength: number): BlockList {
  const list = new BlockList();
  list.addSubnet(network, prefixLength, 'ipv6');
  return list;
}

function ipv4At(bytes: Buffer, offset: number, xorMask = 0): string {
  return Array.from(bytes.subarray(offset, offset + 4), (byte) => byte ^ xorMask).join('.');
}

const EMBEDDINGS: readonly Embedding[] = [
  // RFC 4291 IPv4-mapped: a dual-stack socket connects to the IPv4 address itself.
  { name: 'ipv4-mapped', prefix: subnet('::ffff:0:0', 96), extract: (b) => [ipv4At(b, 12)] },
  // RFC 2765 (SIIT) IPv4-translated.
  { name: 'ipv4-translated', prefix: subnet('::ffff:0:0:0', 96), extract: (b) => [ipv4At(b, 12)] },
  // RFC 6052 well-known NAT64 prefix: the translator forwards to the embedded address.
  { name: 'nat64', prefix: subnet('64:ff9b::', 96), extract: (b) => [ipv4At(b, 12)] },
  // RFC 3056 6to4: 2002:AABB:CCDD::/48 is routed to the relay at A.B.C.D.
  { name: '6to4', prefix: subnet('2002::', 16), extract: (b) => [ipv4At(b, 2)] },
  // RFC 4380 Teredo: server address in bytes 4–7, client address inverted in bytes 12–15.
  {
    name: 'teredo',
    prefix: subnet('2001::', 32),
    extract: (b) => [ipv4At(b, 4), ipv4At(b, 12, 0xff)],
  },
];

/**
 * The IPv4 addresses embedded in an IPv6 address by one of the translation or tunnelling schemes
 * above; an empty array when it uses none of them (or is not an IPv6 address).
 */
export function embeddedIpv4Addresses(ipv6: string): string[] {
  const bytes = ipv6Bytes(ipv6);
  if (bytes === null) {
    return [];
  }
  const embedding = EMBEDDINGS.find((candidate) => candidate.prefix.check(ipv6, 'ipv6'));
  return embedding === undefined ? [] : embedding.extract(bytes);
}
