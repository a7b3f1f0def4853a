import { createTestApi, enableApiKey, newUser, type TestApi, type TestUser } from '@herald/testing';
import {
  bearer,
  countEvents,
  expectFieldError,
  expectProblem,
} from '@herald/testing/http-assertions';
import { resetAuthFailures } from '@herald/testing/test-redis';
import { randomUUID } from 'node:crypto';
import type { Test } from 'supertest';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface StoredEvent {
  id: string;
  position: string;
  stream: string;
  version: number;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

describe('entity changes', () => {
  let api: TestApi;
  let user: TestUser;
  let key: string;

  function post(body: unknown, headers: Record<string, string> = {}): Test {
    return api.http
      .post('/v1/entity-changes')
      .set({ 'x-api-key': key, ...headers })
      .set('content-type', 'application/json')
      .send(JSON.stringify(body));
  }

  async function stored(eventIds: string[]): Promise<StoredEvent[]> {
    return api.db.query(
      `SELECT id, position::text AS position, stream, version, type, data, metadata
         FROM events WHERE id = ANY($1::uuid[]) ORDER BY position`,
      [eventIds],
    );
  }

  async function entityChangedCount(): Promise<number> {
    const rows: { n: number }[] = await api.db.query(
      `SELECT count(*)::int AS n FROM events WHERE type = 'EntityChanged'`,
    );
    return rows[0].n;
  }

  beforeAll(async () => {
    api = await createTestApi();
    user = await newUser(api);
    key = await enableApiKey(api, user);
  });
  afterAll(() => api.close());
  beforeEach(() => resetAuthFailures(api));

  describe('one change', () => {
    it('answers 202 {events: [{eventId, position}]} and appends EntityChanged to entity-<Entity>-<id>', async () => {
      const response = await post({
        entity: 'Contact',
        entityId: '42',
        operation: 'Update',
        data: { name: 'Ada', tags: ['a', 'b'], nested: { n: 1 } },
        occurredAt: '2026-11-26T13:00:00+01:00',
      }).expect(202);
      expect(Object.keys(response.body)).toEqual(['events']);
      expect(response.body.events).toHaveLength(1);
      const [{ eventId, position }] = response.body.events as {
        eventId: string;
        position: string;
      }[];
      expect(eventId).toMatch(UUID);
      expect(position).toMatch(/^\d+$/);
      const [event] = await stored([eventId]);
      expect(event).toMatchObject({
        position,
        stream: 'entity-Contact-42',
        type: 'EntityChanged',
        data: {
          entity: 'Contact',
          entityId: '42',
          operation: 'Update',
          data: { name: 'Ada', tags: ['a', 'b'], nested: { n: 1 } },
          actorUserId: user.id,
          occurredAt: '2026-11-26T12:00:00.000Z',
          idempotencyKey: null,
        },
      });
      expect(event.metadata).toMatchObject({ actorId: user.id, correlationId: expect.any(String) });
    });

    it('defaults data to {} and occurredAt to the time of receipt', async () => {
      const before = Date.now();
      const response = await post({ entity: 'Note', entityId: 'n-1', operation: 'Create' }).expect(
        202,
      );
      const [event] = await stored([response.body.events[0].eventId]);
      expect(event.data.data).toEqual({});
      const occurredAt = Date.parse(String(event.data.occurredAt));
      expect(occurredAt).toBeGreaterThanOrEqual(before - 1000);
      expect(occurredAt).toBeLessThanOrEqual(Date.now() + 1000);
    });

    it('takes the correlation id from X-Correlation-Id', async () => {
      const response = await post(
        { entity: 'Job', entityId: 'j', operation: 'Delete' },
        { 'x-correlation-id': 'trace-123' },
      ).expect(202);
      const [event] = await stored([response.body.events[0].eventId]);
      expect(event.metadata.correlationId).toBe('trace-123');
    });

    it('appends to the same stream again with the next version', async () => {
      const entityId = `c-${randomUUID()}`;
      const first = await post({ entity: 'Company', entityId, operation: 'Create' }).expect(202);
      const second = await post({ entity: 'Company', entityId, operation: 'Update' }).expect(202);
      const events = await stored([first.body.events[0].eventId, second.body.events[0].eventId]);
      expect(events.map((event) => [event.stream, event.version])).toEqual([
        [`entity-Company-${entityId}`, 1],
        [`entity-Company-${entityId}`, 2],
      ]);
    });
  });

  describe('an array of changes', () => {
    it('records all of them in one transaction and answers in request order', async () => {
      const shared = `a-${randomUUID()}`;
      const body = [
        { entity: 'Contact', entityId: shared, operation: 'Create' },
        { entity: 'Application', entityId: 'x', operation: 'Update', data: { step: 2 } },
        { entity: 'Contact', entityId: shared, operation: 'Update' },
        { entity: 'Activity', entityId: 'y', operation: 'Delete' },
      ];
      const response = await post(body).expect(202);
      const answered = response.body.events as { eventId: string; position: string }[];
      expect(answered).toHaveLength(4);
      const events = await stored(answered.map((event) => event.eventId));
      const byId = new Map(events.map((event) => [event.id, event]));
      answered.forEach((answer, index) => {
        const event = byId.get(answer.eventId)!;
        expect(event.position).toBe(answer.position);
        expect(event.data).toMatchObject({
          entity: body[index].entity,
          entityId: body[index].entityId,
          operation: body[index].operation,
        });
      });
      // Within one stream the request's order is kept.
      const contact = answered.filter((_, index) => body[index].entity === 'Contact');
      expect(contact.map((answer) => byId.get(answer.eventId)!.version)).toEqual([1, 2]);
      const transactions: { n: number }[] = await api.db.query(
        `SELECT count(DISTINCT transaction_id)::int AS n FROM events WHERE id = ANY($1::uuid[])`,
        [answered.map((event) => event.eventId)],
      );
      expect(transactions[0].n).toBe(1);
    });

    it('takes up to 500 changes', async () => {
      const body = Array.from({ length: 500 }, (_, index) => ({
        entity: 'Note',
        entityId: `bulk-${index}`,
        operation: 'Create',
      }));
      const response = await post(body).expect(202);
      expect(response.body.events).toHaveLength(500);
    });

    it.each([
      ['an empty array', []],
      [
        '501 changes',
        Array.from({ length: 501 }, () => ({ entity: 'Note', entityId: '1', operation: 'Create' })),
      ],
    ])('refuses %s with 400', async (_, body) => {
      const before = await countEvents(api);
      expectProblem(await post(body), 400);
      expect(await countEvents(api)).toBe(before);
    });

    it('one bad item fails the whole request: errors name [index].field and nothing is recorded', async () => {
      const before = await countEvents(api);
      const response = await post([
        { entity: 'Contact', entityId: '1', operation: 'Create' },
        { entity: 'Contact', operation: 'Create' },
        { entity: 'Contact', entityId: '3', operation: 'Create', extra: 1 },
        'not an object',
      ]);
      const body = expectProblem(response, 400);
      expect(body.errors?.map((error) => error.field)).toEqual(
        expect.arrayContaining(['[1].entityId', '[2].extra', '[3]']),
      );
      expect(body.errors?.map((error) => error.field)).not.toContain('[0].entity');
      expect(await countEvents(api)).toBe(before);
    });

    it('catalog and content errors are 422 with [index].field, and nothing is recorded', async () => {
      const before = await countEvents(api);
      const response = await post([
        { entity: 'Contact', entityId: '1', operation: 'Create' },
        { entity: 'Invoice', entityId: '2', operation: 'Create' },
        { entity: 'Contact', entityId: '3', operation: 'Upsert' },
        { entity: 'Contact', entityId: '4', operation: 'Create', occurredAt: 'yesterday' },
      ]);
      const body = expectProblem(response, 422);
      expect(body.errors?.map((error) => error.field)).toEqual([
        '[1].entity',
        '[2].operation',
        '[3].occurredAt',
      ]);
      expect(await countEvents(api)).toBe(before);
    });
  });

  describe('bad input', () => {
    it.each([
      ['ApiKey (only Herald emits it)', { entity: 'ApiKey', operation: 'Regenerate' }, 'entity'],
      ['a wildcard entity', { entity: '*' }, 'entity'],
      ['a wildcard operation', { operation: '*' }, 'operation'],
      ['an unknown entity', { entity: 'Invoice' }, 'entity'],
      ['an occurredAt without a time zone', { occurredAt: '2026-11-26T12:00:00' }, 'occurredAt'],
      ['an impossible date', { occurredAt: '2026-02-30T12:00:00Z' }, 'occurredAt'],
      ['a control character in entityId', { entityId: 'a\nb' }, 'entityId'],
    ])('refuses %s with 422', async (_, change, field) => {
      const before = await countEvents(api);
      expectFieldError(
        await post({ entity: 'Contact', entityId: '1', operation: 'Create', ...change }),
        422,
        field,
      );
      expect(await countEvents(api)).toBe(before);
    });

    it.each([
      ['data that is an array', { data: [1] }, 'data'],
      ['data that is null', { data: null }, 'data'],
      ['a numeric entityId', { entityId: 42 }, 'entityId'],
      ['an empty entityId', { entityId: '' }, 'entityId'],
      ['an entityId of 201 characters', { entityId: 'x'.repeat(201) }, 'entityId'],
      ['an unknown field', { color: 'red' }, 'color'],
    ])('refuses %s with 400', async (_, change, field) => {
      const before = await countEvents(api);
      expectFieldError(
        await post({ entity: 'Contact', entityId: '1', operation: 'Create', ...change }),
        400,
        field,
      );
      expect(await countEvents(api)).toBe(before);
    });

    it.each([
      ['a string', 'Contact'],
      ['null', null],
      ['a number', 7],
    ])('refuses a body that is %s with 400', async (_, body) => {
      expectProblem(await post(body), 400);
    });

    it('refuses a NUL character in data with 400', async () => {
      expectProblem(
        await post({
          entity: 'Contact',
          entityId: '1',
          operation: 'Create',
          data: { a: 'x\u0000' },
        }),
        400,
      );
    });
  });

  describe('who may report', () => {
    it('a session user whose API access is off gets 403 api-access-off, and nothing is recorded', async () => {
      const other = await newUser(api);
      const before = await countEvents(api);
      const response = await api.http
        .post('/v1/entity-changes')
        .set(bearer(other.token))
        .send({ entity: 'Contact', entityId: '1', operation: 'Create' });
      const body = expectProblem(response, 403);
      expect(body.type).toMatch(/api-access-off$/);
      expect(body.detail).toMatch(/API access/);
      expect(await countEvents(api)).toBe(before);
    });

    it('a session user with API access on may report; after turning it off, 403 again', async () => {
      const other = await newUser(api);
      await enableApiKey(api, other);
      await api.http
        .post('/v1/entity-changes')
        .set(bearer(other.token))
        .send({ entity: 'Contact', entityId: '1', operation: 'Create' })
        .expect(202);
      await api.http.delete('/v1/me/api-key').set(bearer(other.token)).expect(204);
      expectProblem(
        await api.http
          .post('/v1/entity-changes')
          .set(bearer(other.token))
          .send({ entity: 'Contact', entityId: '1', operation: 'Create' }),
        403,
      );
    });

    it('without credentials: 401', async () => {
      expectProblem(
        await api.http
          .post('/v1/entity-changes')
          .send({ entity: 'Contact', entityId: '1', operation: 'Create' }),
        401,
      );
    });
  });

  describe('Idempotency-Key', () => {
    it('a repeat answers the same response, marked Idempotent-Replayed, and appends nothing', async () => {
      const idempotencyKey = `key-${randomUUID()}`;
      const body = [
        { entity: 'Contact', entityId: '7', operation: 'Create', data: { a: 1, b: [1, 2] } },
        { entity: 'Contact', entityId: '8', operation: 'Create' },
      ];
      const first = await post(body, { 'idempotency-key': idempotencyKey }).expect(202);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const before = await countEvents(api);
      const again = await post(body, { 'idempotency-key': idempotencyKey }).expect(202);
      expect(again.body).toEqual(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      // The same request with its keys in another order is the same request.
      const reordered = [
        { data: { b: [1, 2], a: 1 }, operation: 'Create', entityId: '7', entity: 'Contact' },
        { operation: 'Create', entityId: '8', entity: 'Contact' },
      ];
      expect(
        (await post(reordered, { 'idempotency-key': idempotencyKey }).expect(202)).body,
      ).toEqual(first.body);
      expect(await countEvents(api)).toBe(before);
      const events = await stored(
        first.body.events.map((event: { eventId: string }) => event.eventId),
      );
      expect(events.map((event) => event.data.idempotencyKey)).toEqual([
        idempotencyKey,
        idempotencyKey,
      ]);
      const rows: { n: number }[] = await api.db.query(
        'SELECT count(*)::int AS n FROM idempotency_keys WHERE user_id = $1 AND key = $2',
        [user.id, idempotencyKey],
      );
      expect(rows[0].n).toBe(1);
    });

    it('the same key with a different body is 422 idempotency-key-reused and appends nothing', async () => {
      const idempotencyKey = `key-${randomUUID()}`;
      await post(
        { entity: 'Contact', entityId: '1', operation: 'Create' },
        {
          'idempotency-key': idempotencyKey,
        },
      ).expect(202);
      const before = await countEvents(api);
      for (const body of [
        { entity: 'Contact', entityId: '2', operation: 'Create' },
        [{ entity: 'Contact', entityId: '1', operation: 'Create' }],
      ]) {
        const problem = expectProblem(await post(body, { 'idempotency-key': idempotencyKey }), 422);
        expect(problem.type).toMatch(/idempotency-key-reused$/);
      }
      expect(await countEvents(api)).toBe(before);
    });

    it('keys belong to their user: another user with the same key records their own change', async () => {
      const idempotencyKey = `key-${randomUUID()}`;
      const body = { entity: 'Contact', entityId: '1', operation: 'Create' };
      const mine = await post(body, { 'idempotency-key': idempotencyKey }).expect(202);
      const other = await newUser(api);
      const otherKey = await enableApiKey(api, other);
      const theirs = await api.http
        .post('/v1/entity-changes')
        .set({ 'x-api-key': otherKey, 'idempotency-key': idempotencyKey })
        .send(body)
        .expect(202);
      expect(theirs.body.events[0].eventId).not.toBe(mine.body.events[0].eventId);
    });

    it('a rejected request does not use up its key', async () => {
      const idempotencyKey = `key-${randomUUID()}`;
      expectProblem(
        await post(
          { entity: 'Invoice', entityId: '1', operation: 'Create' },
          {
            'idempotency-key': idempotencyKey,
          },
        ),
        422,
      );
      await post(
        { entity: 'Contact', entityId: '1', operation: 'Create' },
        {
          'idempotency-key': idempotencyKey,
        },
      ).expect(202);
    });

    it('10 identical requests racing with the same key: all 202 with one answer, one set of events', async () => {
      const idempotencyKey = `race-${randomUUID()}`;
      const body = [
        { entity: 'Contact', entityId: 'race-1', operation: 'Update', data: { v: 1 } },
        { entity: 'Company', entityId: 'race-2', operation: 'Update' },
      ];
      const before = await entityChangedCount();
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => post(body, { 'idempotency-key': idempotencyKey })),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(10).fill(202));
      const bodies = new Set(responses.map((response) => JSON.stringify(response.body)));
      expect(bodies.size).toBe(1);
      expect(
        responses.filter((response) => response.headers['idempotent-replayed'] === undefined),
      ).toHaveLength(1);
      expect(await entityChangedCount()).toBe(before + 2);
      const rows: { n: number }[] = await api.db.query(
        `SELECT count(*)::int AS n FROM events WHERE data->>'idempotencyKey' = $1`,
        [idempotencyKey],
      );
      expect(rows[0].n).toBe(2);
    });

    it('10 different requests racing with the same key: one is recorded, the others get 422', async () => {
      const idempotencyKey = `race-${randomUUID()}`;
      const before = await entityChangedCount();
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          post(
            { entity: 'Contact', entityId: `r-${index}`, operation: 'Create' },
            {
              'idempotency-key': idempotencyKey,
            },
          ),
        ),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([202, ...Array(9).fill(422)]);
      expect(await entityChangedCount()).toBe(before + 1);
    });

    it.each([
      ['empty', ''],
      ['201 characters', 'k'.repeat(201)],
      ['non-ASCII', 'clé'],
    ])('an Idempotency-Key that is %s is a 400 naming it', async (_, value) => {
      const before = await countEvents(api);
      const response = await api.http
        .post('/v1/entity-changes')
        .set('x-api-key', key)
        .set('idempotency-key', Buffer.from(value, 'utf8').toString('latin1'))
        .send({ entity: 'Contact', entityId: '1', operation: 'Create' });
      expectFieldError(response, 400, 'Idempotency-Key');
      expect(await countEvents(api)).toBe(before);
    });

    it('accepts a 200-character key', async () => {
      await post(
        { entity: 'Contact', entityId: '1', operation: 'Create' },
        {
          'idempotency-key': 'k'.repeat(200),
        },
      ).expect(202);
    });
  });

  describe('concurrent batches over the same streams in opposite orders', () => {
    it('all succeed (no deadlock) and every change is recorded', async () => {
      const ids = Array.from({ length: 6 }, (_, index) => `dl-${index}-${randomUUID()}`);
      const change = (entityId: string) => ({ entity: 'Contact', entityId, operation: 'Update' });
      const before = await entityChangedCount();
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          post(index % 2 === 0 ? ids.map(change) : [...ids].reverse().map(change)),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(8).fill(202));
      expect(await entityChangedCount()).toBe(before + 48);
    });
  });
});
