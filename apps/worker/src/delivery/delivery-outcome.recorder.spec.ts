import type { SendWebhookResult } from '@herald/delivery';
import { newWebhookUpdated } from '@herald/domain/webhooks/testing/webhook-event-factories';
import { webhookStream } from '@herald/domain';
import type { PostgresEventStore, RecordedEvent } from '@herald/event-store';
import { DeliveryOutcomeRecorder } from './delivery-outcome.recorder';
import type { DeliveryTarget } from './delivery-target';
import { DeliveryTargetLoader } from './delivery-target.loader';
import { DeliveryTestbed } from './testing/delivery-testbed.test';

const answered = (statusCode: number): SendWebhookResult => ({
  outcome: statusCode < 300 ? 'succeeded' : 'failed',
  statusCode,
  error: null,
  durationMs: 12,
  responseBody: 'gone',
  retryAfterSeconds: null,
});

describe(DeliveryOutcomeRecorder.name, () => {
  let bed: DeliveryTestbed;
  let loader: DeliveryTargetLoader;

  beforeAll(async () => {
    bed = await DeliveryTestbed.create();
    loader = new DeliveryTargetLoader(bed.db);
  });
  afterAll(async () => {
    await bed.close();
  });

  const pendingDelivery = async (): Promise<{ target: DeliveryTarget; event: RecordedEvent }> => {
    const webhook = await bed.newWebhook('https://receiver.example/hook');
    const event = await bed.newEvent();
    const deliveryId = await bed.newDeliveryRow(event, webhook.id);
    return { target: (await loader.load(deliveryId))!, event };
  };

  it('records once and turns the webhook off even when its stream moved on meanwhile (ConcurrencyError, then again)', async () => {
    const { target, event } = await pendingDelivery();
    const webhookId = target.webhook!.id;
    let raced = false;
    // Another writer appends to the webhook's stream between the fold and the append.
    const racingStore = Object.create(bed.store) as PostgresEventStore;
    racingStore.appendInTransaction = async (...args) => {
      if (!raced) {
        raced = true;
        await bed.store.append(webhookStream(webhookId), [
          newWebhookUpdated({ webhookId, changes: { url: 'https://moved.example/hook' } }),
        ]);
      }
      return bed.store.appendInTransaction(...args);
    };
    const sut = new DeliveryOutcomeRecorder(bed.db, racingStore, bed.config());

    const outcome = await sut.recordAttempt(target, event, {
      startedAt: new Date(),
      result: answered(410),
      jobAttempt: 1,
    });

    expect(raced).toBe(true);
    expect(outcome).toEqual({
      kind: 'exhausted',
      reason: 'endpoint_gone',
      attemptNumber: 1,
      webhookTurnedOff: 'endpoint_gone',
    });
    expect(await bed.attempts(target.deliveryId)).toHaveLength(1);
    expect(await bed.webhook(webhookId)).toEqual({ status: 'off', status_reason: 'endpoint_gone' });
    const types = (await bed.store.readStream(webhookStream(webhookId))).map((e) => e.type);
    expect(types).toEqual(['WebhookSubscribed', 'WebhookUpdated', 'WebhookStatusChanged']);
  });

  it('logs an attempt whose round was replaced meanwhile, without touching the new round', async () => {
    const { target, event } = await pendingDelivery();
    await bed.db.query('UPDATE deliveries SET generation = 2 WHERE id = $1', [target.deliveryId]);
    const sut = new DeliveryOutcomeRecorder(bed.db, bed.store, bed.config());

    const outcome = await sut.recordAttempt(target, event, {
      startedAt: new Date(),
      result: answered(200),
      jobAttempt: 1,
    });

    expect(outcome).toEqual({ kind: 'superseded', attemptNumber: 1, webhookTurnedOff: null });
    expect(await bed.delivery(target.deliveryId)).toMatchObject({
      status: 'pending',
      generation: 2,
      attempt_count: 1,
    });
    expect(await bed.attempts(target.deliveryId)).toMatchObject([{ number: 1, status_code: 200 }]);
  });

  it('leaves an already-off webhook as it is on a 410 (no event)', async () => {
    const { target, event } = await pendingDelivery();
    const webhookId = target.webhook!.id;
    const sut = new DeliveryOutcomeRecorder(bed.db, bed.store, bed.config());
    await sut.recordAttempt(target, event, {
      startedAt: new Date(),
      result: answered(410),
      jobAttempt: 1,
    });
    const second = await pendingDelivery();
    const sameWebhook = { ...second.target, webhook: target.webhook };
    await bed.db.query('UPDATE deliveries SET webhook_id = $2 WHERE id = $1', [
      second.target.deliveryId,
      webhookId,
    ]);

    const outcome = await sut.recordAttempt(sameWebhook, second.event, {
      startedAt: new Date(),
      result: answered(410),
      jobAttempt: 1,
    });

    expect(outcome).toMatchObject({ kind: 'exhausted', webhookTurnedOff: null });
    const stream = await bed.store.readStream(webhookStream(webhookId));
    expect(stream.filter((e) => e.type === 'WebhookStatusChanged')).toHaveLength(1);
  });
});
