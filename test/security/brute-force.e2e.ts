import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_KEY_CHECKSUM_LENGTH, generateApiKey, hasValidApiKeyShape } from '@herald/domain';
import {
  adminToken,
  createTestApi,
  enableApiKey,
  newUser,
  type TestApi,
  type TestUser,
} from '@herald/testing';
import { bearer, expectProblem } from '@herald/testing/http-assertions';
import { resetAuthFailures } from '@herald/testing/test-redis';
import type { Response } from 'supertest';
import {
  AUTH_FAILURE_LIMIT,
  AUTH_FAILURE_WINDOW_SECONDS,
} from '../../apps/api/src/auth/auth-failure-limiter';
import { encodeBase62, randomBase62 } from '../../libs/domain/src/api-keys/base62';
import { crc32 } from '../../libs/domain/src/api-keys/crc32';

/*
 * Pass criterion (issue 5, item 10):
 * - One client (told apart by its address: real source addresses 127.0.0.2, 127.0.0.3, … on
 *   loopback, no proxy trusted) gets 401 for its first AUTH_FAILURE_LIMIT (20) failed
 *   authentications — bad API keys, bad session tokens, wrong passwords and wrong
 *   HERALD_METRICS_TOKENs all count, together — and 429 problem+json with a Retry-After of
 *   1..60 s from then on, for sign-ins and scrapes even with the right password or token.
 *   Meanwhile other clients are unaffected: their failures still get 401, their sign-ins, keys
 *   and scrapes work. Requests without credentials never count.
 * - Without HERALD_TRUST_PROXY, X-Forwarded-For is ignored: changing it on every request does not
 *   escape the limit. With HERALD_TRUST_PROXY=loopback (behind a proxy on this host), clients
 *   are told apart by the address the proxy appends, and addresses a client prepends itself do
 *   not make it someone else.
 * - An unknown API key, a wrong key with the same visible prefix as a real key, a regenerated
 *   (old) key, a key turned off by its owner and a malformed key get identical answers — status,
 *   body and headers, apart from per-request ids and the date — in X-Api-Key and in
 *   Authorization: Bearer; and identical 429s once the client is limited. An unknown email and a
 *   wrong password answer identically too.
 */

const LIMIT = AUTH_FAILURE_LIMIT;
/** HERALD_METRICS_TOKEN: a credential too, so guesses at it count like any other. */
const METRICS_TOKEN = 'metrics-token-for-the-brute-force-test';

/** What a client gets back, from a real socket. */
interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** Headers that differ between any two requests, whoever makes them. */
const PER_REQUEST_HEADERS = new Set(['date', 'x-request-id', 'x-correlation-id', 'traceparent']);

/** A well-formed API key (right checksum) with `realKey`'s visible prefix and another secret part. */
function keyWithSamePrefix(realKey: string): string {
  const visible = realKey.slice(0, 'hrld_'.length + 8);
  const body = visible + randomBase62(32 - 8);
  return body + encodeBase62(crc32(body), API_KEY_CHECKSUM_LENGTH);
}

