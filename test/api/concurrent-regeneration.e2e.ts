import { hashApiKey } from '@herald/domain';
import { allProjections, heraldDataSourceOptions, rebuildProjections } from '@herald/projections';
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
  expectProblem,
  listItems,
  stringField,
  tableRows,
} from '@herald/testing/http-assertions';
import { resetAuthFailures } from '@herald/testing/test-redis';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';

const CONCURRENT_REQUESTS = 50;

interface StreamEvent {
  version: number;
  type: string;
  data: Record<string, unknown>;
}

describe('50 concurrent regenerations of one user', () => {
  let api: TestApi;
  let admin: string;
  let sut: TestUser;
  let initialKey: string;
  let answers: Response[];

  async function streamEvents(userId: string): Promise<StreamEvent[]> {
    const events: StreamEvent[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `stream=user-${userId}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await api.http
        .get(`/v1/admin/events?${query}`)
        .set(bearer(admin))
        .expect(200);
      for (const item of listItems(response.body)) {
        events.push({
          version: Number(item.version),
          type: String(item.type),
          data: item.data as Record<string, unknown>,
        });
      }
      cursor = typeof response.body.nextCursor === 'string' ? response.body.nextCursor : null;
    } while (cursor);
    return events;
  }

  beforeAll(async () => {
    api = await createTestApi();
    admin = await adminToken(api);
    sut = await newUser(api);
    initialKey = await enableApiKey(api, sut);
    answers = await Promise.all(
      Array.from({ length: CONCURRENT_REQUESTS }, () =>
        api.http.post('/v1/me/api-key').set(bearer(sut.token)),
      ),
    );
  });
  afterAll(() => api.close());
  beforeEach(() => resetAuthFailures(api));

  function issuedKeys(): string[] {
    return answers
      .filter((answer) => answer.status === 201)
      .map((answer) => stringField(answer.body, 'apiKey'));
  }

  it('every answer is 201 with a key or 409 problem+json, and at least one succeeds', () => {
    for (const answer of answers) {
      if (answer.status === 201) expect(stringField(answer.body, 'apiKey')).toMatch(/^hrld_/);
      else expectProblem(answer, 409);
    }
    expect(issuedKeys().length).toBeGreaterThanOrEqual(1);
    expect(new Set(issuedKeys()).size).toBe(issuedKeys().length);
  });

  it('exactly one of the returned keys works afterwards, and the key from before no longer does', async () => {
    const statuses = [];
    for (const key of issuedKeys())
      statuses.push((await api.http.get('/v1/me').set('x-api-key', key)).status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status !== 200).every((status) => status === 401)).toBe(
      true,
    );
    expect((await api.http.get('/v1/me').set('x-api-key', initialKey)).status).toBe(401);
  });

  it('each success appended one KeyRegenerated, in sequence, and the working key is the last one in stream order', async () => {
    const events = await streamEvents(sut.id);
    expect(events.map((event) => event.version)).toEqual(events.map((_, index) => index + 1));
    const regenerations = events.filter((event) => event.type === 'KeyRegenerated');
    // The initial enable plus one per 201; losers appended nothing.
    expect(regenerations).toHaveLength(1 + issuedKeys().length);
    expect(regenerations.every((event) => event.data.keyHash === '[redacted]')).toBe(true);

    const byPrefix = new Map(
      answers
        .filter((a) => a.status === 201)
        .map((a) => [stringField(a.body, 'keyPrefix'), stringField(a.body, 'apiKey')]),
    );
    const last = regenerations[regenerations.length - 1];
    const lastKey = byPrefix.get(String(last.data.keyPrefix));
    expect(lastKey).toBeDefined();
    await api.http.get('/v1/me').set('x-api-key', String(lastKey)).expect(200);

    // And in the store itself, the last event's hash is the hash of that key.
    const rows: { hash: string }[] = await api.db.query(
      `SELECT data->>'keyHash' AS hash FROM events WHERE stream = $1 AND type = 'KeyRegenerated' ORDER BY version DESC LIMIT 1`,
      [`user-${sut.id}`],
    );
    expect(rows[0].hash).toBe(hashApiKey(String(lastKey)));
  });

  it('GET /v1/me shows the prefix of the working key', async () => {
    const events = await streamEvents(sut.id);
    const last = events.filter((event) => event.type === 'KeyRegenerated').at(-1);
    const me = await api.http.get('/v1/me').set(bearer(sut.token)).expect(200);
    expect(me.body.apiAccess).toMatchObject({ enabled: true, keyPrefix: last?.data.keyPrefix });
  });

  describe('rebuilding the projections from the events (npm run projections:rebuild)', () => {
    let rebuilder: DataSource;
    let survivor: TestUser;
    let survivorKey: string;
    let before: { users: unknown[]; keys: unknown[] };

    beforeAll(async () => {
      // More history than the concurrent burst: a cleared user, a re-enabled one, an admin.
      const cleared = await newUser(api);
      await enableApiKey(api, cleared);
      await api.http.delete(`/v1/admin/users/${cleared.id}/api-key`).set(bearer(admin)).expect(204);
      const selfOff = await newUser(api);
      await enableApiKey(api, selfOff);
      await api.http.delete('/v1/me/api-key').set(bearer(selfOff.token)).expect(204);
      await enableApiKey(api, selfOff);
      await newUser(api, { role: 'admin' });
      survivor = await newUser(api);
      survivorKey = await enableApiKey(api, survivor);

      before = {
        users: await tableRows(api, 'users', 'id'),
        keys: await tableRows(api, 'api_key_states', 'user_id'),
      };
      // The same DataSource the CLI builds (entities registered), on the suite's database.
      rebuilder = new DataSource(heraldDataSourceOptions(api.database.url));
      await rebuilder.initialize();
      await rebuildProjections(rebuilder, allProjections);
    });
    afterAll(() => rebuilder.destroy());

    it('users rows are identical before and after', async () => {
      expect(await tableRows(api, 'users', 'id')).toEqual(before.users);
    });

    it('api_key_states rows are identical before and after', async () => {
      expect(await tableRows(api, 'api_key_states', 'user_id')).toEqual(before.keys);
    });

    it('the working key still works and the others still fail', async () => {
      const statuses = [];
      for (const key of issuedKeys())
        statuses.push((await api.http.get('/v1/me').set('x-api-key', key)).status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      await api.http.get('/v1/me').set('x-api-key', survivorKey).expect(200);
    });

    it('console sessions survive a rebuild (sessions are not a projection)', async () => {
      const response = await api.http.get('/v1/me').set(bearer(survivor.token));
      expect(response.status).toBe(200);
    });
  });
});
