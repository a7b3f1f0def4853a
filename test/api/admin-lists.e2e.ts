import { adminToken, createTestApi, enableApiKey, newUser, type TestApi } from '@herald/testing';
import { bearer, isRecord, listItems } from '@herald/testing/http-assertions';

describe('admin lists: ?limit= and ?cursor=', () => {
  let api: TestApi;
  let admin: string;

  /** Follows nextCursor from the first page to the last; returns every item and each page's size. */
  async function walk(
    path: string,
    limit: number,
  ): Promise<{ items: Record<string, unknown>[]; pages: number[] }> {
    const items: Record<string, unknown>[] = [];
    const pages: number[] = [];
    let cursor: string | null = null;
    const separator = path.includes('?') ? '&' : '?';
    do {
      const query: string = `${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await api.http.get(`${path}${query}`).set(bearer(admin)).expect(200);
      const page = listItems(response.body);
      items.push(...page);
      pages.push(page.length);
      const next: unknown = isRecord(response.body) ? response.body.nextCursor : undefined;
      expect(next === null || typeof next === 'string').toBe(true);
      cursor = typeof next === 'string' ? next : null;
      if (pages.length > 100) throw new Error('pagination does not end');
    } while (cursor);
    return { items, pages };
  }

  beforeAll(async () => {
    api = await createTestApi();
    admin = await adminToken(api);
    for (let i = 0; i < 6; i++) {
      const user = await newUser(api);
      if (i % 2 === 0) await enableApiKey(api, user);
    }
  });
  afterAll(() => api.close());

  it('GET /v1/admin/users defaults to 50 per page and ends with nextCursor null', async () => {
    const response = await api.http.get('/v1/admin/users').set(bearer(admin)).expect(200);
    expect(listItems(response.body)).toHaveLength(7);
    expect(response.body.nextCursor).toBeNull();
  });

  it('GET /v1/admin/users walked one by one returns every user exactly once, in the same order', async () => {
    const all = listItems(
      (await api.http.get('/v1/admin/users?limit=200').set(bearer(admin)).expect(200)).body,
    );
    const { items, pages } = await walk('/v1/admin/users', 1);
    expect(items.map((item) => item.id)).toEqual(all.map((item) => item.id));
    expect(pages.every((size) => size === 1)).toBe(true);
  });

  it('GET /v1/admin/users?apiAccess=enabled pages through only users with access on', async () => {
    const { items } = await walk('/v1/admin/users?apiAccess=enabled', 2);
    expect(items).toHaveLength(3);
    expect(items.every((item) => isRecord(item.apiAccess) && item.apiAccess.enabled === true)).toBe(
      true,
    );
  });

  it('GET /v1/admin/events walked 4 at a time returns every event once, in position order', async () => {
    const { items, pages } = await walk('/v1/admin/events', 4);
    const positions = items.map((item) => BigInt(String(item.position)));
    const rows: { n: number }[] = await api.db.query('SELECT count(*)::int AS n FROM events');
    expect(positions).toHaveLength(rows[0].n);
    expect(new Set(positions.map(String)).size).toBe(positions.length);
    expect([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(positions);
    expect(pages.slice(0, -1).every((size) => size === 4)).toBe(true);
  });

  it('GET /v1/admin/events?after=&type= filters by position and type', async () => {
    const all = listItems(
      (await api.http.get('/v1/admin/events?limit=200').set(bearer(admin)).expect(200)).body,
    );
    const middle = String(all[Math.floor(all.length / 2)].position);
    const after = listItems(
      (
        await api.http
          .get(`/v1/admin/events?after=${middle}&limit=200`)
          .set(bearer(admin))
          .expect(200)
      ).body,
    );
    expect(after.every((item) => BigInt(String(item.position)) > BigInt(middle))).toBe(true);
    expect(after.length).toBe(
      all.filter((item) => BigInt(String(item.position)) > BigInt(middle)).length,
    );
    const regenerated = listItems(
      (
        await api.http
          .get('/v1/admin/events?type=KeyRegenerated&limit=200')
          .set(bearer(admin))
          .expect(200)
      ).body,
    );
    expect(regenerated).toHaveLength(3);
    expect(regenerated.every((item) => item.type === 'KeyRegenerated')).toBe(true);
  });

  it('each audit event has {position, stream, version, type, data, metadata, recordedAt}', async () => {
    const items = listItems(
      (await api.http.get('/v1/admin/events?limit=5').set(bearer(admin)).expect(200)).body,
    );
    for (const item of items) {
      expect(item).toEqual(
        expect.objectContaining({
          position: expect.stringMatching(/^\d+$/),
          stream: expect.stringMatching(/^user-/),
          version: expect.any(Number),
          type: expect.any(String),
          data: expect.any(Object),
          metadata: expect.objectContaining({ correlationId: expect.any(String) }),
          recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        }),
      );
    }
  });
});