describe('authentication brute force', () => {
  let api: TestApi;
  let port: number;
  let sut: TestUser;
  let sutKey: string;

  /** One HTTP request from `source` (a loopback address of its own, i.e. a different client). */
  function from(
    source: string,
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: unknown,
  ): Promise<RawResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port,
          localAddress: source,
          method,
          path,
          agent: false,
          headers: {
            ...headers,
            ...(payload === undefined
              ? {}
              : {
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(payload),
                }),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  }

  const signIn = (source: string, email: string, password: string) =>
    from(source, 'POST', '/v1/auth/login', {}, { email, password });
  const me = (source: string, headers: Record<string, string>) =>
    from(source, 'GET', '/v1/me', headers);

  function expectRawProblem(response: RawResponse, status: number): void {
    expect({ status: response.status, type: response.headers['content-type'] }).toEqual({
      status,
      type: expect.stringMatching(/^application\/problem\+json/),
    });
    expect(JSON.parse(response.text)).toMatchObject({ status });
  }

  function expectLimited(response: RawResponse): void {
    expectRawProblem(response, 429);
    const retryAfter = Number(response.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(AUTH_FAILURE_WINDOW_SECONDS);
  }

  beforeAll(async () => {
    api = await createTestApi({ HERALD_METRICS_TOKEN: METRICS_TOKEN });
    await api.app.listen(0, '127.0.0.1');
    port = (api.app.getHttpServer().address() as AddressInfo).port;
    sut = await newUser(api);
    sutKey = await enableApiKey(api, sut);
  });
  afterAll(() => api.close());
  beforeEach(() => resetAuthFailures(api));

  describe('per client address (no proxy trusted)', () => {
    it(`one client: ${LIMIT} failures get 401, then 429 with Retry-After — for a wrong key, a right password, anything`, async () => {
      const attacker = '127.0.0.2';
      const statuses: number[] = [];
      for (let attempt = 1; attempt <= LIMIT; attempt++) {
        statuses.push((await me(attacker, { 'x-api-key': generateApiKey().apiKey })).status);
      }
      expect(statuses).toEqual(Array(LIMIT).fill(401));

      expectLimited(await me(attacker, { 'x-api-key': generateApiKey().apiKey }));
      expectLimited(await me(attacker, bearer('hrs_not-a-session')));
      expectLimited(await signIn(attacker, sut.email, 'wrong-password'));
      // Passwords are what can be guessed: a limited client cannot even try the right one.
      expectLimited(await signIn(attacker, sut.email, sut.password));
    });

    it('other clients are unaffected while one is limited: their failures get 401, their sign-ins and keys work', async () => {
      const attacker = '127.0.0.3';
      for (let attempt = 1; attempt <= LIMIT + 5; attempt++)
        await me(attacker, { 'x-api-key': generateApiKey().apiKey });
      expectLimited(await signIn(attacker, sut.email, sut.password));

      for (const other of ['127.0.0.4', '127.0.0.5']) {
        expectRawProblem(await signIn(other, sut.email, 'wrong-password'), 401);
        expectRawProblem(await me(other, { 'x-api-key': generateApiKey().apiKey }), 401);
        expect((await signIn(other, sut.email, sut.password)).status).toBe(200);
        expect((await me(other, { 'x-api-key': sutKey })).status).toBe(200);
      }
      // …and the attacker is still limited.
      expectLimited(await signIn(attacker, sut.email, sut.password));
    });

    it('sign-ins, API keys and session tokens share one count per client', async () => {
      const client = '127.0.0.6';
      const failures = [
        () => signIn(client, sut.email, 'wrong-password'),
        () => me(client, { 'x-api-key': generateApiKey().apiKey }),
        () => me(client, bearer(`hrs_${randomBase62(43)}`)),
      ];
      for (let attempt = 0; attempt < LIMIT; attempt++) {
        expectRawProblem(await failures[attempt % failures.length](), 401);
      }
      expectLimited(await signIn(client, sut.email, sut.password));
    });

    it('wrong metrics tokens (HERALD_METRICS_TOKEN) count too: a limited client cannot try the right one, others can', async () => {
      const client = '127.0.0.9';
      const scrape = (source: string, token: string) =>
        from(source, 'GET', '/metrics', bearer(token));
      for (let attempt = 1; attempt <= LIMIT; attempt++)
        expectRawProblem(await scrape(client, `guess-${attempt}-${METRICS_TOKEN}`), 401);
      expectLimited(await scrape(client, METRICS_TOKEN));
      expectLimited(await signIn(client, sut.email, sut.password));
      expect((await scrape('127.0.0.10', METRICS_TOKEN)).status).toBe(200);
      // Scrapes without a token are not guesses.
      for (let attempt = 0; attempt < LIMIT + 5; attempt++)
        expectRawProblem(await from('127.0.0.11', 'GET', '/metrics'), 401);
      expect((await scrape('127.0.0.11', METRICS_TOKEN)).status).toBe(200);
    });

    it('requests without credentials are not failures: they never lead to 429', async () => {
      const client = '127.0.0.7';
      for (let attempt = 0; attempt < LIMIT + 5; attempt++)
        expectRawProblem(await me(client, {}), 401);
      expect((await signIn(client, sut.email, sut.password)).status).toBe(200);
    });

    it('X-Forwarded-For is ignored when no proxy is trusted: a new value on every request does not escape the limit', async () => {
      const client = '127.0.0.8';
      for (let attempt = 1; attempt <= LIMIT; attempt++) {
        const forwarded = { 'x-forwarded-for': `198.51.100.${attempt}` };
        expectRawProblem(
          await me(client, { ...forwarded, 'x-api-key': generateApiKey().apiKey }),
          401,
        );
      }
      expectLimited(
        await from(
          client,
          'POST',
          '/v1/auth/login',
          { 'x-forwarded-for': '198.51.100.200' },
          {
            email: sut.email,
            password: sut.password,
          },
        ),
      );
    });
  });

  describe('behind a trusted proxy (HERALD_TRUST_PROXY=loopback)', () => {
    let proxied: TestApi;
    let user: TestUser;

    beforeAll(async () => {
      proxied = await createTestApi({ HERALD_TRUST_PROXY: 'loopback' });
      user = await newUser(proxied);
    });
    afterAll(() => proxied.close());
    beforeEach(() => resetAuthFailures(proxied));

    const login = (forwardedFor: string, password: string) =>
      proxied.http
        .post('/v1/auth/login')
        .set('x-forwarded-for', forwardedFor)
        .send({ email: user.email, password });

    it('clients are told apart by the address the proxy appends; a client cannot make itself someone else by prepending addresses', async () => {
      for (let attempt = 1; attempt <= LIMIT; attempt++) {
        // The attacker (192.0.2.10) puts a different made-up address in front every time.
        const guess = await proxied.http
          .get('/v1/me')
          .set('x-forwarded-for', `203.0.113.${attempt}, 192.0.2.10`)
          .set('x-api-key', generateApiKey().apiKey);
        expectProblem(guess, 401);
      }
      expectProblem(await login('192.0.2.10', user.password), 429);
      expectProblem(await login('203.0.113.99, 192.0.2.10', user.password), 429);

      expectProblem(await login('192.0.2.11', 'wrong-password'), 401);
      expect((await login('192.0.2.11', user.password)).status).toBe(200);
      expect((await login('192.0.2.10, 192.0.2.12', user.password)).status).toBe(200);
    });
    it('an IPv6 client is its /64: new interface ids do not escape the limit, another /64 is someone else', async () => {
      for (let attempt = 1; attempt <= LIMIT; attempt++) {
        const guess = await proxied.http
          .get('/v1/me')
          .set('x-forwarded-for', `2001:db8:1:2::${attempt.toString(16)}`)
          .set('x-api-key', generateApiKey().apiKey);
        expectProblem(guess, 401);
      }
      expectProblem(await login('2001:db8:1:2:ffff:ffff:ffff:ffff', user.password), 429);
      expectProblem(await login('2001:0db8:0001:0002::abcd', user.password), 429);
      expect((await login('2001:db8:1:3::1', user.password)).status).toBe(200);
    });

    it('an IPv4 client is the same client in its IPv4-mapped IPv6 spelling (what a dual-stack listener sees)', async () => {
      for (let attempt = 1; attempt <= LIMIT; attempt++) {
        const guess = await proxied.http
          .get('/v1/me')
          .set('x-forwarded-for', attempt % 2 === 0 ? '192.0.2.20' : '::ffff:192.0.2.20')
          .set('x-api-key', generateApiKey().apiKey);
        expectProblem(guess, 401);
      }
      expectProblem(await login('192.0.2.20', user.password), 429);
      expectProblem(await login('::ffff:192.0.2.20', user.password), 429);
      expect((await login('::ffff:192.0.2.21', user.password)).status).toBe(200);
    });
  });

  describe('unknown and wrong keys answer identically', () => {
    /** A response without what differs between any two requests. */
    function comparable(response: Response): Record<string, unknown> {
      const headers = Object.fromEntries(
        Object.entries(response.headers).filter(([name]) => !PER_REQUEST_HEADERS.has(name)),
      );
      return { status: response.status, headers, body: response.text };
    }

    let rejected: Record<string, string>;

    beforeAll(async () => {
      const owner = await newUser(api);
      const regenerated = await enableApiKey(api, owner);
      const current = await enableApiKey(api, owner);
      const turnedOffOwner = await newUser(api);
      const turnedOff = await enableApiKey(api, turnedOffOwner);
      await api.http.delete('/v1/me/api-key').set(bearer(turnedOffOwner.token)).expect(204);
      const cleared = await newUser(api);
      const clearedKey = await enableApiKey(api, cleared);
      await api.http
        .delete(`/v1/admin/users/${cleared.id}/api-key`)
        .set(bearer(await adminToken(api)))
        .expect(204);
      rejected = {
        unknown: generateApiKey().apiKey,
        'same prefix as a real key, wrong secret part': keyWithSamePrefix(current),
        'regenerated (old) key': regenerated,
        'turned off by its owner': turnedOff,
        'cleared by an admin': clearedKey,
        'bad checksum': `${current.slice(0, -1)}${current.endsWith('A') ? 'B' : 'A'}`,
        'not a key at all': 'hrld_guess',
      };
      expect(hasValidApiKeyShape(rejected['same prefix as a real key, wrong secret part'])).toBe(
        true,
      );
      expect(rejected['same prefix as a real key, wrong secret part'].slice(0, 13)).toBe(
        current.slice(0, 13),
      );
      await api.http.get('/v1/me').set('x-api-key', current).expect(200);
    });

    it.each([
      ['X-Api-Key', (key: string) => ({ 'x-api-key': key })],
      ['Authorization: Bearer', (key: string) => bearer(key)],
    ])(
      'in %s: the same 401 — status, headers and body — for every rejected key',
      async (_, header) => {
        const answers: Record<string, Record<string, unknown>> = {};
        for (const [kind, key] of Object.entries(rejected)) {
          const response = await api.http.get('/v1/me').set(header(key));
          expectProblem(response, 401);
          answers[kind] = comparable(response);
        }
        const reference = answers.unknown;
        for (const [kind, answer] of Object.entries(answers))
          expect({ kind, ...answer }).toEqual({ kind, ...reference });
      },
    );

    it('once the client is limited, the same 429 for an unknown and a wrong key', async () => {
      for (let attempt = 0; attempt < LIMIT; attempt++)
        await api.http.get('/v1/me').set('x-api-key', generateApiKey().apiKey);
      const unknown = await api.http.get('/v1/me').set('x-api-key', generateApiKey().apiKey);
      const wrong = await api.http
        .get('/v1/me')
        .set('x-api-key', rejected['same prefix as a real key, wrong secret part']);
      expectProblem(unknown, 429);
      expectProblem(wrong, 429);
      const withoutRetryAfter = (response: Response) => {
        const { headers, ...rest } = comparable(response);
        const { 'retry-after': retryAfter, ...others } = headers as Record<string, string>;
        expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
        return { ...rest, headers: others };
      };
      expect(withoutRetryAfter(wrong)).toEqual(withoutRetryAfter(unknown));
    });

    it('signing in: an unknown email and a wrong password get the same 401', async () => {
      const unknown = await api.http
        .post('/v1/auth/login')
        .send({ email: 'nobody-here@herald.test', password: 'whatever-password' });
      const wrong = await api.http
        .post('/v1/auth/login')
        .send({ email: sut.email, password: 'whatever-password' });
      expectProblem(unknown, 401);
      expect(comparable(wrong)).toEqual(comparable(unknown));
    });
  });
});
