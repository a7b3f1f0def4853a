import {
  closedPort,
  describeRequest,
  startConnectionSentinel,
  newApiUser,
  postEntityChange,
  startWebhookReceiver,
  subscribeWebhook,
  type ApiUser,
  type ReceivedRequest,
  type ReceiverAnswer,
  type ReceiverRespond,
  type WebhookBody,
  type WebhookReceiver,
} from '@herald/testing';
import { bearer, listItems } from '@herald/testing/http-assertions';
import { createTestSystem, type TestSystem } from '@herald/testing/test-system';

/**
 * Must hold (issue 3): after 500 / 503 / timeout / connection refused, the retry arrives with the
 * same `webhook-id` and body; every attempt is in the log; the delivery is `exhausted` after the
 * schedule; 410 turns the webhook off. Schedule `1,1` (three attempts), deadline 1 s.
 */
describe('Webhook retries (API + worker + receiver)', () => {
  let system: TestSystem;
  let owner: ApiUser;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    system = await createTestSystem({
      HERALD_RETRY_SCHEDULE: '1,1',
      HERALD_DELIVERY_TIMEOUT_MS: '1000',
    });
    owner = await newApiUser(system.api);
  });
  afterAll(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await system?.close();
  });

  async function receiverFor(respond: ReceiverRespond, port?: number) {
    const receiver = await startWebhookReceiver({ respond, port });
    receivers.push(receiver);
    return receiver;
  }

  // Each test's webhook listens to an entity × operation of its own, so no test's changes reach
  // another test's receiver.
  const topics = ['Contact', 'Company', 'Job', 'Application'].flatMap((entity) =>
    ['Create', 'Update', 'Delete'].map((operation) => ({ entity, operation })),
  );

  async function subscribe(url: string): Promise<{ webhook: WebhookBody; secret: string }> {
    const topic = topics.shift();
    if (!topic) throw new Error('out of entity × operation pairs');
    return subscribeWebhook(system.api, owner.apiKey, { url, ...topic });
  }

  const changeFor = (webhook: WebhookBody) =>
    postEntityChange(system.api, owner.apiKey, {
      entity: webhook.entity,
      entityId: 'c-1',
      operation: webhook.operation,
      data: { email: 'zoë@example.test', tags: ['a', 'b'] },
    });

  /** The delivery with its attempts, through the public API. */
  async function deliveryLog(webhookId: string, deliveryId: string) {
    const response = await system.api.http
      .get(`/v1/webhooks/${webhookId}/deliveries/${deliveryId}`)
      .set(bearer(owner.apiKey))
      .expect(200);
    return response.body as {
      id: string;
      status: string;
      reason: string | null;
      attemptCount: number;
      nextAttemptAt: string | null;
      attempts: {
        number: number;
        statusCode: number | null;
        error: string | null;
        durationMs: number;
        responseBody: string;
      }[];
    };
  }

  function expectSameMessage(requests: ReceivedRequest[], eventId: string, secret: string) {
    for (const request of requests) {
      expect(request.headers['webhook-id']).toBe(eventId);
      expect(request.rawBody.equals(requests[0].rawBody)).toBe(true);
      expect(request.verifiedBy[secret]).toBe(true);
    }
  }

  /** Fails once with `first`, then answers 200. */
  async function failOnceThenSucceed(first: ReceiverAnswer) {
    const receiver = await receiverFor((request) =>
      request.index === 0 ? first : { status: 200, body: 'ok' },
    );
    const { webhook, secret } = await subscribe(receiver.url);
    receiver.addSecret(secret);
    const event = await changeFor(webhook);
    const requests = await receiver.waitForRequests(2, 10_000);
    expectSameMessage(requests, event.eventId, secret);
    const delivery = await system.waitForDelivery(webhook.id, 'succeeded', {
      eventId: event.eventId,
    });
    const log = await deliveryLog(webhook.id, delivery.id);
    expect(log).toMatchObject({ id: delivery.id, status: 'succeeded', attemptCount: 2 });
    expect(log.attempts.map((attempt) => attempt.number)).toEqual([1, 2]);
    expect(log.attempts[1]).toMatchObject({ statusCode: 200, error: null });
    expect(receiver.requests).toHaveLength(2);
    return { requests, log };
  }

  it('500 then 200: the retry (~1 s later) has the same webhook-id and byte-identical body; both attempts are in the delivery log', async () => {
    const { requests, log } = await failOnceThenSucceed({ status: 500, body: 'boom' });

    expect(requests[1].receivedAt - requests[0].receivedAt).toBeGreaterThanOrEqual(700);
    expect(log.attempts[0]).toMatchObject({ number: 1, statusCode: 500, responseBody: 'boom' });
  });

  it('503 (Retry-After: 1) then 200: the retry has the same webhook-id and body; both attempts are logged', async () => {
    const { requests, log } = await failOnceThenSucceed({
      status: 503,
      headers: { 'retry-after': '1' },
      body: 'busy',
    });

    expect(requests[1].receivedAt - requests[0].receivedAt).toBeGreaterThanOrEqual(900);
    expect(log.attempts[0]).toMatchObject({ number: 1, statusCode: 503, responseBody: 'busy' });
  });

  it('a receiver that hangs past the 1 s deadline: the attempt is cut off and logged with an error, and the retry arrives with the same webhook-id and body', async () => {
    const { log } = await failOnceThenSucceed('hang');

    expect(log.attempts[0]).toMatchObject({ number: 1, statusCode: null });
    expect(log.attempts[0].error).toEqual(expect.any(String));
    expect(log.attempts[0].durationMs).toBeGreaterThanOrEqual(900);
    expect(log.attempts[0].durationMs).toBeLessThan(5000);
  });

  it('connection refused: the attempt is logged with an error; once a receiver listens on that port the retry arrives and succeeds', async () => {
    const port = await closedPort();
    const { webhook, secret } = await subscribe(`http://127.0.0.1:${port}/late`);
    const event = await changeFor(webhook);
    const refused = await system.waitForDelivery(webhook.id, 'pending', {
      eventId: event.eventId,
    });
    await system.waitFor(
      'the first (refused) attempt',
      async () => {
        const attempts = await system.attempts(refused.id);
        return attempts.length > 0 && attempts;
      },
      { intervalMs: 20 },
    );

    const receiver = await receiverFor(() => ({ status: 200 }), port);
    receiver.addSecret(secret);

    const [request] = await receiver.waitForRequests(1, 10_000);
    expect(request.headers['webhook-id']).toBe(event.eventId);
    expect(request.verifiedBy[secret]).toBe(true);
    const delivery = await system.waitForDelivery(webhook.id, 'succeeded', {
      eventId: event.eventId,
    });
    const log = await deliveryLog(webhook.id, delivery.id);
    expect(log.attempts.length).toBeGreaterThanOrEqual(2);
    expect(log.attempts[0]).toMatchObject({ number: 1, statusCode: null });
    expect(log.attempts[0].error).toEqual(expect.any(String));
    expect(log.attempts.at(-1)).toMatchObject({ statusCode: 200, error: null });
  });

  it('always 500: exactly 3 attempts (schedule 1,1), all with the same webhook-id and body, then the delivery is exhausted and nothing more is sent', async () => {
    const receiver = await receiverFor(() => ({ status: 500, body: 'down' }));
    const { webhook, secret } = await subscribe(receiver.url);
    receiver.addSecret(secret);
    const event = await changeFor(webhook);

    const delivery = await system.waitForDelivery(webhook.id, 'exhausted', {
      eventId: event.eventId,
      timeoutMs: 15_000,
    });

    const log = await deliveryLog(webhook.id, delivery.id);
    expect(log).toMatchObject({ status: 'exhausted', attemptCount: 3, nextAttemptAt: null });
    expect(log.reason).toEqual(expect.any(String));
    expect(log.attempts.map((attempt) => [attempt.number, attempt.statusCode])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
    ]);
    expectSameMessage(await receiver.waitForRequests(3), event.eventId, secret);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(receiver.requests).toHaveLength(3);
  });

  it('410 Gone: one attempt, the delivery ends with reason endpoint_gone, the webhook turns off (statusReason endpoint_gone) and gets nothing more', async () => {
    const receiver = await receiverFor(() => ({ status: 410, body: 'gone' }));
    const { webhook, secret } = await subscribe(receiver.url);
    receiver.addSecret(secret);
    const event = await changeFor(webhook);

    const delivery = await system.waitForDelivery(webhook.id, 'exhausted', {
      eventId: event.eventId,
    });

    expect(delivery.reason).toBe('endpoint_gone');
    const current = await system.api.http
      .get(`/v1/webhooks/${webhook.id}`)
      .set(bearer(owner.apiKey))
      .expect(200);
    expect(current.body).toMatchObject({ status: 'off', statusReason: 'endpoint_gone' });
    const later = await changeFor(webhook);
    await system.waitForDispatched([later.eventId]);
    expect(receiver.requests).toHaveLength(1);
    expect(
      (await system.deliveries(webhook.id)).filter((row) => row.status !== 'skipped'),
    ).toHaveLength(1);
    const list = await system.api.http
      .get(`/v1/webhooks/${webhook.id}/deliveries?status=exhausted`)
      .set(bearer(owner.apiKey))
      .expect(200);
    expect(listItems(list.body).map((item) => item.id)).toEqual([delivery.id]);
  });

  it('3xx is a failure and the redirect is not followed: the Location target sees no connection, the attempt is logged with 302, the retry succeeds', async () => {
    const sentinel = await startConnectionSentinel();
    try {
      const { log } = await failOnceThenSucceed({
        status: 302,
        headers: { location: `${sentinel.url}/elsewhere` },
      });

      expect(log.attempts[0]).toMatchObject({ number: 1, statusCode: 302 });
      expect(sentinel.connections).toBe(0);
    } finally {
      await sentinel.close();
    }
  });

  it('429 with Retry-After: 2 — the retry waits at least 2 s (longer than the 1 s schedule), same webhook-id and body', async () => {
    const { requests, log } = await failOnceThenSucceed({
      status: 429,
      headers: { 'retry-after': '2' },
    });

    expect(requests[1].receivedAt - requests[0].receivedAt).toBeGreaterThanOrEqual(1900);
    expect(log.attempts[0]).toMatchObject({ number: 1, statusCode: 429 });
  });

  it('a 200 KiB error body: the attempt keeps at most 64 KiB of it, and the retry still goes out', async () => {
    const big = 'x'.repeat(200 * 1024);
    const { log } = await failOnceThenSucceed({ status: 500, body: big });

    expect(log.attempts[0].statusCode).toBe(500);
    expect(Buffer.byteLength(log.attempts[0].responseBody)).toBeLessThanOrEqual(64 * 1024);
    expect(log.attempts[0].responseBody.length).toBeGreaterThan(0);
  });

  it('every request any receiver got verified with standardwebhooks against its webhook secret', () => {
    const all = receivers.flatMap((receiver) => receiver.requests);
    expect(all.length).toBeGreaterThan(0);
    expect(all.filter((request) => !request.verified).map(describeRequest)).toEqual([]);
  });
});
