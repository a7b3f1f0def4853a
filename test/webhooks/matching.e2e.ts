import {
  adminToken,
  enableApiKey,
  describeRequest,
  newApiUser,
  startConnectionSentinel,
  postEntityChange,
  setWebhookStatus,
  startWebhookReceiver,
  subscribeWebhook,
  type ApiUser,
  type WebhookBody,
  type WebhookReceiver,
} from '@herald/testing';
import { bearer } from '@herald/testing/http-assertions';
import { createTestSystem, type TestSystem } from '@herald/testing/test-system';

/**
 * Must hold (issue 3): a matching change arrives signed and verifiable; a non-matching entity or
 * operation gets nothing; `*` matches; an off webhook gets nothing and gets the next change once on
 * again. The real API and worker, a real receiver on 127.0.0.1 verifying with `standardwebhooks`.
 */
describe('Webhook matching (API + worker + receiver)', () => {
  let system: TestSystem;
  let owner: ApiUser;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    system = await createTestSystem();
    owner = await newApiUser(system.api);
    // The owner's own key event is matchable (ApiKey.Regenerate); let it be fanned out before any
    // `*` webhook exists, so it cannot turn up in a receiver below.
    await system.waitForDispatched();
  });
  afterAll(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await system?.close();
  });

  async function subscribed(
    entity: string,
    operation: string,
    status?: 'on' | 'off',
  ): Promise<{ receiver: WebhookReceiver; webhook: WebhookBody; secret: string }> {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    const { webhook, secret } = await subscribeWebhook(system.api, owner.apiKey, {
      url: `${receiver.url}/hooks/${entity}-${operation}`.replaceAll('*', 'any'),
      entity,
      operation,
      ...(status ? { status } : {}),
    });
    receiver.addSecret(secret);
    return { receiver, webhook, secret };
  }

  const change = (entity: string, operation: string, entityId = '42') =>
    postEntityChange(system.api, owner.apiKey, {
      entity,
      entityId,
      operation,
      data: { name: 'Zoë ✓ 東京', nested: { b: 1, a: [true, null] } },
    });

  it('a matching change arrives once, POSTed as JSON, verifiable with the webhook secret (standardwebhooks), webhook-id = eventId, body per API.md', async () => {
    const { receiver, webhook, secret } = await subscribed('Contact', 'Update');
    const before = Math.floor(Date.now() / 1000);

    const event = await change('Contact', 'Update');

    const [request] = await receiver.waitForRequests(1);
    expect(request.method).toBe('POST');
    expect(request.verifiedBy[secret]).toBe(true);
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    expect(request.headers['user-agent']).toMatch(/^Herald\//);
    expect(request.headers['webhook-id']).toBe(event.eventId);
    expect(Number(request.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(before - 1);
    expect(Number(request.headers['webhook-timestamp'])).toBeLessThanOrEqual(
      Math.ceil(Date.now() / 1000) + 1,
    );
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(request.json).toEqual({
      type: 'Contact.Update',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      data: {
        eventId: event.eventId,
        position: Number(event.position),
        entity: 'Contact',
        entityId: '42',
        operation: 'Update',
        actorUserId: owner.id,
        occurredAt: expect.any(String),
        data: { name: 'Zoë ✓ 東京', nested: { a: [true, null], b: 1 } },
      },
    });
    const delivery = await system.waitForDelivery(webhook.id, 'succeeded', {
      eventId: event.eventId,
    });
    expect(delivery).toMatchObject({ type: 'Contact.Update', attemptCount: 1 });
    expect(receiver.requests).toHaveLength(1);
  });

  it('a non-matching entity or operation gets nothing: once every change is dispatched, only the matching sentinel change has arrived', async () => {
    const { receiver, webhook } = await subscribed('Contact', 'Update');

    const others = [
      await change('Company', 'Update'),
      await change('Contact', 'Create'),
      await change('Contact', 'Delete'),
      await change('Note', 'Create'),
    ];
    const sentinel = await change('Contact', 'Update');

    await receiver.waitForRequests(1);
    await system.waitForDispatched([...others, sentinel].map((event) => event.eventId));
    await system.waitForDelivery(webhook.id, 'succeeded', { eventId: sentinel.eventId });
    expect((await system.deliveries(webhook.id)).map((row) => row.eventId)).toEqual([
      sentinel.eventId,
    ]);
    expect(receiver.requests.map((request) => request.headers['webhook-id'])).toEqual([
      sentinel.eventId,
    ]);
  });

  it('* entity and * operation match: */* gets every change, Contact/* every Contact change, */Delete every Delete — each request verified', async () => {
    const any = await subscribed('*', '*');
    const anyContact = await subscribed('Contact', '*');
    const anyDelete = await subscribed('*', 'Delete');

    const companyCreate = await change('Company', 'Create');
    const contactDelete = await change('Contact', 'Delete');
    const noteUpdate = await change('Note', 'Update');
    const contactUpdate = await change('Contact', 'Update');
    const jobDelete = await change('Job', 'Delete');
    const all = [companyCreate, contactDelete, noteUpdate, contactUpdate, jobDelete];

    const idsOf = async (receiver: WebhookReceiver, count: number) =>
      (await receiver.waitForRequests(count))
        .map((request) => {
          expect(request.verified).toBe(true);
          return request.headers['webhook-id'];
        })
        .sort();
    await system.waitForDispatched(all.map((event) => event.eventId));
    expect(await idsOf(any.receiver, 5)).toEqual(all.map((event) => event.eventId).sort());
    expect(await idsOf(anyContact.receiver, 2)).toEqual(
      [contactDelete.eventId, contactUpdate.eventId].sort(),
    );
    expect(await idsOf(anyDelete.receiver, 2)).toEqual(
      [contactDelete.eventId, jobDelete.eventId].sort(),
    );
    const types = any.receiver.requests.map((request) => (request.json as { type: string }).type);
    expect(types.sort()).toEqual(
      ['Company.Create', 'Contact.Delete', 'Contact.Update', 'Job.Delete', 'Note.Update'].sort(),
    );
    // Nothing beyond the matches (every delivery row exists once the events are dispatched).
    for (const { webhook, receiver } of [any, anyContact, anyDelete]) {
      await system.waitFor(
        `every delivery to ${webhook.entity}/${webhook.operation} to finish`,
        async () =>
          (await system.deliveries(webhook.id)).every((row) => row.status === 'succeeded'),
      );
      expect(receiver.requests).toHaveLength((await system.deliveries(webhook.id)).length);
    }
    expect(any.receiver.requests).toHaveLength(5);
    expect(anyContact.receiver.requests).toHaveLength(2);
    expect(anyDelete.receiver.requests).toHaveLength(2);
  });

  it('an off webhook gets nothing (no delivery at all); turned on again, it gets the next change and never the one sent while off', async () => {
    const { receiver, webhook, secret } = await subscribed('Contact', 'Update');
    await setWebhookStatus(system.api, owner.apiKey, webhook.id, 'off');

    const whileOff = await change('Contact', 'Update');
    await system.waitForDispatched([whileOff.eventId]);
    // Nothing to send: no delivery, or at most one recorded as skipped.
    expect((await system.deliveries(webhook.id)).filter((row) => row.status !== 'skipped')).toEqual(
      [],
    );

    await setWebhookStatus(system.api, owner.apiKey, webhook.id, 'on');
    const afterOn = await change('Contact', 'Update');

    const [request] = await receiver.waitForRequests(1);
    expect(request.headers['webhook-id']).toBe(afterOn.eventId);
    expect(request.verifiedBy[secret]).toBe(true);
    await system.waitForDelivery(webhook.id, 'succeeded', { eventId: afterOn.eventId });
    const sent = (await system.deliveries(webhook.id)).filter((row) => row.status !== 'skipped');
    expect(sent.map((row) => row.eventId)).toEqual([afterOn.eventId]);
    expect(receiver.requests).toHaveLength(1);
  });

  it('an admin turning a webhook off (PATCH /v1/admin/webhooks/{id}) stops its deliveries; the owner cannot undo it (403); the admin turning it on resumes them', async () => {
    const { receiver, webhook } = await subscribed('Job', 'Update');
    await system.api.http
      .patch(`/v1/admin/webhooks/${webhook.id}`)
      .set(bearer(await adminToken(system.api)))
      .send({ status: 'off' })
      .expect(200);

    const whileOff = await change('Job', 'Update');
    await system.waitForDispatched([whileOff.eventId]);
    await system.api.http
      .patch(`/v1/webhooks/${webhook.id}`)
      .set(bearer(owner.apiKey))
      .send({ status: 'on' })
      .expect(403);
    await system.api.http
      .patch(`/v1/admin/webhooks/${webhook.id}`)
      .set(bearer(await adminToken(system.api)))
      .send({ status: 'on' })
      .expect(200);
    const afterOn = await change('Job', 'Update');

    await receiver.waitForRequests(1);
    await system.waitForDelivery(webhook.id, 'succeeded', { eventId: afterOn.eventId });
    expect(receiver.requests.map((request) => request.headers['webhook-id'])).toEqual([
      afterOn.eventId,
    ]);
  });

  it('after PATCH {entity, url}, the new filter and the new URL apply: the old URL and the old entity get nothing', async () => {
    const { receiver: oldReceiver, webhook, secret } = await subscribed('Contact', 'Create');
    const newReceiver = await startWebhookReceiver({ secret });
    receivers.push(newReceiver);
    await system.api.http
      .patch(`/v1/webhooks/${webhook.id}`)
      .set(bearer(owner.apiKey))
      .send({ entity: 'Company', url: `${newReceiver.url}/moved` })
      .expect(200);

    const oldEntity = await change('Contact', 'Create');
    const newEntity = await change('Company', 'Create');

    const [request] = await newReceiver.waitForRequests(1);
    expect(request.path).toBe('/moved');
    expect(request.headers['webhook-id']).toBe(newEntity.eventId);
    expect(request.verified).toBe(true);
    await system.waitForDispatched([oldEntity.eventId, newEntity.eventId]);
    await system.waitForDelivery(webhook.id, 'succeeded', { eventId: newEntity.eventId });
    expect((await system.deliveries(webhook.id)).map((row) => row.eventId)).toEqual([
      newEntity.eventId,
    ]);
    expect(oldReceiver.requests).toHaveLength(0);
    expect(newReceiver.requests).toHaveLength(1);
  });

  it('a deleted webhook gets nothing: no delivery and no connection to its URL', async () => {
    const sentinel = await startConnectionSentinel();
    try {
      const { webhook } = await subscribeWebhook(system.api, owner.apiKey, {
        url: `${sentinel.url}/deleted`,
        entity: 'Note',
        operation: 'Delete',
      });
      await system.api.http
        .delete(`/v1/webhooks/${webhook.id}`)
        .set(bearer(owner.apiKey))
        .expect(204);

      const event = await change('Note', 'Delete');

      await system.waitForDispatched([event.eventId]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(
        (await system.deliveries(webhook.id)).filter((row) => row.status !== 'skipped'),
      ).toEqual([]);
      expect(sentinel.connections).toBe(0);
    } finally {
      await sentinel.close();
    }
  });

  it('a webhook subscribed with status off gets nothing until it is turned on', async () => {
    const { receiver, webhook } = await subscribed('Note', 'Create', 'off');
    expect(webhook.status).toBe('off');

    const whileOff = await change('Note', 'Create');
    await system.waitForDispatched([whileOff.eventId]);
    await setWebhookStatus(system.api, owner.apiKey, webhook.id, 'on');
    const afterOn = await change('Note', 'Create');

    await receiver.waitForRequests(1);
    await system.waitForDispatched([afterOn.eventId]);
    await system.waitForDelivery(webhook.id, 'succeeded', { eventId: afterOn.eventId });
    expect(receiver.requests.map((request) => request.headers['webhook-id'])).toEqual([
      afterOn.eventId,
    ]);
  });

  it("ApiKey events: an admin's ApiKey webhook hears every user's key regeneration and clearing; a user's hears only their own; the body carries the key prefix, never the key or its hash", async () => {
    const admin = await newApiUser(system.api, { role: 'admin' });
    const user = await newApiUser(system.api);
    const other = await newApiUser(system.api);
    await system.waitForDispatched();
    const adminReceiver = await startWebhookReceiver();
    const userReceiver = await startWebhookReceiver();
    receivers.push(adminReceiver, userReceiver);
    for (const [receiver, subscriber] of [
      [adminReceiver, admin],
      [userReceiver, user],
    ] as const) {
      const { secret } = await subscribeWebhook(system.api, subscriber.apiKey, {
        url: receiver.url,
        entity: 'ApiKey',
        operation: '*',
      });
      receiver.addSecret(secret);
    }

    const otherKey = await enableApiKey(system.api, other);
    await system.api.http.delete('/v1/me/api-key').set(bearer(other.token)).expect(204);
    const userKey = await enableApiKey(system.api, user);

    const typesFor = async (receiver: WebhookReceiver, count: number) =>
      (await receiver.waitForRequests(count)).map((request) => {
        const body = request.json as { type: string; data: { userId: string } };
        return `${body.type}:${body.data.userId}`;
      });
    expect(await typesFor(adminReceiver, 3)).toEqual(
      expect.arrayContaining([
        `ApiKey.Regenerate:${other.id}`,
        `ApiKey.Clear:${other.id}`,
        `ApiKey.Regenerate:${user.id}`,
      ]),
    );
    expect(await typesFor(userReceiver, 1)).toEqual([`ApiKey.Regenerate:${user.id}`]);
    await system.waitForDispatched();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(adminReceiver.requests).toHaveLength(3);
    expect(userReceiver.requests).toHaveLength(1);
    const [own] = userReceiver.requests;
    expect(own.json).toEqual({
      type: 'ApiKey.Regenerate',
      timestamp: expect.any(String),
      data: {
        eventId: own.headers['webhook-id'],
        position: expect.any(Number),
        userId: user.id,
        keyId: expect.any(String),
        keyPrefix: userKey.slice(0, 13),
        actorUserId: user.id,
      },
    });
    for (const request of [...adminReceiver.requests, ...userReceiver.requests]) {
      expect(request.text).not.toContain(otherKey);
      expect(request.text).not.toContain(userKey);
      expect(request.text).not.toMatch(/hash/i);
    }
  });

  it('one change matching 10 webhooks on one endpoint (more than its in-flight cap) reaches each of them once, each signed with its own secret, all with the same webhook-id', async () => {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    const secrets = new Map<string, string>();
    for (let index = 0; index < 10; index += 1) {
      const { secret } = await subscribeWebhook(system.api, owner.apiKey, {
        url: `${receiver.url}/fan/${index}`,
        entity: 'Activity',
        operation: 'Create',
      });
      receiver.addSecret(secret);
      secrets.set(`/fan/${index}`, secret);
    }

    const event = await change('Activity', 'Create');

    const requests = await receiver.waitForRequests(10);
    expect(requests.map((request) => request.path).sort()).toEqual([...secrets.keys()].sort());
    for (const request of requests) {
      expect(request.headers['webhook-id']).toBe(event.eventId);
      expect(request.verifiedBy[secrets.get(request.path) ?? '']).toBe(true);
      expect(request.rawBody.equals(requests[0].rawBody)).toBe(true);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.requests).toHaveLength(10);
  });

  it('every request any receiver got verified with standardwebhooks against its webhook secret', () => {
    const all = receivers.flatMap((receiver) => receiver.requests);
    expect(all.length).toBeGreaterThan(0);
    expect(all.filter((request) => !request.verified).map(describeRequest)).toEqual([]);
  });
});
