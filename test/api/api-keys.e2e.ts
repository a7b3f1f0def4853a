import { createTestApi, enableApiKey, newUser, type TestApi } from '@herald/testing';

describe('API keys', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await createTestApi();
  });
  afterAll(() => api.close());

  it('a regenerated key replaces the previous one on the very next request', async () => {
    const user = await newUser(api);
    const first = await enableApiKey(api, user);
    await api.http.get('/v1/me').set('authorization', `Bearer ${first}`).expect(200);
    const second = await enableApiKey(api, user);
    await api.http.get('/v1/me').set('authorization', `Bearer ${first}`).expect(401);
    const me = await api.http.get('/v1/me').set('x-api-key', second).expect(200);
    expect(me.body.apiAccess).toMatchObject({ enabled: true, keyPrefix: second.slice(0, 13) });
  });
});
