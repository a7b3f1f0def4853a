import type { LookupAddress, LookupOptions } from 'node:dns';
import { connect } from 'node:net';
import { startSentinel } from '../../test/local-servers';
import { createGuardedLookup } from './guarded-lookup';
import type { LookupAll } from './resolve-and-check';
import { SsrfBlockedError } from './ssrf-blocked-error';
import { createAddressGuard } from './target-policy';

const table: Record<string, LookupAddress[]> = {
  'dual.test': [
    { address: '2606:4700::6810:84e5', family: 6 },
    { address: '104.16.132.229', family: 4 },
  ],
  'loopback.test': [{ address: '127.0.0.1', family: 4 }],
};
const fakeLookup: LookupAll = async (hostname) => table[hostname] ?? [];

interface Answer {
  error: NodeJS.ErrnoException | null;
  address: string | LookupAddress[];
  family?: number;
}

function ask(
  hostname: string,
  options: LookupOptions,
  allowPrivateTargets = false,
): Promise<Answer> {
  const sut = createGuardedLookup(createAddressGuard({ allowPrivateTargets }), fakeLookup);
  return new Promise((resolve) =>
    sut(hostname, options, (error, address, family) => resolve({ error, address, family })),
  );
}

describe(createGuardedLookup.name, () => {
  it('answers `all: true` with every checked address', async () => {
    const answer = await ask('dual.test', { all: true });

    expect(answer).toEqual({ error: null, address: table['dual.test'], family: undefined });
  });

  it('answers without `all` with the first address and its family', async () => {
    expect(await ask('dual.test', {})).toEqual({
      error: null,
      address: '2606:4700::6810:84e5',
      family: 6,
    });
  });

  it('honours a requested family', async () => {
    expect(await ask('dual.test', { family: 4 })).toMatchObject({
      address: '104.16.132.229',
      family: 4,
    });
    expect(await ask('dual.test', { family: 'IPv6', all: true })).toMatchObject({
      address: [{ address: '2606:4700::6810:84e5', family: 6 }],
    });
    expect((await ask('loopback.test', { family: 6 }, true)).error).toMatchObject({
      code: 'ENOTFOUND',
    });
  });

  it('fails with SsrfBlockedError for a forbidden answer, in both shapes', async () => {
    expect((await ask('loopback.test', { all: true })).error).toBeInstanceOf(SsrfBlockedError);
    expect((await ask('loopback.test', {})).error).toBeInstanceOf(SsrfBlockedError);
  });

  it.each([true, false])(
    'keeps net.connect (autoSelectFamily: %p) away from a forbidden address',
    async (autoSelectFamily) => {
      const sentinel = await startSentinel();
      const lookup = createGuardedLookup(
        createAddressGuard({ allowPrivateTargets: false }),
        fakeLookup,
      );

      const error = await new Promise<Error>((resolve, reject) => {
        const socket = connect({
          host: 'loopback.test',
          port: sentinel.port,
          lookup,
          autoSelectFamily,
        });
        socket.on('connect', () => reject(new Error('connected to a forbidden address')));
        socket.on('error', resolve);
      });

      expect(error).toBeInstanceOf(SsrfBlockedError);
      expect(sentinel.connections()).toBe(0);
      await sentinel.close();
    },
  );

  it.each([true, false])(
    'lets net.connect (autoSelectFamily: %p) reach a permitted address',
    async (autoSelectFamily) => {
      const sentinel = await startSentinel();
      const lookup = createGuardedLookup(
        createAddressGuard({ allowPrivateTargets: true }),
        fakeLookup,
      );

      await new Promise<void>((resolve, reject) => {
        const socket = connect({
          host: 'loopback.test',
          port: sentinel.port,
          lookup,
          autoSelectFamily,
        });
        socket.on('connect', () => {
          socket.destroy();
          resolve();
        });
        socket.on('error', reject);
      });

      await waitFor(() => sentinel.connections() === 1);
      await sentinel.close();
    },
  );
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(condition()).toBe(true);
}
