import { webhookRequestBody } from '@herald/domain';
import { newWebhookSecretRotated } from '@herald/domain/webhooks/testing/webhook-event-factories';
import { generateWebhookSecret } from '@herald/delivery';
import { WebhookVerificationError } from 'standardwebhooks';
import { DeliveriesProcessor } from './deliveries.processor';
import { DeliveryTestbed, waitFor } from './testing/delivery-testbed.test';
import { WebhookReceiver, verifyWith } from './testing/webhook-receiver.test';

describe(DeliveriesProcessor.name, () => {
  let bed: DeliveryTestbed;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    bed = await DeliveryTestbed.create();
  });
  afterAll(async () => {
    await bed.close();
  });
  beforeEach(async () => {
    receiver = await WebhookReceiver.start();
  });
  afterEach(async () => {
    await bed.stopWorkers();
    await receiver.close();
  });

  it('sends the event signed (Standard Webhooks) with its deterministic body and records success', async () => {
    const worker = await bed.startWorker();
    const webhook = await bed.newWebhook(receiver.url);
    const event = await bed.newEvent();
    const deliveryId = await bed.newDeliveryRow(event, webhook.id);
    await bed.enqueue(worker, deliveryId, 1);

    const delivery = await bed.settled(deliveryId);

    expect(delivery).toMatchObject({
      status: 'succeeded',
      attempt_count: 1,
      next_attempt_at: null,
    });
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request.body).toBe(webhookRequestBody(event));
    expect(verifyWith(webhook.secret, request)).toEqual(JSON.parse(webhookRequestBody(event)));
    expect(request.headers).toMatchObject({
      'webhook-id': event.id,
      'content-type': 'application/json',
      'user-agent': expect.stringMatching(/^Herald\/\d+\.\d+\.\d+/),
    });
    expect(Number(request.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -1);
    const [attempt] = await bed.attempts(deliveryId);
    expect(attempt).toMatchObject({ number: 1, status_code: 200, error: null });
    await waitFor('the job to complete', async () =>
      (await bed.jobState(worker, deliveryId)) === 'completed' ? true : undefined,
    );
  });

  it('500 then 200: two attempts with the same webhook-id and body, then succeeded', async () => {
    receiver.respondWith((_, index) =>
      index === 0 ? { status: 500, body: 'boom' } : { status: 204 },
    );
    const worker = await bed.startWorker();
    const webhook = await bed.newWebhook(receiver.url);
    const deliveryId = await bed.deliver(worker, webhook.id);

    const delivery = await bed.settled(deliveryId);

    expect(delivery).toMatchObject({ status: 'succeeded', attempt_count: 2, reason: null });
    expect(receiver.requests).toHaveLength(2);
    const [first, second] = receiver.requests;
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(second.body).toBe(first.body);
    for (const request of receiver.requests)
      expect(() => verifyWith(webhook.secret, request)).not.toThrow();
    const attempts = await bed.attempts(deliveryId);
    expect(attempts).toMatchObject([
      { number: 1, status_code: 500, error: null, response_body: 'boom' },
      { number: 2, status_code: 204, error: null },
    ]);
  });

  it('exhausts the delivery after the schedule (0,0: three attempts), every attempt recorded', async () => {
    receiver.respondWith(() => ({ status: 500 }));
    const worker = await bed.startWorker();
    const webhook = await bed.newWebhook(receiver.url);
    const deliveryId = await bed.deliver(worker, webhook.id);

    const delivery = await bed.settled(deliveryId);

    expect(delivery).toMatchObject({
      status: 'exhausted',
      reason: 'HTTP 500',
      attempt_count: 3,
      next_attempt_at: null,
    });
    expect((await bed.attempts(deliveryId)).map((attempt) => attempt.number)).toEqual([1, 2, 3]);
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((request) => request.body)).size).toBe(1);
    await waitFor('the job to complete', async () =>
      (await bed.jobState(worker, deliveryId)) === 'completed' ? true : undefined,
    );
  });

  it('410 Gone: the delivery is exhausted (endpoint_gone) and the webhook turned off through its stream', async () => {
    receiver.respondWith(() => ({ status: 410 }));
    const worker = await bed.startWorker();
    const webhook = await bed.newWebhook(receiver.url);
    const deliveryId = await bed.deliver(worker, webhook.id);

    const delivery = await bed.settled(deliveryId);

    expect(delivery).toMatchObject({
      status: 'exhausted',
      reason: 'endpoint_gone',
      attempt_count: 1,
    });
    expect(await bed.webhook(webhook.id)).toEqual({
      status: 'off',
      status_reason: 'endpoint_gone',
    });
    const stream = await bed.store.readStream(`webhook-${webhook.id}`);
    expect(stream.at(-1)).toMatchObject({
      type: 'WebhookStatusChanged',
      data: { webhookId: webhook.id, status: 'off', changedBy: 'system', reason: 'endpoint_gone' },
      metadata: { actorId: 'system', deliveryId },
    });

    // Turned off: the next delivery to it is skipped, nothing sent.
    const next = await bed.deliver(worker, webhook.id);
    expect(await bed.settled(next)).toMatchObject({ status: 'skipped', reason: 'webhook_off' });
    expect(receiver.requests).toHaveLength(1);
  });

  it('429 with Retry-After: the attempt is recorded and the retry waits at least that long', async () => {
    receiver.respondWith((_, index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    const worker = await bed.startWorker();
    const webhook = await bed.newWebhook(receiver.url);
    const deliveryId = await bed.deliver(worker, webhook.id);

    const pending = await waitFor('the first attempt', async () => {
      const row = await bed.delivery(deliveryId);
      return row.attempt_count === 1 ? row : undefined;
    });
    const [first] = await bed.attempts(deliveryId);
    expect(first).toMatchObject({ number: 1, status_code: 429 });
    expect(pending.status).toBe('pending');
    const firstEnded = first.started_at.getTime() + first.duration_ms;
    expect(pending.next_attempt_at!.getTime() - firstEnded).toBeGreaterThanOrEqual(990);

    expect(await bed.settled(deliveryId)).toMatchObject({ status: 'succeeded', attempt_count: 2 });
    const [one, two] = receiver.requests;
    expect(two.receivedAt - one.receivedAt).toBeGreaterThanOrEqual(1000);
  });

  it('cuts an attempt off at the deadline and records it as a timeout', async () => {
    receiver.respondWith(() => 'hang');
    const worker = await bed.startWorker({ deliveryTimeoutMs: 300, retryScheduleSeconds: [0] });
    const webhook = await bed.newWebhook(receiver.url);
    const deliveryId = await bed.deliver(worker, webhook.id);

    const delivery = await bed.settled(deliveryId);

    expect(delivery).toMatchObject({ status: 'exhausted', reason: 'timeout', attempt_count: 2 });
    const attempts = await bed.attempts(deliveryId);
    for (const attempt of attempts) {
      expect(attempt).toMatchObject({ status_code: null, error: 'timeout' });
      expect(attempt.duration_ms).toBeGreaterThanOrEqual(280);
      expect(attempt.duration_ms).toBeLessThan(2000);
    }
  });

  it('gives a redelivered delivery the whole schedule again, numbering its attempts on', async () => {
    receiver.respondWith(() => ({ status: 500 }));
    const worker = await bed.startWorker({ retryScheduleSeconds: [0] });
    const webhook = await bed.newWebhook(receiver.url);
    const deliveryId = await bed.deliver(worker, webhook.id);
    expect(await bed.settled(deliveryId)).toMatchObject({ status: 'exhausted', attempt_count: 2 });

    // What the API's redeliver does: a new round (generation) and its job.
    await bed.db.query(
      `UPDATE deliveries SET status = 'pending', reason = NULL, generation = generation + 1,
              round_attempts = 0, next_attempt_at = now(), updated_at = now() WHERE id = $1`,
      [deliveryId],
    );
    await bed.enqueue(worker, deliveryId, 2);

    expect(await bed.settled(deliveryId, ['exhausted'])).toBeDefined();
    await waitFor('the second round to end', async () =>
      (await bed.delivery(deliveryId)).attempt_count === 4 ? true : undefined,
    );
    expect(await bed.delivery(deliveryId)).toMatchObject({ status: 'exhausted', generation: 2 });
    expect((await bed.attempts(deliveryId)).map((attempt) => attempt.number)).toEqual([1, 2, 3, 4]);
    expect(new Set(receiver.requests.map((request) => request.headers['webhook-id'])).size).toBe(1);
  });

  it('defers a job that starts well before the row is due, without counting an attempt', async () => {
    const worker = await bed.startWorker();
    const webhook = await bed.newWebhook(receiver.url);
    const deliveryId = await bed.newDeliveryRow(await bed.newEvent(), webhook.id);
    await bed.db.query(
      `UPDATE deliveries SET next_attempt_at = now() + interval '2 seconds' WHERE id = $1`,
      [deliveryId],
    );
    const enqueued = Date.now();
    await bed.enqueue(worker, deliveryId, 1);

    expect(await bed.settled(deliveryId)).toMatchObject({ status: 'succeeded', attempt_count: 1 });
    expect(receiver.requests[0].receivedAt - enqueued).toBeGreaterThanOrEqual(1900);
    const job = await worker.queue.getJob(`delivery-${deliveryId}-1`);
    // Started twice, counted once (the completion): the deferral was no attempt.
    expect(job).toMatchObject({ attemptsStarted: 2, attemptsMade: 1 });
  });

  describe('during a secret rotation', () => {
    it('signs with both secrets while the previous one is valid; each verifies alone', async () => {
      const worker = await bed.startWorker();
      const webhook = await bed.newWebhook(receiver.url);
      const next = generateWebhookSecret();
      await bed.appendToWebhook(webhook.id, [
        newWebhookSecretRotated({
          webhookId: webhook.id,
          secretRef: bed.seal(next, webhook.id),
          previousSecretRef: bed.seal(webhook.secret, webhook.id),
          previousValidUntil: new Date(Date.now() + 3600_000).toISOString(),
        }),
      ]);
      const deliveryId = await bed.deliver(worker, webhook.id);

      await bed.settled(deliveryId);

      const [request] = receiver.requests;
      expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(() => verifyWith(next, request)).not.toThrow();
      expect(() => verifyWith(webhook.secret, request)).not.toThrow();
      expect(() => verifyWith(generateWebhookSecret(), request)).toThrow(WebhookVerificationError);
    });

    it('signs with the new secret only once the overlap has ended', async () => {
      const worker = await bed.startWorker();
      const webhook = await bed.newWebhook(receiver.url);
      const next = generateWebhookSecret();
      await bed.appendToWebhook(webhook.id, [
        newWebhookSecretRotated({
          webhookId: webhook.id,
          secretRef: bed.seal(next, webhook.id),
          previousSecretRef: bed.seal(webhook.secret, webhook.id),
          previousValidUntil: new Date(Date.now() - 1000).toISOString(),
        }),
      ]);
      const deliveryId = await bed.deliver(worker, webhook.id);

      await bed.settled(deliveryId);

      const [request] = receiver.requests;
      expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(1);
      expect(() => verifyWith(next, request)).not.toThrow();
      expect(() => verifyWith(webhook.secret, request)).toThrow(WebhookVerificationError);
    });
  });
});
