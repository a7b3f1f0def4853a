import { parseHostLiteral } from './host-literal';

describe(parseHostLiteral.name, () => {
  it('relies on the WHATWG URL parser, which already normalises odd IPv4 spellings', () => {
    expect(new URL('http://2130706433/').hostname).toBe('127.0.0.1');
    expect(new URL('http://0x7f.1/').hostname).toBe('127.0.0.1');
    expect(new URL('http://[::ffff:127.0.0.1]/').hostname).toBe('[::ffff:7f00:1]');
  });

  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['0x7F.0x0.0.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['017700000001', '127.0.0.1'],
    ['127.0.0.1.', '127.0.0.1'],
    ['127%2e0%2e0%2e1', '127.0.0.1'],
    ['１２７.０.０.１', '127.0.0.1'],
    ['0', '0.0.0.0'],
    ['169.254.43518', '169.254.169.254'],
    ['10.0.0.1', '10.0.0.1'],
    ['8.8.8.8', '8.8.8.8'],
  ])('reads the IPv4 host %s as %s', (host, address) => {
    expect(parseHostLiteral(host)).toEqual({ family: 'ipv4', address });
  });

  it.each([
    ['[::1]', '::1'],
    ['::1', '::1'],
    ['[0:0:0:0:0:0:0:1]', '::1'],
    ['[::ffff:127.0.0.1]', '::ffff:7f00:1'],
    ['[::ffff:7f00:1]', '::ffff:7f00:1'],
    ['[::FFFF:7F00:0001]', '::ffff:7f00:1'],
    ['[fe80::1]', 'fe80::1'],
    ['[2001:db8::1]', '2001:db8::1'],
  ])('reads the IPv6 host %s as %s', (host, address) => {
    expect(parseHostLiteral(host)).toEqual({ family: 'ipv6', address });
  });

  it.each([
    'example.com',
    'localhost',
    '127.0.0.1.example.com',
    'xn--nxasmq6b.example',
    '',
    '[]',
    '[example.com]',
    'foo.123',
    '4294967296',
    '1.2.3.4.5',
    '127.0.0.1:80',
    '127.0.0.1/path',
    'user@127.0.0.1',
    '[fe80::1%25eth0]',
  ])('finds no IP address in %p', (host) => {
    expect(parseHostLiteral(host)).toBeNull();
  });
});
