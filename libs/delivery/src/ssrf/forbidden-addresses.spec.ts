import { isForbiddenAddress } from './forbidden-addresses';

describe(isForbiddenAddress.name, () => {
  it.each([
    ['loopback', ['127.0.0.1', '127.255.255.254', '::1']],
    ['unspecified / this network', ['0.0.0.0', '0.1.2.3', '::']],
    ['private', ['10.0.0.1', '10.255.255.255', '172.16.0.1', '172.31.255.255', '192.168.1.1']],
    ['link-local and cloud metadata', ['169.254.169.254', '169.254.0.1', 'fe80::1', 'febf::1']],
    ['carrier-grade NAT', ['100.64.0.1', '100.127.255.255']],
    ['multicast', ['224.0.0.1', '239.255.255.250', 'ff02::1', 'ff0e::1']],
    ['IETF protocol assignments', ['192.0.0.1', '192.0.0.170']],
    ['documentation', ['192.0.2.1', '198.51.100.7', '203.0.113.9', '2001:db8::1', '3fff::1']],
    ['benchmarking', ['198.18.0.1', '198.19.255.255', '2001:2::1']],
    ['reserved and broadcast', ['240.0.0.1', '255.255.255.255', '192.88.99.1']],
    ['unique-local IPv6', ['fc00::1', 'fd12:3456:789a::1']],
    [
      'IPv4-mapped IPv6 of a forbidden IPv4',
      ['::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe'],
    ],
    ['IPv4-translated IPv6 of a forbidden IPv4', ['::ffff:0:127.0.0.1', '::ffff:0:a00:1']],
    ['IPv4-compatible IPv6 (deprecated)', ['::127.0.0.1', '::8.8.8.8']],
    ['NAT64 of a forbidden IPv4', ['64:ff9b::127.0.0.1', '64:ff9b::a9fe:a9fe']],
    ['local-use NAT64', ['64:ff9b:1::8.8.8.8']],
    ['6to4 of a forbidden IPv4', ['2002:7f00:1::1', '2002:c0a8:101::1']],
    ['Teredo with a forbidden server', ['2001:0:7f00:1::8.8.8.8']],
    ['Teredo with a forbidden client', ['2001:0:808:808::' + teredoClient('127.0.0.1')]],
    ['other IPv6 outside global unicast', ['100::1', '::2', '4000::1', 'e000::1']],
    [
      'things that are not plain addresses',
      ['', 'localhost', 'example.com', 'fe80::1%eth0', '1.2.3'],
    ],
  ])('forbids %s', (_, addresses) => {
    for (const address of addresses) {
      expect({ address, forbidden: isForbiddenAddress(address) }).toEqual({
        address,
        forbidden: true,
      });
    }
  });

  it.each([
    ['public IPv4', ['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.15.255.255', '172.32.0.0']],
    [
      'IPv4 just outside the forbidden ranges',
      ['100.63.255.255', '100.128.0.0', '223.255.255.255'],
    ],
    ['public IPv6', ['2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '2001:4860:4860::8888']],
    ['IPv4-mapped IPv6 of a public IPv4', ['::ffff:8.8.8.8', '::ffff:808:808']],
    ['NAT64 of a public IPv4', ['64:ff9b::8.8.8.8']],
    ['6to4 of a public IPv4', ['2002:808:808::1']],
    ['Teredo between public IPv4 addresses', ['2001:0:808:808::' + teredoClient('1.1.1.1')]],
  ])('permits %s', (_, addresses) => {
    for (const address of addresses) {
      expect({ address, forbidden: isForbiddenAddress(address) }).toEqual({
        address,
        forbidden: false,
      });
    }
  });
});

/** The last two groups of a Teredo address whose client is `ipv4` (stored bit-inverted). */
function teredoClient(ipv4: string): string {
  const inverted = ipv4
    .split('.')
    .map((octet) => (Number(octet) ^ 0xff).toString(16).padStart(2, '0'));
  return `${inverted[0]}${inverted[1]}:${inverted[2]}${inverted[3]}`;
}
