import type { LookupAddress } from 'node:dns';
import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { startDnsServer, type FakeDnsServer } from '../../test/fake-dns-server';
import { createBoundedLookup } from './bounded-lookup';

describe(createBoundedLookup.name, () => {
  let dns: FakeDnsServer;

  beforeAll(async () => {
    dns = await startDnsServer((name) => {
      if (name === 'public.test') return ['93.184.216.34'];
      if (name.endsWith('hang.test')) return 'silent';
      return 'nxdomain';
    });
  });
  afterAll(async () => {
    await dns.close();
  });

  const all = { all: true } as const;

  it('resolves a name through DNS', async () => {
    const sut = createBoundedLookup({ timeoutMs: 1000, servers: [dns.address] });

    await expect(sut('public.test', all)).resolves.toEqual([
      { address: '93.184.216.34', family: 4 },
    ]);
  });

  it('gives up on a name whose DNS never answers within its timeout, without holding libuv threads', async () => {
    const sut = createBoundedLookup({ timeoutMs: 400, servers: [dns.address] });
    const started = Date.now();
    const hanging = Array.from({ length: 8 }, (_, i) => sut(`n${i}.hang.test`, all));

    // libuv's pool (4 threads: getaddrinfo, crypto, fs) stays free meanwhile.
    const pbkdf2Started = Date.now();
    await promisify(pbkdf2)('x', 'y', 1, 32, 'sha256');
    expect(Date.now() - pbkdf2Started).toBeLessThan(200);

    for (const lookup of hanging) await expect(lookup).rejects.toMatchObject({ code: 'ETIMEOUT' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('falls back to the system lookup (/etc/hosts) for a name DNS does not know, such as localhost', async () => {
    const sut = createBoundedLookup({ timeoutMs: 1000, servers: [dns.address] });

    const addresses = await sut('localhost', all);
    expect(addresses.map((entry) => entry.address)).toContain('127.0.0.1');
    expect(dns.questions).toContain('localhost/1');
  });

  it('bounds the fallback: its own timeout, and at most maxFallbackLookups in flight', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const neverAnswers = () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<LookupAddress[]>(() => undefined);
    };
    const sut = createBoundedLookup({
      timeoutMs: 300,
      servers: [dns.address],
      fallback: neverAnswers,
      maxFallbackLookups: 1,
    });
    const started = Date.now();

    const results = await Promise.allSettled([
      sut('a.unknown.test', all),
      sut('b.unknown.test', all),
    ]);

    expect(
      results.map((r) => r.status === 'rejected' && (r.reason as { code: string }).code),
    ).toEqual(['ETIMEOUT', 'ETIMEOUT']);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(maxInFlight).toBe(1);
  });
});
