import {
  createTestApi,
  enableApiKey,
  login,
  newUser,
  type TestApi,
  type TestUser,
} from '@herald/testing';
import {
  bearer,
  countEvents,
  expectProblem,
  objectField,
  stringField,
} from '@herald/testing/http-assertions';
import { redisEntries, resetAuthFailures } from '@herald/testing/test-redis';
import type { Response } from 'supertest';

const COOKIE = 'herald_session';
const CSRF = 'x-herald-csrf';

function setCookies(response: Response): string[] {
  const header: unknown = response.headers['set-cookie'];
  return Array.isArray(header) ? header.map(String) : typeof header === 'string' ? [header] : [];
}

function sessionCookie(response: Response): string {
  const cookie = setCookies(response).find((value) => value.startsWith(`${COOKIE}=`));
  if (!cookie) throw new Error(`no ${COOKIE} cookie in ${JSON.stringify(setCookies(response))}`);
  return cookie;
}

describe('console sessions', () => {
  let api: TestApi;
  let sut: TestUser;

  beforeAll(async () => {
    api = await createTestApi();
    sut = await newUser(api);
  });
  afterAll(() => api.close());
  beforeEach(() => resetAuthFailures(api));

  const signIn = (email: string, password: string) =>
    api.http.post('/v1/auth/login').send({ email, password });
  const withCookie = (token: string) => ({ cookie: `${COOKIE}=${token}` });

  describe('POST /v1/auth/login', () => {
    it('answers 200 {token, expiresAt, user} with an opaque hrs_ token, not cacheable', async () => {
      const response = await signIn(sut.email, sut.password).expect(200);
      expect(stringField(response.body, 'token')).toMatch(/^hrs_[A-Za-z0-9_-]{43}$/);
      const expiresIn = Date.parse(stringField(response.body, 'expiresAt')) - Date.now();
      expect(expiresIn).toBeGreaterThan(60_000);
      expect(objectField(response.body, 'user')).toMatchObject({
        id: sut.id,
        email: sut.email,
        role: 'user',
      });
      expect(response.headers['cache-control']).toBe('no-store');
    });

    it('sets the token as an HttpOnly, SameSite=Strict cookie for the whole site, expiring with the session', async () => {
      const response = await signIn(sut.email, sut.password).expect(200);
      const cookie = sessionCookie(response);
      expect(cookie.startsWith(`${COOKIE}=${stringField(response.body, 'token')};`)).toBe(true);
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Strict/i);
      expect(cookie).toMatch(/;\s*Path=\/(;|$)/);
      const expires = /;\s*Expires=([^;]+)/i.exec(cookie)?.[1];
      expect(
        Math.abs(Date.parse(String(expires)) - Date.parse(response.body.expiresAt)),
      ).toBeLessThan(1000);
    });

    it('matches the email case-insensitively', async () => {
      await signIn(sut.email.toUpperCase(), sut.password).expect(200);
    });

    it('a wrong password and an unknown email answer the identical 401 problem, and issue no session', async () => {
      const sessionsBefore: { n: number }[] = await api.db.query(
        'SELECT count(*)::int AS n FROM sessions',
      );
      const wrongPassword = await signIn(sut.email, `${sut.password}-wrong`);
      const unknownEmail = await signIn('nobody-here@herald.test', sut.password);
      expectProblem(wrongPassword, 401);
      expect(unknownEmail.status).toBe(401);
      expect(unknownEmail.text).toBe(wrongPassword.text);
      expect(unknownEmail.headers['content-type']).toBe(wrongPassword.headers['content-type']);
      expect(setCookies(wrongPassword)).toEqual([]);
      expect(setCookies(unknownEmail)).toEqual([]);
      const sessionsAfter: { n: number }[] = await api.db.query(
        'SELECT count(*)::int AS n FROM sessions',
      );
      expect(sessionsAfter[0].n).toBe(sessionsBefore[0].n);
    });
  });

  describe('using a session', () => {
    it('works as Authorization: Bearer', async () => {
      const token = await login(api, sut.email, sut.password);
      const me = await api.http.get('/v1/me').set(bearer(token)).expect(200);
      expect(me.body.id).toBe(sut.id);
    });

    it('works as the herald_session cookie for GET', async () => {
      const token = await login(api, sut.email, sut.password);
      const me = await api.http.get('/v1/me').set(withCookie(token)).expect(200);
      expect(me.body.id).toBe(sut.id);
    });

    it('with only the cookie, a POST without x-herald-csrf is 403 and changes nothing; with it, it succeeds', async () => {
      const token = await login(api, sut.email, sut.password);
      const before = await countEvents(api);
      expectProblem(await api.http.post('/v1/me/api-key').set(withCookie(token)), 403);
      expect(await countEvents(api)).toBe(before);
      await api.http.post('/v1/me/api-key').set(withCookie(token)).set(CSRF, '1').expect(201);
      expect(await countEvents(api)).toBe(before + 1);
    });

    it('with only the cookie, DELETE /v1/me/api-key needs x-herald-csrf too', async () => {
      const token = await login(api, sut.email, sut.password);
      const key = await enableApiKey(api, { ...sut, token });
      expectProblem(await api.http.delete('/v1/me/api-key').set(withCookie(token)), 403);
      await api.http.get('/v1/me').set('x-api-key', key).expect(200);
      await api.http.delete('/v1/me/api-key').set(withCookie(token)).set(CSRF, '1').expect(204);
      expectProblem(await api.http.get('/v1/me').set('x-api-key', key), 401);
    });

    it('with only the cookie, logout without x-herald-csrf is 403 and the session lives on', async () => {
      const token = await login(api, sut.email, sut.password);
      expectProblem(await api.http.post('/v1/auth/logout').set(withCookie(token)), 403);
      await api.http.get('/v1/me').set(withCookie(token)).expect(200);
    });

    it('an expired session gets 401', async () => {
      const token = await login(api, sut.email, sut.password);
      await api.http.get('/v1/me').set(bearer(token)).expect(200);
      await api.db.query(
        `UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
        [sut.id],
      );
      expectProblem(await api.http.get('/v1/me').set(bearer(token)), 401);
      expectProblem(await api.http.get('/v1/me').set(withCookie(token)), 401);
    });
  });

  describe('POST /v1/auth/logout', () => {
    it('answers 204, clears the cookie, and the token gets 401 afterwards as Bearer and as cookie', async () => {
      const token = await login(api, sut.email, sut.password);
      const response = await api.http.post('/v1/auth/logout').set(bearer(token)).expect(204);
      const cleared = sessionCookie(response);
      expect(cleared).toMatch(new RegExp(`^${COOKIE}=;`));
      expect(Date.parse(String(/;\s*Expires=([^;]+)/i.exec(cleared)?.[1]))).toBeLessThan(
        Date.now(),
      );
      expectProblem(await api.http.get('/v1/me').set(bearer(token)), 401);
      expectProblem(await api.http.get('/v1/me').set(withCookie(token)), 401);
    });

    it('with the cookie and x-herald-csrf, ends that session', async () => {
      const token = await login(api, sut.email, sut.password);
      await api.http.post('/v1/auth/logout').set(withCookie(token)).set(CSRF, '1').expect(204);
      expectProblem(await api.http.get('/v1/me').set(withCookie(token)), 401);
    });

    it('ends only that session: another session of the same user keeps working', async () => {
      const ended = await login(api, sut.email, sut.password);
      const other = await login(api, sut.email, sut.password);
      await api.http.post('/v1/auth/logout').set(bearer(ended)).expect(204);
      await api.http.get('/v1/me').set(bearer(other)).expect(200);
    });
  });

  describe('brute force', () => {
    it('after 20 failed sign-ins the client gets 429 with Retry-After, even with the right password', async () => {
      for (let attempt = 1; attempt <= 20; attempt++) {
        expectProblem(await signIn(sut.email, `wrong-${attempt}`), 401);
      }
      const throttled = await signIn(sut.email, sut.password);
      expectProblem(throttled, 429);
      const retryAfter = Number(throttled.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
    });

    it('while a client is throttled, valid API keys and sessions still work; the counter is per client address', async () => {
      const other = await newUser(api);
      const key = await enableApiKey(api, other);
      const token = await login(api, other.email, other.password);
      for (let attempt = 1; attempt <= 21; attempt++) await signIn(sut.email, `wrong-${attempt}`);
      expectProblem(await signIn(other.email, other.password), 429);
      await api.http.get('/v1/me').set('x-api-key', key).expect(200);
      await api.http.get('/v1/me').set(bearer(token)).expect(200);
      const counters = (await redisEntries(api)).filter((entry) =>
        entry.key.startsWith(`${api.config.redisPrefix}:auth-failures:`),
      );
      expect(counters).toHaveLength(1);
      expect(counters[0].key).toMatch(/127\.0\.0\.1|::1/);
    });

    it('failed API-key authentications count too: the 21st bad key gets 429 with Retry-After', async () => {
      const statuses: number[] = [];
      for (let attempt = 1; attempt <= 21; attempt++) {
        statuses.push(
          (await api.http.get('/v1/me').set('x-api-key', `hrld_guess${attempt}`)).status,
        );
      }
      expect(statuses.slice(0, 20).every((status) => status === 401)).toBe(true);
      const throttled = await api.http.get('/v1/me').set('x-api-key', 'hrld_guess22');
      expectProblem(throttled, 429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    });

    it('once the window has passed (counter gone), the right password works again', async () => {
      for (let attempt = 1; attempt <= 21; attempt++) await signIn(sut.email, `wrong-${attempt}`);
      expectProblem(await signIn(sut.email, sut.password), 429);
      await resetAuthFailures(api);
      await signIn(sut.email, sut.password).expect(200);
    });
  });
});
