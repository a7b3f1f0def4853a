import { DeliveriesProcessor } from './deliveries.processor';
import { DeliveryTestbed, waitFor } from './testing/delivery-testbed.test';
import { WebhookReceiver } from './testing/webhook-receiver.test';

describe(`${DeliveriesProcessor.name}: failing webhooks`, () => {
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

  const failingSince = async (webhookId: string): Promise<Date | undefined> => {
    const [row] = await bed.db.query<{ failing_since: Date }[]>(
      'SELECT failing_since FROM webhook_failures WHERE webhook_id = $1',
      [webhookId],
    );
    return row?.failing_since;
  };

  it('starts a failing run at the first failure, keeps its start, and ends it on success', async () => {
    receiver.respondWith((_, index) => (index < 2 ? { status: 503 } : { status: 200 }));
    const worker = await bed.startWorker({ retryScheduleSeconds: [0] });
    const webhook = await bed.newWebhook(receiver.url);

    const first = await bed.deliver(worker, webhook.id);
    expect(await bed.settled(first)).toMatchObject({ status: 'exhausted', reason: 'HTTP 503' });
    const since = await failingSince(webhook.id);
    expect(since).toBeInstanceOf(Date);
    // Recorded with the first failure, not moved by the second.
    const [one, two] = await bed.attempts(first);
    expect(since!.getTime()).toBeGreaterThanOrEqual(one.started_at.getTime());
    expect(since!.getTime()).toBeLessThanOrEqual(two.started_at.getTime());

    const second = await bed.deliver(worker, webhook.id);
    expect(await bed.settled(second)).toMatchObject({ status: 'succeeded' });
    expect(await failingSince(webhook.id)).toBeUndefined();
    expect(await bed.webhook(webhook.id)).toEqual({ status: 'on', status_reason: null });
  });

  it('turns the webhook off (failing) once it has failed for failingDisableAfterSeconds', async () => {
    receiver.respondWith(() => ({ status: 500 }));
    const worker = await bed.startWorker({
      retryScheduleSeconds: [0, 0],
      failingDisableAfterSeconds: 3600,
    });
    const webhook = await bed.newWebhook(receiver.url);
    // It has been failing for two hours already.
    await bed.db.query(
      `INSERT INTO webhook_failures (webhook_id, failing_since, last_failed_at)
       VALUES ($1, now() - interval '2 hours', now() - interval '1 minute')`,
      [webhook.id],
    );
    const deliveryId = await bed.deliver(worker, webhook.id);

    // The failing attempt turns it off; the retry then finds it off and skips the delivery.
    expect(await bed.settled(deliveryId)).toMatchObject({
      status: 'skipped',
      reason: 'webhook_off',
      attempt_count: 1,
    });
    expect(await bed.webhook(webhook.id)).toEqual({ status: 'off', status_reason: 'failing' });
    expect(receiver.requests).toHaveLength(1);
    const stream = await bed.store.readStream(`webhook-${webhook.id}`);
    expect(stream.at(-1)).toMatchObject({
      type: 'WebhookStatusChanged',
      data: { status: 'off', changedBy: 'system', reason: 'failing' },
    });
    // The run ended with it, so a webhook switched on again gets a whole new window.
    expect(await failingSince(webhook.id)).toBeUndefined();
    expect(worker.logs.join('\n')).toContain(`webhook turned off (failing)`);
  });

  it('keeps a webhook on while its failing run is shorter than the limit', async () => {
    receiver.respondWith(() => ({ status: 500 }));
    const worker = await bed.startWorker({
      retryScheduleSeconds: [0],
      failingDisableAfterSeconds: 3600,
    });
    const webhook = await bed.newWebhook(receiver.url);
    await bed.db.query(
      `INSERT INTO webhook_failures (webhook_id, failing_since, last_failed_at)
       VALUES ($1, now() - interval '59 minutes', now() - interval '1 minute')`,
      [webhook.id],
    );
    const deliveryId = await bed.deliver(worker, webhook.id);

    expect(await bed.settled(deliveryId)).toMatchObject({ status: 'exhausted' });
    expect(await bed.webhook(webhook.id)).toEqual({ status: 'on', status_reason: null });
    await waitFor('the run to be kept', async () => (await failingSince(webhook.id)) !== undefined);
  });
});
