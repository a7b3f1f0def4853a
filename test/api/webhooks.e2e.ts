import { decryptSecret } from '@herald/delivery';
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
  expectFieldError,
  expectProblem,
  isRecord,
  listItems,
  stringField,
} from '@herald/testing/http-assertions';
import { resetAuthFailures } from '@herald/testing/test-redis';

const SECRET_SHAPE = /^whsec_[A-Za-z0-9+/]{43}=$/;
const MISSING_ID = '00000000-0000-4000-8000-000000000000';
const WEBHOOK_VIEW_KEYS = [
  'createdAt',
  'entity',
  'id',
  'operation',
  'ownerId',
  'status',
  'statusReason',
  'updatedAt',
  'url',
];

describe('webhooks', () => {
  let api: TestApi;
  let admin: string;
  let alice: TestUser;
  let bob: TestUser;

  async function subscribe(
    user: TestUser,
    body: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    const response = await api.http
      .post('/v1/webhooks')
      .set(bearer(user.token))
      .send({ url: 'https://example.com/hooks', entity: 'Contact', operation: 'Update', ...body })
      .expect(201);
    return response.body as Record<string, unknown>;
  }

  async function eventsOf(webhookId: string): Promise<{ type: string; data: unknown }[]> {
    return api.db.query(`SELECT type, data FROM events WHERE stream = $1 ORDER BY version`, [
      `webhook-${webhookId}`,
    ]);
  }

  beforeAll(async () => {
    api = await createTestApi();
    admin = await adminToken(api);
    alice = await newUser(api);
    bob = await newUser(api);
  });
  afterAll(() => api.close());
  beforeEach(() => resetAuthFailures(api));

  describe('POST /v1/webhooks', () => {
    it('answers 201 with the webhook and its whsec_ secret, status on by default, not cacheable', async () => {
      const response = await api.http
        .post('/v1/webhooks')
        .set(bearer(alice.token))
        .send({ url: 'https://example.com/a', entity: 'Contact', operation: 'Update' })
        .expect(201);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(Object.keys(response.body).sort()).toEqual([...WEBHOOK_VIEW_KEYS, 'secret'].sort());
      expect(response.body).toMatchObject({
        ownerId: alice.id,
        url: 'https://example.com/a',
        entity: 'Contact',
        operation: 'Update',
        status: 'on',
        statusReason: null,
      });
      expect(stringField(response.body, 'secret')).toMatch(SECRET_SHAPE);
      expect(response.body.createdAt).toBe(response.body.updatedAt);
    });

    it('records WebhookSubscribed with only the sealed secret, bound to the webhook id', async () => {
      const created = await subscribe(alice, { entity: '*', operation: '*', status: 'off' });
      const id = stringField(created, 'id');
      const events = await eventsOf(id);
      expect(events.map((event) => event.type)).toEqual(['WebhookSubscribed']);
      const data = events[0].data as Record<string, unknown>;
      expect(data).toMatchObject({ webhookId: id, ownerId: alice.id, status: 'off' });
      const secretRef = stringField(data, 'secretRef');
      expect(secretRef).not.toContain(stringField(created, 'secret'));
      expect(decryptSecret(secretRef, api.config.secretKey, { associatedData: id })).toBe(
        created.secret,
      );
      expect(() => decryptSecret(secretRef, api.config.secretKey)).toThrow();
      const rows: { secret_ref: string }[] = await api.db.query(
        'SELECT secret_ref FROM webhooks WHERE id = $1',
        [id],
      );
      expect(rows[0].secret_ref).toBe(secretRef);
    });

    it('accepts the built-in ApiKey entity and wildcards', async () => {
      await subscribe(alice, { entity: 'ApiKey', operation: 'Regenerate' });
      await subscribe(alice, { entity: '*', operation: 'Clear' });
      await subscribe(alice, { entity: 'Note', operation: '*' });
    });

    it.each([
      ['an unknown entity', { entity: 'Invoice' }, 'entity'],
      ['a lower-case entity', { entity: 'contact' }, 'entity'],
      ['an unknown operation', { operation: 'Upsert' }, 'operation'],
      ['an ApiKey operation on a catalog entity', { operation: 'Regenerate' }, 'operation'],
      ['a catalog operation on ApiKey', { entity: 'ApiKey', operation: 'Create' }, 'operation'],
      ['an ftp URL', { url: 'ftp://example.com/x' }, 'url'],
      ['credentials in the URL', { url: 'https://user:pw@example.com/x' }, 'url'],
      ['a relative URL', { url: '/hooks' }, 'url'],
      ['a fragment', { url: 'https://example.com/x#y' }, 'url'],
    ])('refuses %s with 422 naming the field, and records nothing', async (_, change, field) => {
      const before = await countEvents(api);
      const response = await api.http
        .post('/v1/webhooks')
        .set(bearer(alice.token))
        .send({ url: 'https://example.com/x', entity: 'Contact', operation: 'Update', ...change });
      expectFieldError(response, 422, field);
      expect(await countEvents(api)).toBe(before);
    });

    it('names both the URL and the filter when both are wrong', async () => {
      const response = await api.http
        .post('/v1/webhooks')
        .set(bearer(alice.token))
        .send({ url: 'ftp://example.com', entity: 'Invoice', operation: 'Update' });
      const body = expectProblem(response, 422);
      expect(body.errors?.map((error) => error.field).sort()).toEqual(['entity', 'url']);
    });

    it.each([
      ['a missing url', { url: undefined }, 'url'],
      ['a number as entity', { entity: 42 }, 'entity'],
      ['an unknown status', { status: 'paused' }, 'status'],
      ['an unknown field', { secret: 'whsec_mine' }, 'secret'],
    ])('refuses %s with 400', async (_, change, field) => {
      const before = await countEvents(api);
      const response = await api.http
        .post('/v1/webhooks')
        .set(bearer(alice.token))
        .send({ url: 'https://example.com/x', entity: 'Contact', operation: 'Update', ...change });
      expectFieldError(response, 400, field);
      expect(await countEvents(api)).toBe(before);
    });

    it('works with an API key as well', async () => {
      const key = await enableApiKey(api, bob);
      const response = await api.http
        .post('/v1/webhooks')
        .set('x-api-key', key)
        .send({ url: 'https://example.com/bob', entity: 'Job', operation: 'Create' })
        .expect(201);
      expect(response.body.ownerId).toBe(bob.id);
    });
  });

  describe('SSRF guard (HERALD_ALLOW_PRIVATE_TARGETS=false)', () => {
    let strict: TestApi;
    let user: TestUser;

    beforeAll(async () => {
      strict = await createTestApi({
        HERALD_ALLOW_PRIVATE_TARGETS: 'false',
        HERALD_ALLOWED_SUBNETS: '10.20.0.0/16',
      });
      user = await newUser(strict);
    });
    afterAll(() => strict.close());

    it.each([
      'http://127.0.0.1/x',
      'http://localhost:8080/x',
      'http://api.localhost/x',
      'http://[::1]/x',
      'http://[::ffff:127.0.0.1]/x',
      'http://2130706433/x',
      'http://0x7f.1/x',
      'http://127.1/x',
      'http://10.0.0.5/x',
      'http://192.168.1.1/x',
      'http://172.16.0.1/x',
      'http://169.254.169.254/latest/meta-data',
      'http://100.64.0.1/x',
      'http://0.0.0.0/x',
      'http://224.0.0.1/x',
      'http://[fe80::1]/x',
      'http://[fc00::1]/x',
    ])('refuses %s with 422 naming url', async (url) => {
      const before = await countEvents(strict);
      const response = await strict.http
        .post('/v1/webhooks')
        .set(bearer(user.token))
        .send({ url, entity: 'Contact', operation: 'Update' });
      expectFieldError(response, 422, 'url');
      expect(await countEvents(strict)).toBe(before);
    });

    it('accepts public destinations and allowed subnets', async () => {
      for (const url of ['https://example.com/x', 'http://93.184.216.34/x', 'http://10.20.3.4/x']) {
        await strict.http
          .post('/v1/webhooks')
          .set(bearer(user.token))
          .send({ url, entity: 'Contact', operation: 'Update' })
          .expect(201);
      }
    });

    it('refuses a private URL in PATCH as well, leaving the webhook unchanged', async () => {
      const created = await strict.http
        .post('/v1/webhooks')
        .set(bearer(user.token))
        .send({ url: 'https://example.com/y', entity: 'Contact', operation: 'Update' })
        .expect(201);
      const response = await strict.http
        .patch(`/v1/webhooks/${created.body.id}`)
        .set(bearer(user.token))
        .send({ url: 'http://192.168.0.10/hook' });
      expectFieldError(response, 422, 'url');
      const current = await strict.http
        .get(`/v1/webhooks/${created.body.id}`)
        .set(bearer(user.token))
        .expect(200);
      expect(current.body.url).toBe('https://example.com/y');
    });
  });

  describe('a configured catalog (HERALD_ENTITIES, HERALD_OPERATIONS)', () => {
    it('is what filters and entity changes are checked against', async () => {
      const custom = await createTestApi({
        HERALD_ENTITIES: 'Ticket,Invoice',
        HERALD_OPERATIONS: 'Open,Close',
      });
      try {
        const user = await newUser(custom);
        const key = await enableApiKey(custom, user);
        const subscribeTo = (entity: string, operation: string) =>
          custom.http
            .post('/v1/webhooks')
            .set(bearer(user.token))
            .send({ url: 'https://example.com/x', entity, operation });
        expect((await subscribeTo('Ticket', 'Close')).status).toBe(201);
        expect((await subscribeTo('*', 'Open')).status).toBe(201);
        expect((await subscribeTo('ApiKey', 'Clear')).status).toBe(201);
        expectFieldError(await subscribeTo('Contact', 'Close'), 422, 'entity');
        expectFieldError(await subscribeTo('Ticket', 'Update'), 422, 'operation');
        await custom.http
          .post('/v1/entity-changes')
          .set('x-api-key', key)
          .send({ entity: 'Invoice', entityId: '1', operation: 'Open' })
          .expect(202);
        expectFieldError(
          await custom.http
            .post('/v1/entity-changes')
            .set('x-api-key', key)
            .send({ entity: 'Contact', entityId: '1', operation: 'Open' }),
          422,
          'entity',
        );
      } finally {
        await custom.close();
      }
    });
  });

  describe('GET /v1/webhooks and /v1/webhooks/{id}', () => {
    it('lists only your own webhooks, oldest first, without secrets', async () => {
      const carol = await newUser(api);
      const first = await subscribe(carol, { entity: 'Company' });
      const second = await subscribe(carol, { entity: 'Note' });
      await subscribe(bob);
      const response = await api.http.get('/v1/webhooks').set(bearer(carol.token)).expect(200);
      const items = listItems(response.body);
      expect(items.map((item) => item.id)).toEqual([first.id, second.id]);
      expect(response.body.nextCursor).toBeNull();
      for (const item of items) expect(Object.keys(item).sort()).toEqual(WEBHOOK_VIEW_KEYS);
      expect(response.text).not.toMatch(/whsec_|secret/i);
    });

    it('pages with ?limit= and ?cursor=', async () => {
      const dave = await newUser(api);
      const ids: unknown[] = [];
      for (let i = 0; i < 5; i++) ids.push((await subscribe(dave)).id);
      const seen: unknown[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = await api.http.get(`/v1/webhooks${query}`).set(bearer(dave.token)).expect(200);
        const items = listItems(page.body);
        expect(items.length).toBeLessThanOrEqual(2);
        seen.push(...items.map((item) => item.id));
        cursor = page.body.nextCursor as string | null;
      } while (cursor);
      expect(seen).toEqual(ids);
      const forged = Buffer.from(JSON.stringify(["1' OR 1=1", 'x'])).toString('base64url');
      expectFieldError(
        await api.http.get(`/v1/webhooks?cursor=${forged}`).set(bearer(dave.token)),
        400,
        'cursor',
      );
    });

    it("answers the owner and an admin; another user gets 404, as for an id that doesn't exist", async () => {
      const created = await subscribe(alice);
      const path = `/v1/webhooks/${created.id}`;
      const mine = await api.http.get(path).set(bearer(alice.token)).expect(200);
      expect(mine.body).toEqual(
        Object.fromEntries(WEBHOOK_VIEW_KEYS.map((key) => [key, created[key]])),
      );
      await api.http.get(path).set(bearer(admin)).expect(200);
      const theirs = expectProblem(await api.http.get(path).set(bearer(bob.token)), 404);
      const missing = expectProblem(
        await api.http.get(`/v1/webhooks/${MISSING_ID}`).set(bearer(bob.token)),
        404,
      );
      expect(theirs.type).toBe(missing.type);
      expectProblem(await api.http.get('/v1/webhooks/not-a-uuid').set(bearer(bob.token)), 404);
    });

    it("another user can't change, rotate, ping or delete it either (404) and nothing is recorded", async () => {
      const created = await subscribe(alice);
      const path = `/v1/webhooks/${created.id}`;
      const before = await countEvents(api);
      for (const request of [
        api.http.patch(path).send({ status: 'off' }),
        api.http.delete(path),
        api.http.post(`${path}/secret/rotate`),
        api.http.post(`${path}/ping`),
        api.http.get(`${path}/deliveries`),
        api.http.post(`${path}/replay`).send({ from: '2020-01-01T00:00:00Z' }),
      ]) {
        expectProblem(await request.set(bearer(bob.token)), 404);
      }
      expect(await countEvents(api)).toBe(before);
    });
  });

  describe('PATCH /v1/webhooks/{id}', () => {
    it('changes URL and filter (WebhookUpdated) and status with reason owner (WebhookStatusChanged) in one append', async () => {
      const created = await subscribe(alice);
      const id = stringField(created, 'id');
      const response = await api.http
        .patch(`/v1/webhooks/${id}`)
        .set(bearer(alice.token))
        .send({ url: 'https://example.com/new', entity: '*', status: 'off' })
        .expect(200);
      expect(response.body).toMatchObject({
        id,
        url: 'https://example.com/new',
        entity: '*',
        operation: 'Update',
        status: 'off',
        statusReason: 'owner',
      });
      expect(Date.parse(response.body.updatedAt)).toBeGreaterThan(
        Date.parse(response.body.createdAt),
      );
      const events = await eventsOf(id);
      expect(events.map((event) => event.type)).toEqual([
        'WebhookSubscribed',
        'WebhookUpdated',
        'WebhookStatusChanged',
      ]);
      expect(events[1].data).toEqual({
        webhookId: id,
        changes: { url: 'https://example.com/new', entity: '*' },
      });
      expect(events[2].data).toEqual({
        webhookId: id,
        status: 'off',
        changedBy: alice.id,
        reason: 'owner',
      });
    });

    it('records nothing when nothing changes', async () => {
      const created = await subscribe(alice);
      const before = await countEvents(api);
      await api.http
        .patch(`/v1/webhooks/${created.id}`)
        .set(bearer(alice.token))
        .send({ url: created.url, status: 'on', entity: 'Contact' })
        .expect(200);
      await api.http
        .patch(`/v1/webhooks/${created.id}`)
        .set(bearer(alice.token))
        .send({})
        .expect(200);
      expect(await countEvents(api)).toBe(before);
    });

    it('validates a changed filter as a whole against the catalog (422)', async () => {
      const created = await subscribe(alice);
      expectFieldError(
        await api.http
          .patch(`/v1/webhooks/${created.id}`)
          .set(bearer(alice.token))
          .send({ entity: 'ApiKey' }),
        422,
        'operation',
      );
      expectFieldError(
        await api.http
          .patch(`/v1/webhooks/${created.id}`)
          .set(bearer(alice.token))
          .send({ operation: 'Nope' }),
        422,
        'operation',
      );
    });

    it('refuses null and wrong types with 400', async () => {
      const created = await subscribe(alice);
      for (const body of [{ url: null }, { status: 'maybe' }, { entity: 1 }, { extra: true }]) {
        expectProblem(
          await api.http.patch(`/v1/webhooks/${created.id}`).set(bearer(alice.token)).send(body),
          400,
        );
      }
    });

    it("an admin may read someone's webhook but not change it through the owner's route (403)", async () => {
      const created = await subscribe(alice);
      expectProblem(
        await api.http
          .patch(`/v1/webhooks/${created.id}`)
          .set(bearer(admin))
          .send({ status: 'off' }),
        403,
      );
    });
  });

  describe('DELETE /v1/webhooks/{id}', () => {
    it('answers 204; the webhook is gone from reads and lists, and a second delete is 404', async () => {
      const erin = await newUser(api);
      const created = await subscribe(erin);
      const path = `/v1/webhooks/${created.id}`;
      await api.http.delete(path).set(bearer(erin.token)).expect(204);
      expectProblem(await api.http.get(path).set(bearer(erin.token)), 404);
      expectProblem(await api.http.get(path).set(bearer(admin)), 404);
      expectProblem(await api.http.delete(path).set(bearer(erin.token)), 404);
      expectProblem(
        await api.http.patch(path).set(bearer(erin.token)).send({ status: 'off' }),
        404,
      );
      const list = await api.http.get('/v1/webhooks').set(bearer(erin.token)).expect(200);
      expect(listItems(list.body)).toEqual([]);
      const events = await eventsOf(stringField(created, 'id'));
      expect(events.map((event) => event.type)).toEqual(['WebhookSubscribed', 'WebhookDeleted']);
    });
  });

  describe('POST /v1/webhooks/{id}/secret/rotate', () => {
    it('answers a new secret and previousValidUntil 24 h ahead; both sealed secrets are kept', async () => {
      const created = await subscribe(alice);
      const id = stringField(created, 'id');
      const before = Date.now();
      const response = await api.http
        .post(`/v1/webhooks/${id}/secret/rotate`)
        .set(bearer(alice.token))
        .expect(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(Object.keys(response.body).sort()).toEqual(['previousValidUntil', 'secret']);
      const secret = stringField(response.body, 'secret');
      expect(secret).toMatch(SECRET_SHAPE);
      expect(secret).not.toBe(created.secret);
      const until = Date.parse(stringField(response.body, 'previousValidUntil'));
      expect(until).toBeGreaterThanOrEqual(before + 86_400_000 - 1000);
      expect(until).toBeLessThanOrEqual(Date.now() + 86_400_000 + 1000);

      const rows: {
        secret_ref: string;
        previous_secret_ref: string;
        previous_valid_until: Date;
      }[] = await api.db.query(
        'SELECT secret_ref, previous_secret_ref, previous_valid_until FROM webhooks WHERE id = $1',
        [id],
      );
      const open = (box: string) =>
        decryptSecret(box, api.config.secretKey, { associatedData: id });
      expect(open(rows[0].secret_ref)).toBe(secret);
      expect(open(rows[0].previous_secret_ref)).toBe(created.secret);
      expect(rows[0].previous_valid_until.toISOString()).toBe(response.body.previousValidUntil);
      const events = await eventsOf(id);
      expect(events.map((event) => event.type)).toEqual([
        'WebhookSubscribed',
        'WebhookSecretRotated',
      ]);
    });

    it('follows HERALD_SECRET_ROTATION_OVERLAP_SECONDS', async () => {
      const short = await createTestApi({ HERALD_SECRET_ROTATION_OVERLAP_SECONDS: '60' });
      try {
        const user = await newUser(short);
        const created = await short.http
          .post('/v1/webhooks')
          .set(bearer(user.token))
          .send({ url: 'https://example.com/x', entity: 'Contact', operation: 'Update' })
          .expect(201);
        const response = await short.http
          .post(`/v1/webhooks/${created.body.id}/secret/rotate`)
          .set(bearer(user.token))
          .expect(200);
        const ahead = Date.parse(response.body.previousValidUntil) - Date.now();
        expect(ahead).toBeGreaterThan(55_000);
        expect(ahead).toBeLessThanOrEqual(60_000);
      } finally {
        await short.close();
      }
    });

    it('is for the owner only: an admin gets 403', async () => {
      const created = await subscribe(alice);
      expectProblem(
        await api.http.post(`/v1/webhooks/${created.id}/secret/rotate`).set(bearer(admin)),
        403,
      );
    });
  });

  describe('POST /v1/webhooks/{id}/ping', () => {
    it('answers 202 and appends WebhookPinged to the webhook stream', async () => {
      const created = await subscribe(alice);
      const id = stringField(created, 'id');
      const response = await api.http
        .post(`/v1/webhooks/${id}/ping`)
        .set(bearer(alice.token))
        .expect(202);
      const events: { id: string; type: string; data: unknown }[] = await api.db.query(
        `SELECT id, type, data FROM events WHERE stream = $1 ORDER BY version`,
        [`webhook-${id}`],
      );
      expect(events.map((event) => event.type)).toEqual(['WebhookSubscribed', 'WebhookPinged']);
      expect(events[1].data).toEqual({ webhookId: id, requestedBy: alice.id });
      expect(response.body).toEqual({ eventId: events[1].id });
    });
  });

  describe('secrets at rest', () => {
    it('no plaintext webhook secret in any table or event', async () => {
      const shown: string[] = [];
      for (let i = 0; i < 3; i++) {
        const created = await subscribe(alice);
        shown.push(stringField(created, 'secret'));
        const rotated = await api.http
          .post(`/v1/webhooks/${created.id}/secret/rotate`)
          .set(bearer(alice.token))
          .expect(200);
        shown.push(stringField(rotated.body, 'secret'));
      }
      const forms = shown.flatMap((secret) => [
        secret,
        secret.slice('whsec_'.length),
        Buffer.from(secret.slice('whsec_'.length), 'base64').toString('hex'),
        Buffer.from(secret.slice('whsec_'.length), 'base64').toString('base64url'),
      ]);
      const tables: { table_name: string }[] = await api.db.query(
        `SELECT table_name FROM information_schema.tables
          WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
      );
      let dump = '';
      for (const { table_name: table } of tables) {
        const rows: { dump: string }[] = await api.db.query(
          `SELECT coalesce(json_agg(t)::text, '') AS dump FROM "${table}" t`,
        );
        dump += rows[0].dump;
      }
      expect(dump).toContain('WebhookSecretRotated');
      expect(dump).not.toContain('whsec_');
      expect(forms.filter((form) => dump.includes(form))).toEqual([]);
    });

    it('the admin audit log shows the sealed secrets redacted', async () => {
      const response = await api.http
        .get('/v1/admin/events?type=WebhookSubscribed&limit=5')
        .set(bearer(admin))
        .expect(200);
      const items = listItems(response.body);
      expect(items.length).toBeGreaterThan(0);
      for (const item of items)
        expect(isRecord(item.data) && item.data.secretRef).toBe('[redacted]');
    });
  });

  describe('admin webhook routes', () => {
    it('GET /v1/admin/users/{userId}/webhooks lists that user’s webhooks (deleted ones excluded)', async () => {
      const frank = await newUser(api);
      const kept = await subscribe(frank);
      const deleted = await subscribe(frank);
      await api.http.delete(`/v1/webhooks/${deleted.id}`).set(bearer(frank.token)).expect(204);
      const response = await api.http
        .get(`/v1/admin/users/${frank.id}/webhooks`)
        .set(bearer(admin))
        .expect(200);
      expect(listItems(response.body).map((item) => item.id)).toEqual([kept.id]);
      expect(response.body.nextCursor).toBeNull();
    });

    it('GET /v1/admin/users/{userId}/webhooks is 404 for an unknown user', async () => {
      expectProblem(
        await api.http.get(`/v1/admin/users/${MISSING_ID}/webhooks`).set(bearer(admin)),
        404,
      );
    });

    it('PATCH /v1/admin/webhooks/{id} turns anyone’s webhook off and on with reason admin', async () => {
      const created = await subscribe(alice);
      const id = stringField(created, 'id');
      const off = await api.http
        .patch(`/v1/admin/webhooks/${id}`)
        .set(bearer(admin))
        .send({ status: 'off' })
        .expect(200);
      expect(off.body).toMatchObject({ id, status: 'off', statusReason: 'admin' });
      const seen = await api.http.get(`/v1/webhooks/${id}`).set(bearer(alice.token)).expect(200);
      expect(seen.body).toMatchObject({ status: 'off', statusReason: 'admin' });
      await api.http
        .patch(`/v1/admin/webhooks/${id}`)
        .set(bearer(admin))
        .send({ status: 'on' })
        .expect(200);
      const events = await eventsOf(id);
      expect(events.slice(1)).toEqual([
        {
          type: 'WebhookStatusChanged',
          data: { webhookId: id, status: 'off', changedBy: expect.any(String), reason: 'admin' },
        },
        {
          type: 'WebhookStatusChanged',
          data: { webhookId: id, status: 'on', changedBy: expect.any(String), reason: 'admin' },
        },
      ]);
    });

    it('PATCH /v1/admin/webhooks/{id}: 400 for a bad status, 404 for an unknown or deleted webhook', async () => {
      const created = await subscribe(alice);
      expectFieldError(
        await api.http
          .patch(`/v1/admin/webhooks/${created.id}`)
          .set(bearer(admin))
          .send({ status: 'paused' }),
        400,
        'status',
      );
      expectProblem(
        await api.http
          .patch(`/v1/admin/webhooks/${MISSING_ID}`)
          .set(bearer(admin))
          .send({ status: 'off' }),
        404,
      );
      await api.http.delete(`/v1/webhooks/${created.id}`).set(bearer(alice.token)).expect(204);
      expectProblem(
        await api.http
          .patch(`/v1/admin/webhooks/${created.id}`)
          .set(bearer(admin))
          .send({ status: 'off' }),
        404,
      );
    });

    it('both admin routes answer 403 to a non-admin, with a session or an API key, and change nothing', async () => {
      const created = await subscribe(alice);
      const key = await enableApiKey(api, alice);
      const before = await countEvents(api);
      for (const credentials of [bearer(alice.token), { 'x-api-key': key }]) {
        expectProblem(
          await api.http.get(`/v1/admin/users/${alice.id}/webhooks`).set(credentials),
          403,
        );
        expectProblem(
          await api.http
            .patch(`/v1/admin/webhooks/${created.id}`)
            .set(credentials)
            .send({ status: 'off' }),
          403,
        );
      }
      expect(await countEvents(api)).toBe(before);
    });
  });

  describe('OpenAPI document', () => {
    const ROUTES: [string, string][] = [
      ['post', '/v1/webhooks'],
      ['get', '/v1/webhooks'],
      ['get', '/v1/webhooks/{id}'],
      ['patch', '/v1/webhooks/{id}'],
      ['delete', '/v1/webhooks/{id}'],
      ['post', '/v1/webhooks/{id}/secret/rotate'],
      ['post', '/v1/webhooks/{id}/ping'],
      ['get', '/v1/webhooks/{id}/deliveries'],
      ['get', '/v1/webhooks/{id}/deliveries/{deliveryId}'],
      ['post', '/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver'],
      ['post', '/v1/webhooks/{id}/replay'],
      ['post', '/v1/entity-changes'],
      ['get', '/v1/admin/users/{userId}/webhooks'],
      ['patch', '/v1/admin/webhooks/{webhookId}'],
    ];
    let paths: Record<string, Record<string, Record<string, unknown>>>;

    beforeAll(async () => {
      paths = (await api.http.get('/docs-json').expect(200)).body.paths;
    });

    it.each(ROUTES)('documents %s %s with bearer and api-key security', (method, path) => {
      const operation = paths[path]?.[method];
      expect(operation).toEqual(expect.objectContaining({ responses: expect.any(Object) }));
      const schemes = (operation.security as Record<string, unknown>[]).flatMap(Object.keys);
      expect(schemes).toEqual(expect.arrayContaining(['bearer', 'api-key']));
    });

    it('documents the entity-change body as one change or an array of up to 500, and the Idempotency-Key header', () => {
      const operation = paths['/v1/entity-changes'].post;
      expect(JSON.stringify(operation.requestBody)).toMatch(/"oneOf".*"maxItems":500/);
      expect(operation.parameters).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }),
        ]),
      );
    });
  });
});
