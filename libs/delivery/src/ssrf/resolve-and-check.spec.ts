import type { LookupAddress } from 'node:dns';
import { resolveAndCheck, type LookupAll } from './resolve-and-check';
import { SsrfBlockedError } from './ssrf-blocked-error';

/** A resolver from a fixed table, recording what it was asked. */
function fakeResolver(table: Record<string, LookupAddress[]>): LookupAll & { calls: string[] } {
  const calls: string[] = [];
  const lookup = async (hostname: string) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (addresses === undefined) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    }
    return addresses;
  };
  return Object.assign(lookup, { calls });
}

const v4 = (address: string): LookupAddress => ({ address, family: 4 });
const v6 = (address: string): LookupAddress => ({ address, family: 6 });

describe(resolveAndCheck.name, () => {
  const lookup = fakeResolver({
    'public.test': [v6('2606:4700::6810:84e5'), v4('104.16.132.229')],
    'evil.test': [v4('127.0.0.1')],
    'mixed.test': [v4('8.8.8.8'), v4('10.0.0.1')],
    'mapped.test': [v6('::ffff:169.254.169.254')],
    'empty.test': [],
  });
  const strict = { allowPrivateTargets: false, lookup };

  it('returns the first address and every checked address', async () => {
    const sut = await resolveAndCheck('public.test', strict);

    expect(sut).toEqual({
      address: '2606:4700::6810:84e5',
      family: 6,
      addresses: [v6('2606:4700::6810:84e5'), v4('104.16.132.229')],
    });
  });

  it('refuses a name that resolves to a forbidden address', async () => {
    await expect(resolveAndCheck('evil.test', strict)).rejects.toThrow(SsrfBlockedError);
    await expect(resolveAndCheck('evil.test', strict)).rejects.toMatchObject({
      hostname: 'evil.test',
      address: '127.0.0.1',
      code: 'ERR_HERALD_SSRF_BLOCKED',
    });
  });

  it('refuses a name if ANY of its addresses is forbidden', async () => {
    await expect(resolveAndCheck('mixed.test', strict)).rejects.toMatchObject({
      address: '10.0.0.1',
    });
  });

  it('refuses an IPv4-mapped IPv6 answer that embeds a forbidden address', async () => {
    await expect(resolveAndCheck('mapped.test', strict)).rejects.toThrow(SsrfBlockedError);
  });

  it('permits forbidden answers with allowPrivateTargets or inside an allowed subnet', async () => {
    await expect(
      resolveAndCheck('evil.test', { allowPrivateTargets: true, lookup }),
    ).resolves.toMatchObject({
      address: '127.0.0.1',
      family: 4,
    });
    await expect(
      resolveAndCheck('mixed.test', {
        allowPrivateTargets: false,
        allowedSubnets: ['10.0.0.0/8'],
        lookup,
      }),
    ).resolves.toMatchObject({ address: '8.8.8.8' });
  });

  it('checks IP literals without asking the resolver', async () => {
    const before = lookup.calls.length;

    await expect(resolveAndCheck('2130706433', strict)).rejects.toThrow(SsrfBlockedError);
    await expect(resolveAndCheck('8.8.8.8', strict)).resolves.toMatchObject({ address: '8.8.8.8' });
    await expect(resolveAndCheck('[::1]', strict)).rejects.toThrow(SsrfBlockedError);
    expect(lookup.calls.length).toBe(before);
  });

  it('resolves exactly once per call', async () => {
    const before = lookup.calls.length;

    await resolveAndCheck('public.test', strict);

    expect(lookup.calls.slice(before)).toEqual(['public.test']);
  });

  it('passes resolver errors through and treats an empty answer as not found', async () => {
    await expect(resolveAndCheck('unknown.test', strict)).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
    await expect(resolveAndCheck('empty.test', strict)).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
  });

  it('uses the system resolver by default, for which localhost is loopback', async () => {
    await expect(resolveAndCheck('localhost', { allowPrivateTargets: false })).rejects.toThrow(
      SsrfBlockedError,
    );
  });
});
