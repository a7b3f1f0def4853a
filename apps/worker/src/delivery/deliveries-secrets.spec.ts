import { testRedisUrl } from '@herald/testing/test-database';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { DeliveriesProcessor, EVENT_NOT_FOUND, SECRET_UNREADABLE } from './deliveries.processor';
import { DeliveryTestbed, waitFor, type DeliveryWorker } from './testing/delivery-testbed.test';
import { WebhookReceiver } from './testing/webhook-receiver.test';

/** Every value stored under the worker's Redis prefix, as text. */
async function redisText(worker: DeliveryWorker): Promise<string> {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  try {
    const keys = await redis.keys(`${worker.config.redisPrefix}:*`);
    const values = await Promise.all(
      keys.map(async (key) => {
        const type = await redis.type(key);
        if (type === 'hash') return JSON.stringify(await redis.hgetall(key));
        if (type === 'string') return (await redis.get(key)) ?? '';
        if (type === 'list') return JSON.stringify(await redis.lrange(key, 0, -1));
        if (type === 'zset') return JSON.stringify(await redis.zrange(key, 0, -1));
        if (type === 'stream') return JSON.stringify(await redis.xrange(key, '-', '+'));
        return '';
      }),
    );
    return `${keys.join('\n')}\n${values.join('\n')}`;
  } finally {
    redis.disconnect();
  }
}

describe(`${DeliveriesProcessor.name}: secrets`, () => {
  let bed: DeliveryTestbed;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    bed = await DeliveryTestbed.create();
    receiver = await WebhookReceiver.start(() => ({ status: 500, body: 'nope' }));
  });
  afterAll(async () => {
    await bed.close();
    await receiver.close();
  });

  it('keeps secrets (plaintext, key bytes, sealed box) out of job data, Redis, errors and logs', async () => {
    const worker = await bed.startWorker({ retryScheduleSeconds: [0] });
    const webhook = await bed.newWebhook(receiver.url);
    const deliveryId = await bed.deliver(worker, webhook.id);

    expect(await bed.settled(deliveryId)).toMatchObject({ status: 'exhausted', attempt_count: 2 });
    const job = await worker.queue.getJob(`delivery-${deliveryId}-1`);
    expect(job?.data).toEqual({ deliveryId, generation: 1 });

    const [{ secret_ref: secretRef }] = await bed.db.query(
      'SELECT secret_ref FROM webhooks WHERE id = $1',
      [webhook.id],
    );
    const stored = await redisText(worker);
    const logs = worker.logs.join('\n');
    expect(stored).toContain('HTTP 500'); // the failed try's reason is there…
    expect(logs).toContain(deliveryId);
    for (const leak of [webhook.secret, webhook.secret.slice('whsec_'.length), secretRef]) {
      expect(stored).not.toContain(leak); // …but no secret
      expect(logs).not.toContain(leak);
    }
    expect(logs).not.toContain(receiver.url);
  });

  it('sends nothing when the secret cannot be opened: records one attempt with the error and exhausts the delivery, no retry', async () => {
    const worker = await bed.startWorker();
    const webhook = await bed.newWebhook(receiver.url);
    // A box sealed for another webhook does not open for this one (as after a key change).
    await bed.db.query('UPDATE webhooks SET secret_ref = $2 WHERE id = $1', [
      webhook.id,
      bed.seal(webhook.secret, '00000000-0000-4000-8000-000000000000'),
    ]);
    const before = receiver.requests.length;
    const deliveryId = await bed.deliver(worker, webhook.id);

    expect(await bed.settled(deliveryId)).toMatchObject({
      status: 'exhausted',
      reason: SECRET_UNREADABLE,
      attempt_count: 1,
    });
    expect(await bed.attempts(deliveryId)).toMatchObject([
      { number: 1, status_code: null, error: SECRET_UNREADABLE },
    ]);
    await waitFor('the job to complete', async () =>
      (await bed.jobState(worker, deliveryId)) === 'completed' ? true : undefined,
    );
    expect(receiver.requests.length).toBe(before);
    const logs = worker.logs.join('\n');
    expect(logs).toContain(`exhausted (${SECRET_UNREADABLE})`);
    expect(logs).not.toContain(webhook.secret.slice('whsec_'.length));
  });

  it('exhausts a delivery whose event is missing, with one attempt recorded and nothing sent', async () => {
    const worker = await bed.startWorker();
    const webhook = await bed.newWebhook(receiver.url);
    const before = receiver.requests.length;
    const deliveryId = randomUUID();
    // The foreign key forbids it; only a replica-role session can write such a row.
    await bed.db.transaction(async (tx) => {
      await tx.query(`SET LOCAL session_replication_role = replica`);
      await tx.query(
        `INSERT INTO deliveries (id, event_id, webhook_id, type, status, next_attempt_at)
         VALUES ($1, $2, $3, 'Contact.Update', 'pending', now())`,
        [deliveryId, randomUUID(), webhook.id],
      );
    });
    await bed.enqueue(worker, deliveryId, 1);

    expect(await bed.settled(deliveryId)).toMatchObject({
      status: 'exhausted',
      reason: EVENT_NOT_FOUND,
      attempt_count: 1,
    });
    expect(await bed.attempts(deliveryId)).toMatchObject([{ number: 1, error: EVENT_NOT_FOUND }]);
    await waitFor('the job to complete', async () =>
      (await bed.jobState(worker, deliveryId)) === 'completed' ? true : undefined,
    );
    expect(receiver.requests.length).toBe(before);
  });
});
