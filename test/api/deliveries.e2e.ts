import { bullmqOptions, DELIVERIES_QUEUE, deliveryJobId } from '@herald/queues';
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
  expectFieldError,
  expectProblem,
  listItems,
  stringField,
} from '@herald/testing/http-assertions';
import { redisEntries, resetAuthFailures } from '@herald/testing/test-redis';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';

const DELIVERY_VIEW_KEYS = [
  'attemptCount',
  'createdAt',
  'eventId',
  'id',
  'nextAttemptAt',
  'reason',
  'status',
  'type',
  'updatedAt',
  'webhookId',
];

interface DeliveryRow {
  id: string;
  event_id: string;
  status: string;
  reason: string | null;
  generation: number;
  type: string;
  next_attempt_at: Date | null;
}

/**
 * The API side of deliveries. No worker runs here: delivery rows stand in for what dispatch would
 * have recorded, and jobs are looked up on the queue directly.
 */
describe('deliveries, redeliver and replay', () => {
  let api: TestApi;
  let queue: Queue;
  let admin: string;
  let alice: TestUser;
  let aliceKey: string;
  let bob: TestUser;
  const secretOf: Record<string, string> = {};

  async function subscribe(user: TestUser, body: Record<string, unknown> = {}): Promise<string> {
    const response = await api.http
      .post('/v1/webhooks')
      .set(bearer(user.token))
      .send({ url: 'https://example.com/hooks', entity: 'Contact', operation: 'Update', ...body })
      .expect(201);
    const id = stringField(response.body, 'id');
    secretOf[id] = stringField(response.body, 'secret');
    return id;
  }

  /** Reports changes as alice; returns the event ids in order. */
  async function report(
    changes: { entity: string; operation: string; entityId?: string }[],
  ): Promise<string[]> {
    const response = await api.http
      .post('/v1/entity-changes')
      .set('x-api-key', aliceKey)
      .send(changes.map((change) => ({ entityId: randomUUID(), ...change })))
      .expect(202);
    return (response.body.events as { eventId: string }[]).map((event) => event.eventId);
  }

  /** What dispatch would have recorded for one (event, webhook) pair. */
  async function recordDelivery(
    webhookId: string,
    eventId: string,
    fields: { status?: string; reason?: string | null; attempts?: number; createdAt?: string } = {},
  ): Promise<string> {
    const id = randomUUID();
    const attempts = fields.attempts ?? 0;
    await api.db.query(
      `INSERT INTO deliveries (id, event_id, webhook_id, type, status, reason, attempt_count,
                               next_attempt_at, created_at, updated_at)
       VALUES ($1, $2, $3, 'Contact.Update', $4, $5, $6, NULL, $7, $7)`,
      [
        id,
        eventId,
        webhookId,
        fields.status ?? 'exhausted',
        fields.reason === undefined ? 'HTTP 500' : fields.reason,
        attempts,
        fields.createdAt ?? new Date().toISOString(),
      ],
    );
    for (let number = 1; number <= attempts; number++) {
      await api.db.query(
        `INSERT INTO delivery_attempts (delivery_id, number, started_at, duration_ms, status_code,
                                        error, response_body)
         VALUES ($1, $2, now() - make_interval(secs => $3), $4, $5, $6, $7)`,
        [
          id,
          number,
          100 - number,
          10 * number,
          number === attempts ? null : 500,
          number === attempts ? 'timeout after 15000 ms' : null,
          number === attempts ? '' : `oops ${number}`,
        ],
      );
    }
    return id;
  }

  async function deliveryRows(webhookId: string): Promise<DeliveryRow[]> {
    return api.db.query(
      `SELECT d.id, d.event_id, d.status, d.reason, d.generation, d.type, d.next_attempt_at
         FROM deliveries d JOIN events e ON e.id = d.event_id
        WHERE d.webhook_id = $1 ORDER BY e.position`,
      [webhookId],
    );
  }

  async function replay(
    webhookId: string,
    body: Record<string, unknown>,
    token = alice.token,
  ): Promise<number> {
    const response = await api.http
      .post(`/v1/webhooks/${webhookId}/replay`)
      .set(bearer(token))
      .send(body)
      .expect(202);
    expect(Object.keys(response.body)).toEqual(['count']);
    return response.body.count as number;
  }

  beforeAll(async () => {
    api = await createTestApi();
    queue = new Queue(DELIVERIES_QUEUE, bullmqOptions(api.config));
    admin = await adminToken(api);
    alice = await newUser(api);
    aliceKey = await enableApiKey(api, alice);
    bob = await newUser(api);
  });
  afterAll(async () => {
    await queue.close();
    await api.close();
  });
  beforeEach(() => resetAuthFailures(api));

  describe('GET /v1/webhooks/{id}/deliveries', () => {
    let webhookId: string;
    let ids: string[];

    beforeAll(async () => {
      webhookId = await subscribe(alice);
      const events = await report(Array(5).fill({ entity: 'Contact', operation: 'Update' }));
      const statuses = ['succeeded', 'exhausted', 'pending', 'skipped', 'succeeded'];
      ids = [];
      for (const [index, eventId] of events.entries()) {
        ids.push(
          await recordDelivery(webhookId, eventId, {
            status: statuses[index],
            reason: statuses[index] === 'skipped' ? 'owner_api_access_off' : null,
            attempts: statuses[index] === 'skipped' ? 0 : 1,
            createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
          }),
        );
      }
      // Another webhook's delivery of the same event is not listed.
      await recordDelivery(await subscribe(alice), events[0]);
    });

    it('lists the deliveries, newest first, as {items, nextCursor}', async () => {
      const response = await api.http
        .get(`/v1/webhooks/${webhookId}/deliveries`)
        .set(bearer(alice.token))
        .expect(200);
      const items = listItems(response.body);
      expect(items.map((item) => item.id)).toEqual([...ids].reverse());
      expect(response.body.nextCursor).toBeNull();
      for (const item of items) expect(Object.keys(item).sort()).toEqual(DELIVERY_VIEW_KEYS);
      expect(items[1]).toMatchObject({
        webhookId,
        status: 'skipped',
        reason: 'owner_api_access_off',
        attemptCount: 0,
        type: 'Contact.Update',
        nextAttemptAt: null,
        createdAt: '2026-01-01T00:00:03.000Z',
      });
    });

    it('filters by ?status=', async () => {
      const response = await api.http
        .get(`/v1/webhooks/${webhookId}/deliveries?status=succeeded`)
        .set(bearer(alice.token))
        .expect(200);
      expect(listItems(response.body).map((item) => item.id)).toEqual([ids[4], ids[0]]);
      expectFieldError(
        await api.http
          .get(`/v1/webhooks/${webhookId}/deliveries?status=lost`)
          .set(bearer(alice.token)),
        400,
        'status',
      );
    });

    it('pages with ?limit= and ?cursor=', async () => {
      const seen: unknown[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = await api.http
          .get(`/v1/webhooks/${webhookId}/deliveries${query}`)
          .set(bearer(alice.token))
          .expect(200);
        seen.push(...listItems(page.body).map((item) => item.id));
        cursor = page.body.nextCursor as string | null;
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());
    });

    it('an admin may read them; another user gets 404', async () => {
      await api.http.get(`/v1/webhooks/${webhookId}/deliveries`).set(bearer(admin)).expect(200);
      expectProblem(
        await api.http.get(`/v1/webhooks/${webhookId}/deliveries`).set(bearer(bob.token)),
        404,
      );
    });

    it('GET …/deliveries/{deliveryId} shows the delivery with its attempts, oldest first', async () => {
      const events = await report([{ entity: 'Contact', operation: 'Update' }]);
      const deliveryId = await recordDelivery(webhookId, events[0], { attempts: 3 });
      const response = await api.http
        .get(`/v1/webhooks/${webhookId}/deliveries/${deliveryId}`)
        .set(bearer(alice.token))
        .expect(200);
      expect(Object.keys(response.body).sort()).toEqual([...DELIVERY_VIEW_KEYS, 'attempts'].sort());
      expect(response.body).toMatchObject({
        id: deliveryId,
        eventId: events[0],
        status: 'exhausted',
        reason: 'HTTP 500',
        attemptCount: 3,
      });
      const attempts = response.body.attempts as Record<string, unknown>[];
      expect(attempts.map((attempt) => attempt.number)).toEqual([1, 2, 3]);
      expect(Object.keys(attempts[0]).sort()).toEqual(
        ['durationMs', 'error', 'number', 'responseBody', 'startedAt', 'statusCode'].sort(),
      );
      expect(attempts[0]).toMatchObject({
        durationMs: 10,
        statusCode: 500,
        error: null,
        responseBody: 'oops 1',
      });
      expect(attempts[2]).toMatchObject({
        statusCode: null,
        error: 'timeout after 15000 ms',
        responseBody: '',
      });
      expect(Date.parse(String(attempts[0].startedAt))).toBeLessThan(
        Date.parse(String(attempts[2].startedAt)),
      );
    });

    it('a delivery of another webhook, an unknown one and another user’s are all 404', async () => {
      const otherWebhook = await subscribe(alice);
      expectProblem(
        await api.http
          .get(`/v1/webhooks/${otherWebhook}/deliveries/${ids[0]}`)
          .set(bearer(alice.token)),
        404,
      );
      expectProblem(
        await api.http
          .get(`/v1/webhooks/${webhookId}/deliveries/${randomUUID()}`)
          .set(bearer(alice.token)),
        404,
      );
      expectProblem(
        await api.http.get(`/v1/webhooks/${webhookId}/deliveries/${ids[0]}`).set(bearer(bob.token)),
        404,
      );
    });
  });

  describe('POST …/deliveries/{deliveryId}/redeliver', () => {
    it('makes the delivery pending under the next generation and adds its job', async () => {
      const webhookId = await subscribe(alice);
      const [eventId] = await report([{ entity: 'Contact', operation: 'Update' }]);
      const deliveryId = await recordDelivery(webhookId, eventId, { attempts: 2 });
      const response = await api.http
        .post(`/v1/webhooks/${webhookId}/deliveries/${deliveryId}/redeliver`)
        .set(bearer(alice.token))
        .expect(202);
      expect(response.body).toMatchObject({
        id: deliveryId,
        status: 'pending',
        reason: null,
        attemptCount: 2,
      });
      const [row] = await deliveryRows(webhookId);
      expect(row).toMatchObject({ id: deliveryId, status: 'pending', reason: null, generation: 2 });
      expect(Math.abs(row.next_attempt_at!.getTime() - Date.now())).toBeLessThan(10_000);
      const job = await queue.getJob(deliveryJobId(deliveryId, 2));
      expect(job?.data).toEqual({ deliveryId, generation: 2 });

      await api.http
        .post(`/v1/webhooks/${webhookId}/deliveries/${deliveryId}/redeliver`)
        .set(bearer(alice.token))
        .expect(202);
      expect((await deliveryRows(webhookId))[0].generation).toBe(3);
      expect((await queue.getJob(deliveryJobId(deliveryId, 3)))?.data).toEqual({
        deliveryId,
        generation: 3,
      });
      // Jobs carry ids only: neither the secret nor the payload is in Redis.
      const entries = JSON.stringify(await redisEntries(api));
      expect(entries).toContain(deliveryId);
      expect(entries).not.toContain(secretOf[webhookId]);
      expect(entries).not.toContain(eventId);
    });

    it('is 404 for another user, for an unknown delivery and for another webhook’s delivery; nothing changes', async () => {
      const webhookId = await subscribe(alice);
      const otherWebhook = await subscribe(alice);
      const [eventId] = await report([{ entity: 'Contact', operation: 'Update' }]);
      const deliveryId = await recordDelivery(webhookId, eventId);
      for (const [path, token] of [
        [`/v1/webhooks/${webhookId}/deliveries/${deliveryId}/redeliver`, bob.token],
        [`/v1/webhooks/${webhookId}/deliveries/${randomUUID()}/redeliver`, alice.token],
        [`/v1/webhooks/${otherWebhook}/deliveries/${deliveryId}/redeliver`, alice.token],
      ]) {
        expectProblem(await api.http.post(path).set(bearer(token)), 404);
      }
      expect((await deliveryRows(webhookId))[0]).toMatchObject({
        status: 'exhausted',
        generation: 1,
      });
    });
  });

  describe('POST /v1/webhooks/{id}/replay', () => {
    it('re-sends the events of the range that match the current filter, creating or renewing delivery rows', async () => {
      const webhookId = await subscribe(alice, { entity: 'Contact', operation: 'Update' });
      const from = new Date().toISOString();
      const matching = await report([
        { entity: 'Contact', operation: 'Update' },
        { entity: 'Contact', operation: 'Create' },
        { entity: 'Company', operation: 'Update' },
        { entity: 'Contact', operation: 'Update' },
      ]);
      const [later] = await report([{ entity: 'Contact', operation: 'Update' }]);
      // One of them was delivered before: its row is renewed, not duplicated.
      const existing = await recordDelivery(webhookId, matching[0], { status: 'succeeded' });

      expect(await replay(webhookId, { from })).toBe(3);
      const rows = await deliveryRows(webhookId);
      const generations = () =>
        deliveryRows(webhookId).then((current) =>
          Object.fromEntries(current.map((row) => [row.event_id, row.generation])),
        );
      expect(rows.map((row) => row.event_id).sort()).toEqual(
        [matching[0], matching[3], later].sort(),
      );
      expect(rows.every((row) => row.status === 'pending' && row.reason === null)).toBe(true);
      expect(rows.every((row) => row.type === 'Contact.Update')).toBe(true);
      expect(rows.find((row) => row.event_id === matching[0])?.id).toBe(existing);
      expect(await generations()).toEqual({ [matching[0]]: 2, [matching[3]]: 1, [later]: 1 });
      for (const row of rows) {
        expect((await queue.getJob(deliveryJobId(row.id, row.generation)))?.data).toEqual({
          deliveryId: row.id,
          generation: row.generation,
        });
      }

      // Again: the same rows, each under its next generation.
      expect(await replay(webhookId, { from })).toBe(3);
      expect(await generations()).toEqual({ [matching[0]]: 3, [matching[3]]: 2, [later]: 2 });
    });

    it('honours to (exclusive) and follows the webhook’s current filter', async () => {
      const webhookId = await subscribe(alice, { entity: 'Note', operation: 'Create' });
      const from = new Date().toISOString();
      await report([{ entity: 'Note', operation: 'Create' }]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const to = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 20));
      await report([
        { entity: 'Note', operation: 'Create' },
        { entity: 'Note', operation: 'Delete' },
      ]);
      expect(await replay(webhookId, { from, to })).toBe(1);
      expect(await replay(webhookId, { from })).toBe(2);
      await api.http
        .patch(`/v1/webhooks/${webhookId}`)
        .set(bearer(alice.token))
        .send({ operation: '*' })
        .expect(200);
      expect(await replay(webhookId, { from })).toBe(3);
    });

    it('ApiKey events: only the owner’s own, unless the owner is an admin', async () => {
      const carol = await newUser(api);
      const carolWebhook = await subscribe(carol, { entity: 'ApiKey', operation: '*' });
      const root = await newUser(api, { role: 'admin' });
      const rootWebhook = await subscribe(root, { entity: '*', operation: 'Regenerate' });
      const from = new Date().toISOString();
      await enableApiKey(api, carol); // KeyRegenerated about carol
      await enableApiKey(api, bob); // KeyRegenerated about bob
      await api.http.delete('/v1/me/api-key').set(bearer(carol.token)).expect(204); // KeyCleared
      await report([{ entity: 'Contact', operation: 'Update' }]);

      expect(await replay(carolWebhook, { from }, carol.token)).toBe(2);
      const carolRows = await deliveryRows(carolWebhook);
      expect(carolRows.map((row) => row.type)).toEqual(['ApiKey.Regenerate', 'ApiKey.Clear']);
      expect(await replay(rootWebhook, { from }, root.token)).toBe(2);
      expect((await deliveryRows(rootWebhook)).map((row) => row.type)).toEqual([
        'ApiKey.Regenerate',
        'ApiKey.Regenerate',
      ]);
    });

    it('pings are not replayed', async () => {
      const webhookId = await subscribe(alice, { entity: '*', operation: '*' });
      const from = new Date().toISOString();
      await api.http.post(`/v1/webhooks/${webhookId}/ping`).set(bearer(alice.token)).expect(202);
      expect(await replay(webhookId, { from })).toBe(0);
    });

    it('an admin may replay anyone’s webhook; another user gets 404', async () => {
      const webhookId = await subscribe(alice, { entity: 'Job', operation: 'Delete' });
      const from = new Date().toISOString();
      await report([{ entity: 'Job', operation: 'Delete' }]);
      expect(await replay(webhookId, { from }, admin)).toBe(1);
      expectProblem(
        await api.http
          .post(`/v1/webhooks/${webhookId}/replay`)
          .set(bearer(bob.token))
          .send({ from }),
        404,
      );
    });

    it('a webhook that is off answers 409 webhook-off and nothing is scheduled', async () => {
      const webhookId = await subscribe(alice, { status: 'off' });
      const from = new Date().toISOString();
      await report([{ entity: 'Contact', operation: 'Update' }]);
      const problem = expectProblem(
        await api.http
          .post(`/v1/webhooks/${webhookId}/replay`)
          .set(bearer(alice.token))
          .send({ from }),
        409,
      );
      expect(problem.type).toMatch(/webhook-off$/);
      expect(await deliveryRows(webhookId)).toEqual([]);
    });

    it.each([
      ['no from', {}, 400, 'from'],
      ['a from that is not a string', { from: 5 }, 400, 'from'],
      ['a from without a time zone', { from: '2026-01-01T00:00:00' }, 422, 'from'],
      ['a to that is not a date', { from: '2026-01-01T00:00:00Z', to: 'soon' }, 422, 'to'],
      ['a to before from', { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 422, 'to'],
      [
        'a to equal to from',
        { from: '2026-01-02T00:00:00Z', to: '2026-01-02T00:00:00Z' },
        422,
        'to',
      ],
      ['an unknown field', { from: '2026-01-01T00:00:00Z', webhookId: 'x' }, 400, 'webhookId'],
    ])('refuses %s', async (_, body, status, field) => {
      const webhookId = await subscribe(alice);
      expectFieldError(
        await api.http.post(`/v1/webhooks/${webhookId}/replay`).set(bearer(alice.token)).send(body),
        status,
        field,
      );
      expect(await deliveryRows(webhookId)).toEqual([]);
    });
  });

  describe('replay of more than 10,000 events', () => {
    it('is refused with 422 replay-range-too-large and schedules nothing; 10,000 are taken', async () => {
      const big = await createTestApi();
      try {
        const owner = await newUser(big);
        const created = await big.http
          .post('/v1/webhooks')
          .set(bearer(owner.token))
          .send({ url: 'https://example.com/x', entity: 'Note', operation: 'Create' })
          .expect(201);
        // A bulk fixture (the API takes 500 per request): 10,001 matching events.
        await big.db.query(
          `INSERT INTO events (id, stream, version, type, data, metadata, recorded_at)
           SELECT gen_random_uuid(), 'entity-Note-' || i, 1, 'EntityChanged',
                  jsonb_build_object('entity', 'Note', 'entityId', i::text, 'operation', 'Create',
                                     'data', '{}'::jsonb, 'actorUserId', $1::text,
                                     'occurredAt', '2026-01-01T00:00:00.000Z', 'idempotencyKey', null),
                  '{}'::jsonb, '2026-01-01T00:00:00Z'::timestamptz + make_interval(secs => i)
             FROM generate_series(1, 10001) AS i`,
          [owner.id],
        );
        const path = `/v1/webhooks/${created.body.id}/replay`;
        const refused = expectProblem(
          await big.http
            .post(path)
            .set(bearer(owner.token))
            .send({ from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' }),
          422,
        );
        expect(refused.type).toMatch(/replay-range-too-large$/);
        expect(refused.detail).toMatch(/10000/);
        const rows: { n: number }[] = await big.db.query(
          'SELECT count(*)::int AS n FROM deliveries',
        );
        expect(rows[0].n).toBe(0);

        const taken = await big.http
          .post(path)
          .set(bearer(owner.token))
          .send({ from: '2026-01-01T00:00:01Z', to: '2026-01-01T02:46:41Z' })
          .expect(202);
        expect(taken.body).toEqual({ count: 10_000 });
      } finally {
        await big.close();
      }
    });
  });

  describe('while Redis is down', () => {
    it('redeliver and replay still answer 202 with the rows pending; the reconciler enqueues them later', async () => {
      const down = await createTestApi({ REDIS_URL: 'redis://127.0.0.1:1' });
      try {
        const owner = await newUser(down);
        const ownerKey = await enableApiKey(down, owner);
        const created = await down.http
          .post('/v1/webhooks')
          .set(bearer(owner.token))
          .send({ url: 'https://example.com/x', entity: 'Contact', operation: 'Update' })
          .expect(201);
        const from = new Date().toISOString();
        const reported = await down.http
          .post('/v1/entity-changes')
          .set('x-api-key', ownerKey)
          .send({ entity: 'Contact', entityId: '1', operation: 'Update' })
          .expect(202);
        const eventId = reported.body.events[0].eventId as string;
        const deliveryId = randomUUID();
        await down.db.query(
          `INSERT INTO deliveries (id, event_id, webhook_id, type, status, reason)
           VALUES ($1, $2, $3, 'Contact.Update', 'exhausted', 'HTTP 500')`,
          [deliveryId, eventId, created.body.id],
        );

        const started = Date.now();
        await down.http
          .post(`/v1/webhooks/${created.body.id}/deliveries/${deliveryId}/redeliver`)
          .set(bearer(owner.token))
          .expect(202);
        const replayed = await down.http
          .post(`/v1/webhooks/${created.body.id}/replay`)
          .set(bearer(owner.token))
          .send({ from })
          .expect(202);
        expect(replayed.body).toEqual({ count: 1 });
        expect(Date.now() - started).toBeLessThan(10_000);
        const rows: { status: string; generation: number }[] = await down.db.query(
          'SELECT status, generation FROM deliveries WHERE id = $1',
          [deliveryId],
        );
        expect(rows[0]).toEqual({ status: 'pending', generation: 3 });
      } finally {
        await down.close();
      }
    });
  });
});
