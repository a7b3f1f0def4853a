import {
  describeRequest,
  newApiUser,
  postEntityChange,
  startWebhookReceiver,
  subscribeWebhook,
  type ApiUser,
  type WebhookReceiver,
} from '@herald/testing';
import { bearer, listItems } from '@herald/testing/http-assertions';
import { createTestSystem, type TestSystem } from '@herald/testing/test-system';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Operator routes (issue 3 §6, and the must-hold "replay of a time range re-sends the matching
 * past events with their original webhook-id"): ping, redeliver, replay.
 */
describe('Ping, redeliver and replay (API + worker + receiver)', () => {
  let system: TestSystem;
  let owner: ApiUser;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    system = await createTestSystem();
    owner = await newApiUser(system.api);
  });
  afterAll(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await system?.close();
  });

  async function subscribed(entity: string, operation: string) {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    const { webhook, secret } = await subscribeWebhook(system.api, owner.apiKey, {
      url: receiver.url,
      entity,
      operation,
    });
    receiver.addSecret(secret);
    return { receiver, webhook, secret };
  }

  const change = (entity: string, operation: string, entityId: string) =>
    postEntityChange(system.api, owner.apiKey, { entity, entityId, operation, data: { entityId } });
  const ids = (receiver: WebhookReceiver) =>
    receiver.requests.map((request) => request.headers['webhook-id']);

  it('ping: 202, then that webhook alone receives a verified Webhook.Ping whose data names the webhook and whose webhook-id is data.eventId', async () => {
    const target = await subscribed('Job', 'Create');
    const bystander = await subscribed('Job', 'Create');

    await system.api.http
      .post(`/v1/webhooks/${target.webhook.id}/ping`)
      .set(bearer(owner.apiKey))
      .expect(202);

    const [request] = await target.receiver.waitForRequests(1);
    expect(request.verifiedBy[target.secret]).toBe(true);
    expect(request.json).toEqual({
      type: 'Webhook.Ping',
      timestamp: expect.any(String),
      data: { eventId: request.headers['webhook-id'], webhookId: target.webhook.id },
    });
    const delivery = await system.waitForDelivery(target.webhook.id, 'succeeded');
    expect(delivery).toMatchObject({
      type: 'Webhook.Ping',
      eventId: request.headers['webhook-id'],
    });
    await system.waitForDispatched([delivery.eventId]);
    expect(await system.deliveries(bystander.webhook.id)).toEqual([]);
    expect(bystander.receiver.requests).toHaveLength(0);
  });

  it('redeliver: 202, then the same webhook-id and byte-identical body arrive again (verified), logged as a further attempt of the same delivery', async () => {
    const { receiver, webhook, secret } = await subscribed('Contact', 'Create');
    const event = await change('Contact', 'Create', 'redeliver-me');
    const [original] = await receiver.waitForRequests(1);
    const delivery = await system.waitForDelivery(webhook.id, 'succeeded', {
      eventId: event.eventId,
    });

    await system.api.http
      .post(`/v1/webhooks/${webhook.id}/deliveries/${delivery.id}/redeliver`)
      .set(bearer(owner.apiKey))
      .expect(202);

    const [, again] = await receiver.waitForRequests(2);
    expect(again.headers['webhook-id']).toBe(event.eventId);
    expect(again.rawBody.equals(original.rawBody)).toBe(true);
    expect(again.verifiedBy[secret]).toBe(true);
    await system.waitFor('the redelivery to be recorded as a second attempt', async () => {
      const [row] = (await system.deliveries(webhook.id)).filter((r) => r.id === delivery.id);
      return row.status === 'succeeded' && row.attemptCount === 2;
    });
    const detail = await system.api.http
      .get(`/v1/webhooks/${webhook.id}/deliveries/${delivery.id}`)
      .set(bearer(owner.apiKey))
      .expect(200);
    expect(
      (detail.body.attempts as { number: number; statusCode: number }[]).map((a) => [
        a.number,
        a.statusCode,
      ]),
    ).toEqual([
      [1, 200],
      [2, 200],
    ]);
    expect(receiver.requests).toHaveLength(2);
  });

  it('replay {from}: 202 {count}, the past matching events — including one from before the webhook existed — arrive again with their original webhook-ids and bodies; non-matching ones do not', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const beforeWebhook = await change('Application', 'Create', 'a-0');
    await system.waitForDispatched([beforeWebhook.eventId]);
    const { receiver, webhook, secret } = await subscribed('Application', 'Create');
    const first = await change('Application', 'Create', 'a-1');
    const nonMatching = await change('Application', 'Delete', 'a-1');
    const second = await change('Application', 'Create', 'a-2');
    const live = await receiver.waitForRequests(2);
    expect(live.map((r) => r.headers['webhook-id']).sort()).toEqual(
      [first.eventId, second.eventId].sort(),
    );
    await system.waitForDispatched([nonMatching.eventId]);

    const replay = await system.api.http
      .post(`/v1/webhooks/${webhook.id}/replay`)
      .set(bearer(owner.apiKey))
      .send({ from })
      .expect(202);

    expect(replay.body).toEqual({ count: 3 });
    const all = await receiver.waitForRequests(5, 10_000);
    const replayed = all.slice(2);
    expect(replayed.map((r) => r.headers['webhook-id']).sort()).toEqual(
      [beforeWebhook.eventId, first.eventId, second.eventId].sort(),
    );
    for (const request of replayed) {
      expect(request.verifiedBy[secret]).toBe(true);
      const original = live.find((r) => r.headers['webhook-id'] === request.headers['webhook-id']);
      if (original) expect(request.rawBody.equals(original.rawBody)).toBe(true);
    }
    const early = replayed.find((r) => r.headers['webhook-id'] === beforeWebhook.eventId);
    expect(early?.json).toMatchObject({
      type: 'Application.Create',
      data: { eventId: beforeWebhook.eventId, entityId: 'a-0' },
    });
    await sleep(1200);
    expect(ids(receiver)).not.toContain(nonMatching.eventId);
    expect(receiver.requests).toHaveLength(5);
  });

  it('replay {from, to}: only the matching events recorded in the range are re-sent', async () => {
    const { receiver, webhook } = await subscribed('Activity', 'Update');
    const inRange = await change('Activity', 'Update', 'in-range');
    const [inRangeRequest] = await receiver.waitForRequests(1);
    await sleep(300);
    const outOfRange = await change('Activity', 'Update', 'out-of-range');
    await receiver.waitForRequests(2);
    const recordedAt = Date.parse((inRangeRequest.json as { timestamp: string }).timestamp);

    const replay = await system.api.http
      .post(`/v1/webhooks/${webhook.id}/replay`)
      .set(bearer(owner.apiKey))
      .send({
        from: new Date(recordedAt - 100).toISOString(),
        to: new Date(recordedAt + 150).toISOString(),
      })
      .expect(202);

    expect(replay.body).toEqual({ count: 1 });
    const [, , again] = await receiver.waitForRequests(3);
    expect(again.headers['webhook-id']).toBe(inRange.eventId);
    await sleep(1200);
    expect(ids(receiver)).toEqual([inRange.eventId, outOfRange.eventId, inRange.eventId]);
    const list = await system.api.http
      .get(`/v1/webhooks/${webhook.id}/deliveries`)
      .set(bearer(owner.apiKey))
      .expect(200);
    expect(
      listItems(list.body)
        .map((item) => item.eventId)
        .sort(),
    ).toEqual([inRange.eventId, outOfRange.eventId].sort());
  });

  it('redeliver an exhausted delivery: it turns pending, the same webhook-id and body go out again as attempt 4, and it ends succeeded', async () => {
    let down = true;
    const receiver = await startWebhookReceiver({
      respond: () => (down ? { status: 500 } : { status: 200 }),
    });
    receivers.push(receiver);
    const { webhook, secret } = await subscribeWebhook(system.api, owner.apiKey, {
      url: receiver.url,
      entity: 'Company',
      operation: 'Delete',
    });
    receiver.addSecret(secret);
    const event = await change('Company', 'Delete', 'exhaust-me');
    const exhausted = await system.waitForDelivery(webhook.id, 'exhausted', {
      eventId: event.eventId,
      timeoutMs: 15_000,
    });
    const failed = await receiver.waitForRequests(3);
    down = false;

    await system.api.http
      .post(`/v1/webhooks/${webhook.id}/deliveries/${exhausted.id}/redeliver`)
      .set(bearer(owner.apiKey))
      .expect(202);

    const [, , , again] = await receiver.waitForRequests(4);
    expect(again.headers['webhook-id']).toBe(event.eventId);
    expect(again.rawBody.equals(failed[0].rawBody)).toBe(true);
    const done = await system.waitForDelivery(webhook.id, 'succeeded', { eventId: event.eventId });
    expect(done).toMatchObject({ id: exhausted.id, attemptCount: 4, reason: null });
    expect((await system.attempts(done.id)).map((a) => [a.number, a.statusCode])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 200],
    ]);
  });

  it("replay never sends more than dispatch would: a user's */* webhook gets back only its own key events and entity changes, not another user's key events nor pings", async () => {
    const from = new Date(Date.now() - 500).toISOString();
    const user = await newApiUser(system.api);
    const other = await newApiUser(system.api);
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    const { webhook, secret } = await subscribeWebhook(system.api, user.apiKey, {
      url: receiver.url,
      entity: '*',
      operation: '*',
    });
    receiver.addSecret(secret);
    await system.api.http
      .post(`/v1/webhooks/${webhook.id}/ping`)
      .set(bearer(user.apiKey))
      .expect(202);
    await receiver.waitForRequests(
      1,
      10_000,
      (r) => (r.json as { type: string }).type === 'Webhook.Ping',
    );
    await system.waitForDispatched();
    await system.waitFor('live deliveries to finish', async () =>
      (await system.deliveries(webhook.id)).every((row) => row.status !== 'pending'),
    );
    const before = receiver.requests.length;

    const replay = await system.api.http
      .post(`/v1/webhooks/${webhook.id}/replay`)
      .set(bearer(user.apiKey))
      .send({ from })
      .expect(202);

    const count = (replay.body as { count: number }).count;
    const replayed = (await receiver.waitForRequests(before + count)).slice(before);
    await sleep(1000);
    expect(receiver.requests).toHaveLength(before + count);
    const described = replayed.map((request) => {
      const body = request.json as { type: string; data: { userId?: string } };
      return `${body.type}:${body.data.userId ?? ''}`;
    });
    expect(described).toContain(`ApiKey.Regenerate:${user.id}`);
    expect(described).not.toContain(`ApiKey.Regenerate:${other.id}`);
    expect(described.filter((text) => text.startsWith('Webhook.Ping'))).toEqual([]);
  });

  it('every request any receiver got verified with standardwebhooks against its webhook secret', () => {
    const all = receivers.flatMap((receiver) => receiver.requests);
    expect(all.length).toBeGreaterThan(0);
    expect(all.filter((request) => !request.verified).map(describeRequest)).toEqual([]);
  });
});
