import { generateApiKey } from '@herald/domain';
import {
  adminToken,
  createTestApi,
  enableApiKey,
  newUser,
  type TestApi,
  type TestUser,
} from '@herald/testing';
import {
  bearer,
  countEvents,
  expectProblem,
  listItems,
  objectField,
  stringField,
} from '@herald/testing/http-assertions';
import { resetAuthFailures } from '@herald/testing/test-redis';

const API_KEY_SHAPE = /^hrld_[0-9A-Za-z]{38}$/;

describe('API keys', () => {
  let api: TestApi;
  let admin: string;

  beforeAll(async () => {
    api = await createTestApi();
    admin = await adminToken(api);
  });
  afterAll(() => api.close());
  // Every 401 here counts as a failed authentication from 127.0.0.1; keep the limiter out of the way.
  beforeEach(() => resetAuthFailures(api));

  async function me(credentials: Record<string, string>): Promise<number> {
    return (await api.http.get('/v1/me').set(credentials)).status;
  }

  async function apiAccess(user: TestUser): Promise<Record<string, unknown>> {
    const response = await api.http.get('/v1/me').set(bearer(user.token)).expect(200);
    return objectField(response.body, 'apiAccess');
  }

  describe('POST /v1/me/api-key (enable or regenerate)', () => {
    it('answers 201 {apiKey, keyPrefix, createdAt}: an hrld_ key, its first 13 characters as prefix', async () => {
      const user = await newUser(api);
      const response = await api.http.post('/v1/me/api-key').set(bearer(user.token)).expect(201);
      const apiKey = stringField(response.body, 'apiKey');
      expect(apiKey).toMatch(API_KEY_SHAPE);
      expect(stringField(response.body, 'keyPrefix')).toBe(apiKey.slice(0, 13));
      expect(new Date(stringField(response.body, 'createdAt')).toISOString()).toBe(
        response.body.createdAt,
      );
    });

    it('a regenerated key replaces the previous one on the very next request', async () => {
      const user = await newUser(api);
      const first = await enableApiKey(api, user);
      expect(await me(bearer(first))).toBe(200);
      const second = await enableApiKey(api, user);
      expect(await me(bearer(first))).toBe(401);
      expect(await me({ 'x-api-key': first })).toBe(401);
      const current = await api.http.get('/v1/me').set('x-api-key', second).expect(200);
      expect(current.body.apiAccess).toMatchObject({
        enabled: true,
        keyPrefix: second.slice(0, 13),
      });
    });

    it('a key can regenerate itself: the calling key fails right after, the new one works', async () => {
      const user = await newUser(api);
      const first = await enableApiKey(api, user);
      const response = await api.http.post('/v1/me/api-key').set('x-api-key', first).expect(201);
      expect(await me(bearer(first))).toBe(401);
      expect(await me(bearer(stringField(response.body, 'apiKey')))).toBe(200);
    });
  });

  describe('DELETE /v1/me/api-key (turn API access off)', () => {
    it('answers 204 and the key gets 401 on the very next request', async () => {
      const user = await newUser(api);
      const key = await enableApiKey(api, user);
      await api.http.delete('/v1/me/api-key').set(bearer(user.token)).expect(204);
      expect(await me(bearer(key))).toBe(401);
      expect(await me({ 'x-api-key': key })).toBe(401);
    });

    it('works when called with the key itself, which then fails', async () => {
      const user = await newUser(api);
      const key = await enableApiKey(api, user);
      await api.http.delete('/v1/me/api-key').set('x-api-key', key).expect(204);
      expect(await me({ 'x-api-key': key })).toBe(401);
    });

    it('a repeated DELETE answers 204 and appends no event', async () => {
      const user = await newUser(api);
      await enableApiKey(api, user);
      await api.http.delete('/v1/me/api-key').set(bearer(user.token)).expect(204);
      const before = await countEvents(api);
      await api.http.delete('/v1/me/api-key').set(bearer(user.token)).expect(204);
      expect(await countEvents(api)).toBe(before);
    });
  });

  describe('DELETE /v1/admin/users/{id}/api-key (Clear API Key)', () => {
    it("answers 204 and the user's key gets 401 on the very next request", async () => {
      const user = await newUser(api);
      const key = await enableApiKey(api, user);
      await api.http.delete(`/v1/admin/users/${user.id}/api-key`).set(bearer(admin)).expect(204);
      expect(await me(bearer(key))).toBe(401);
      expect(await me({ 'x-api-key': key })).toBe(401);
    });

    it('a cleared user regenerates and the new key works again (the cleared one stays dead)', async () => {
      const user = await newUser(api);
      const cleared = await enableApiKey(api, user);
      await api.http.delete(`/v1/admin/users/${user.id}/api-key`).set(bearer(admin)).expect(204);
      const fresh = await enableApiKey(api, user);
      expect(await me(bearer(fresh))).toBe(200);
      expect(await me({ 'x-api-key': fresh })).toBe(200);
      expect(await me(bearer(cleared))).toBe(401);
    });

    it('a user who turned their own access off regenerates and works again', async () => {
      const user = await newUser(api);
      await enableApiKey(api, user);
      await api.http.delete('/v1/me/api-key').set(bearer(user.token)).expect(204);
      expect(await me(bearer(await enableApiKey(api, user)))).toBe(200);
    });

    it('clearing the key of a user who does not exist answers 404 problem+json', async () => {
      const response = await api.http
        .delete('/v1/admin/users/00000000-0000-4000-8000-000000000000/api-key')
        .set(bearer(admin));
      expectProblem(response, 404);
    });

    it('the same user id in upper case clears the same key', async () => {
      const user = await newUser(api);
      const key = await enableApiKey(api, user);
      await api.http
        .delete(`/v1/admin/users/${user.id.toUpperCase()}/api-key`)
        .set(bearer(admin))
        .expect(204);
      expect(await me(bearer(key))).toBe(401);
    });
  });

  describe('presenting a key', () => {
    it('works as Authorization: Bearer and as X-Api-Key, as that user', async () => {
      const user = await newUser(api);
      const key = await enableApiKey(api, user);
      for (const credentials of [
        bearer(key),
        { authorization: `bearer ${key}` },
        { 'x-api-key': key },
      ]) {
        const response = await api.http.get('/v1/me').set(credentials).expect(200);
        expect(response.body).toMatchObject({ id: user.id, email: user.email, role: 'user' });
      }
    });

    it("an admin's key grants admin routes, a user's key does not", async () => {
      const adminUser = await newUser(api, { role: 'admin' });
      const adminKey = await enableApiKey(api, adminUser);
      const user = await newUser(api);
      const userKey = await enableApiKey(api, user);
      await api.http.get('/v1/admin/users').set('x-api-key', adminKey).expect(200);
      expectProblem(await api.http.get('/v1/admin/users').set('x-api-key', userKey), 403);
    });
  });

  describe('GET /v1/me apiAccess across the lifecycle', () => {
    it('never enabled: {enabled: false, keyPrefix: null, lastRegeneratedAt: null, clearedAt: null}', async () => {
      const user = await newUser(api);
      expect(await apiAccess(user)).toEqual({
        enabled: false,
        keyPrefix: null,
        lastRegeneratedAt: null,
        clearedAt: null,
      });
    });

    it('enabled, regenerated, cleared, re-enabled: each state shows the right prefix and times', async () => {
      const user = await newUser(api);
      const first = (await api.http.post('/v1/me/api-key').set(bearer(user.token)).expect(201))
        .body as Record<string, unknown>;
      expect(await apiAccess(user)).toEqual({
        enabled: true,
        keyPrefix: first.keyPrefix,
        lastRegeneratedAt: first.createdAt,
        clearedAt: null,
      });

      const second = (await api.http.post('/v1/me/api-key').set(bearer(user.token)).expect(201))
        .body as Record<string, unknown>;
      expect(second.keyPrefix).not.toBe(first.keyPrefix);
      expect(await apiAccess(user)).toEqual({
        enabled: true,
        keyPrefix: second.keyPrefix,
        lastRegeneratedAt: second.createdAt,
        clearedAt: null,
      });

      await api.http.delete(`/v1/admin/users/${user.id}/api-key`).set(bearer(admin)).expect(204);
      const cleared = await apiAccess(user);
      expect(cleared).toMatchObject({
        enabled: false,
        keyPrefix: null,
        lastRegeneratedAt: second.createdAt,
      });
      expect(typeof cleared.clearedAt).toBe('string');
      expect(Date.parse(String(cleared.clearedAt))).toBeGreaterThanOrEqual(
        Date.parse(String(second.createdAt)),
      );

      const third = (await api.http.post('/v1/me/api-key').set(bearer(user.token)).expect(201))
        .body as Record<string, unknown>;
      expect(await apiAccess(user)).toEqual({
        enabled: true,
        keyPrefix: third.keyPrefix,
        lastRegeneratedAt: third.createdAt,
        clearedAt: null,
      });
    });

    it("the admin's view (GET /v1/admin/users/{id}) shows the same apiAccess as /v1/me", async () => {
      const user = await newUser(api);
      await enableApiKey(api, user);
      await api.http.delete('/v1/me/api-key').set(bearer(user.token)).expect(204);
      const adminView = await api.http
        .get(`/v1/admin/users/${user.id}`)
        .set(bearer(admin))
        .expect(200);
      expect(adminView.body.apiAccess).toEqual(await apiAccess(user));
    });

    it('GET /v1/admin/users?apiAccess=enabled|disabled follows the key state', async () => {
      const user = await newUser(api);
      const ids = async (filter: string): Promise<unknown[]> => {
        const response = await api.http
          .get(`/v1/admin/users?apiAccess=${filter}&limit=200`)
          .set(bearer(admin))
          .expect(200);
        return listItems(response.body).map((item) => item.id);
      };
      expect(await ids('disabled')).toContain(user.id);
      expect(await ids('enabled')).not.toContain(user.id);
      await enableApiKey(api, user);
      expect(await ids('enabled')).toContain(user.id);
      expect(await ids('disabled')).not.toContain(user.id);
      await api.http.delete(`/v1/admin/users/${user.id}/api-key`).set(bearer(admin)).expect(204);
      expect(await ids('disabled')).toContain(user.id);
    });
  });

  describe('rejected keys', () => {
    it('unknown, wrong-checksum, never-issued, replaced and cleared keys all get the identical 401 problem', async () => {
      const user = await newUser(api);
      const replaced = await enableApiKey(api, user);
      const current = await enableApiKey(api, user);
      const lastChar = current.at(-1) === 'A' ? 'B' : 'A';
      const wrongChecksum = current.slice(0, -1) + lastChar;
      const other = await newUser(api);
      const cleared = await enableApiKey(api, other);
      await api.http.delete('/v1/me/api-key').set(bearer(other.token)).expect(204);

      const candidates: Record<string, string> = {
        unknown: 'not-a-key-at-all',
        wrongChecksum,
        neverIssued: generateApiKey().apiKey,
        replaced,
        cleared,
      };
      const answers: {
        name: string;
        status: number;
        body: string;
        wwwAuthenticate: unknown;
        type: unknown;
      }[] = [];
      for (const [name, key] of Object.entries(candidates)) {
        for (const credentials of [bearer(key), { 'x-api-key': key }]) {
          await resetAuthFailures(api);
          const response = await api.http.get('/v1/me').set(credentials);
          expectProblem(response, 401);
          answers.push({
            name,
            status: response.status,
            body: response.text,
            wwwAuthenticate: response.headers['www-authenticate'],
            type: response.headers['content-type'],
          });
        }
      }
      const first = answers[0];
      for (const answer of answers) {
        expect({ ...answer, name: first.name }).toEqual(first);
      }
      // The current key was never disturbed by all of this.
      expect(await me(bearer(current))).toBe(200);
    });
  });
});
