import { InvalidSubnet, createAddressGuard } from './target-policy';

describe(createAddressGuard.name, () => {
  describe('by default', () => {
    const sut = createAddressGuard({ allowPrivateTargets: false });

    it('permits public addresses and refuses forbidden ones', () => {
      expect(sut.permits('8.8.8.8')).toBe(true);
      expect(sut.permits('2606:4700:4700::1111')).toBe(true);
      expect(sut.permits('127.0.0.1')).toBe(false);
      expect(sut.permits('::ffff:10.0.0.1')).toBe(false);
    });

    it('refuses anything that is not a plain IP address', () => {
      expect(sut.permits('example.com')).toBe(false);
      expect(sut.permits('fe80::1%lo')).toBe(false);
    });
  });

  it('permits every address with allowPrivateTargets, but still only addresses', () => {
    const sut = createAddressGuard({ allowPrivateTargets: true });

    expect(sut.permits('127.0.0.1')).toBe(true);
    expect(sut.permits('::1')).toBe(true);
    expect(sut.permits('169.254.169.254')).toBe(true);
    expect(sut.permits('localhost')).toBe(false);
  });

  it('permits forbidden addresses inside allowed subnets, and only those', () => {
    const sut = createAddressGuard({
      allowPrivateTargets: false,
      allowedSubnets: ['10.20.0.0/16', 'fd00:1::/64', '192.168.1.10'],
    });

    expect(sut.permits('10.20.3.4')).toBe(true);
    expect(sut.permits('::ffff:10.20.3.4')).toBe(true);
    expect(sut.permits('10.21.0.1')).toBe(false);
    expect(sut.permits('fd00:1::5')).toBe(true);
    expect(sut.permits('fd00:2::5')).toBe(false);
    expect(sut.permits('192.168.1.10')).toBe(true);
    expect(sut.permits('192.168.1.11')).toBe(false);
    expect(sut.permits('127.0.0.1')).toBe(false);
    expect(sut.permits('8.8.8.8')).toBe(true);
  });

  it.each([
    '10.0.0.0/33',
    '::/129',
    'example.com/8',
    '10.0.0.0/8/8',
    '10.0.0.0/',
    '10.0.0.0/x',
    '',
  ])('throws InvalidSubnet for %p', (subnet) => {
    expect(() =>
      createAddressGuard({ allowPrivateTargets: false, allowedSubnets: [subnet] }),
    ).toThrow(InvalidSubnet);
  });
});
