import { clientGroup } from './client-group';

describe(clientGroup.name, () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['127.0.0.2', '127.0.0.2'],
  ])('keeps an IPv4 address as it is: %s', (address, expected) => {
    expect(clientGroup(address)).toBe(expected);
  });

  it.each([
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:192.0.2.1', '192.0.2.1'],
    ['::ffff:c000:201', '192.0.2.1'],
    ['0:0:0:0:0:ffff:127.0.0.1', '127.0.0.1'],
  ])('turns the IPv4-mapped IPv6 address %s into its IPv4 address', (address, expected) => {
    expect(clientGroup(address)).toBe(expected);
  });

  it('gives every address of one IPv6 /64 the same group, whatever the spelling', () => {
    const sut = [
      '2001:db8:1:2::1',
      '2001:db8:1:2:ffff:ffff:ffff:ffff',
      '2001:0DB8:0001:0002:0000:0000:0000:abcd',
      '2001:db8:1:2::192.0.2.1',
      'fe80::1%eth0',
    ].map(clientGroup);
    expect(new Set(sut.slice(0, 4))).toEqual(new Set(['2001:db8:1:2::/64']));
    expect(sut[4]).toBe('fe80:0:0:0::/64');
  });

  it('tells different /64s apart', () => {
    expect(clientGroup('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(clientGroup('::1')).toBe('0:0:0:0::/64');
    expect(clientGroup('2001:db8:1:2::1')).not.toBe(clientGroup('2001:db8:1:3::1'));
  });

  it('leaves what is not an address as it is', () => {
    expect(clientGroup('unknown')).toBe('unknown');
    expect(clientGroup('')).toBe('');
  });
});
