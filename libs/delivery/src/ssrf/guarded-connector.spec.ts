import type { LookupAddress } from 'node:dns';
import { Agent, request } from 'undici';
import { startHttpServer, startSentinel } from '../../test/local-servers';
import { createGuardedConnector } from './guarded-connector';
import type { LookupAll } from './resolve-and-check';
import { SsrfBlockedError } from './ssrf-blocked-error';

/** Resolves `evil.test` to loopback — a DNS answer that changed after the URL was accepted. */
const evilResolver: LookupAll = async (hostname) => {
  const table: Record<string, LookupAddress[]> = {
    'evil.test': [{ address: '127.0.0.1', family: 4 }],
    'sneaky.test': [
      { address: '93.184.216.34', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ],
  };
  const addresses = table[hostname];
  if (addresses === undefined) {
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  }
  return addresses;
};

describe(createGuardedConnector.name, () => {
  let sentinel: Awaited<ReturnType<typeof startSentinel>>;
  let agent: Agent;

  beforeEach(async () => {
    sentinel = await startSentinel();
    agent = new Agent({
      connect: createGuardedConnector({ allowPrivateTargets: false, lookup: evilResolver }),
    });
  });

  afterEach(async () => {
    await agent.close();
    await sentinel.close();
  });

  it.each(['evil.test', 'sneaky.test'])(
    'refuses %s, which resolves to 127.0.0.1: the sentinel sees no connection',
    async (hostname) => {
      const attempt = request(`http://${hostname}:${sentinel.port}/`, {
        method: 'POST',
        body: '{}',
        dispatcher: agent,
      });

      await expect(attempt).rejects.toBeInstanceOf(SsrfBlockedError);
      await expect(attempt).rejects.toMatchObject({ hostname, address: '127.0.0.1' });
      expect(sentinel.connections()).toBe(0);
    },
  );

  it.each(['127.0.0.1', '2130706433', '0x7f.1', '127.1', '[::ffff:127.0.0.1]'])(
    'refuses the IP literal %s, which net.connect would never look up',
    async (host) => {
      const attempt = request(`http://${host}:${sentinel.port}/`, {
        method: 'POST',
        body: '{}',
        dispatcher: agent,
      });

      await expect(attempt).rejects.toBeInstanceOf(SsrfBlockedError);
      expect(sentinel.connections()).toBe(0);
    },
  );

  it('refuses again on every new connection, not only the first', async () => {
    for (let i = 0; i < 3; i++) {
      await expect(
        request(`http://evil.test:${sentinel.port}/`, { dispatcher: agent }),
      ).rejects.toBeInstanceOf(SsrfBlockedError);
    }
    expect(sentinel.connections()).toBe(0);
  });

  it('connects to the checked address when the policy permits it', async () => {
    const server = await startHttpServer((_, res) => res.end('hello'));
    const permissive = new Agent({
      connect: createGuardedConnector({
        allowPrivateTargets: false,
        allowedSubnets: ['127.0.0.0/8'],
        lookup: evilResolver,
      }),
    });

    // evil.test exists only in the injected resolver: reaching the server proves the socket went
    // to the address the guard checked.
    const response = await request(`http://evil.test:${server.port}/`, { dispatcher: permissive });

    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe('hello');
    expect(server.requests[0]?.req.headers.host).toBe(`evil.test:${server.port}`);
    await permissive.close();
    await server.close();
  });
});
