import type { SendWebhookResult } from '@herald/delivery';
import { newWebhookUpdated } from '@herald/domain/webhooks/testing/webhook-event-factories';
import { webhookStream } from '@herald/domain';
import type { PostgresEventStore, RecordedEvent } from '@herald/event-store';
import { DeliveryOutcomeRecorder } from './delivery-outcome.recorder';
import { WebhookShutoffRunner } from './webhook-shutoff.runner';
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

  const recorderWith = (store: PostgresEventStore, config = bed.config()) =>
    new DeliveryOutcomeRecorder(bed.db, config, new WebhookShutoffRunner(bed.db, store));

  const pendingDelivery = async (): Promise<{ target: DeliveryTarget; event: RecordedEvent }> => {
    const webhook = await bed.newWebhook('https://receiver.example/hook');
    const event = await bed.newEvent();
    const deliveryId = await bed.newDeliveryRow(event, webhook.id);
    return { target: (await loader.load(deliveryId))!, event };
  };

  it('records once and turns the webhook off even when its stream moved on meanwhile (ConcurrencyError, then again)', async () => {
    const { target } = await pendingDelivery();
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
    const sut = recorderWith(racingStore);

    const outcome = await sut.recordAttempt(target, {
      startedAt: new Date(),
      result: answered(410),
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
    const { target } = await pendingDelivery();
    await bed.db.query('UPDATE deliveries SET generation = 2 WHERE id = $1', [target.deliveryId]);
    const sut = recorderWith(bed.store);

    const outcome = await sut.recordAttempt(target, {
      startedAt: new Date(),
      result: answered(200),
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
    const { target } = await pendingDelivery();
    const webhookId = target.webhook!.id;
    const sut = recorderWith(bed.store);
    await sut.recordAttempt(target, {
      startedAt: new Date(),
      result: answered(410),
    });
    const second = await pendingDelivery();
    const sameWebhook = { ...second.target, webhook: target.webhook };
    await bed.db.query('UPDATE deliveries SET webhook_id = $2 WHERE id = $1', [
      second.target.deliveryId,
      webhookId,
    ]);

    const outcome = await sut.recordAttempt(sameWebhook, {
      startedAt: new Date(),
      result: answered(410),
    });

    expect(outcome).toMatchObject({ kind: 'exhausted', webhookTurnedOff: null });
    const stream = await bed.store.readStream(webhookStream(webhookId));
    expect(stream.filter((e) => e.type === 'WebhookStatusChanged')).toHaveLength(1);
  });

  /** A webhook store whose appends race another writer the first `times` times. */
  const racing = (webhookId: string, times: number) => {
    let raced = 0;
    const store = Object.create(bed.store) as PostgresEventStore;
    store.appendInTransaction = async (...args) => {
      if (raced < times) {
        raced += 1;
        await bed.store.append(webhookStream(webhookId), [
          newWebhookUpdated({ webhookId, changes: { url: `https://moved-${raced}.example/hook` } }),
        ]);
      }
      return bed.store.appendInTransaction(...args);
    };
    return store;
  };

  it('commits the attempt before turning the webhook off, and retries the turn-off on its own', async () => {
    const { target } = await pendingDelivery();
    const webhookId = target.webhook!.id;
    const sut = recorderWith(racing(webhookId, 3));

    const outcome = await sut.recordAttempt(target, {
      startedAt: new Date(),
      result: answered(410),
    });

    expect(outcome).toMatchObject({ kind: 'exhausted', webhookTurnedOff: 'endpoint_gone' });
    expect(await bed.attempts(target.deliveryId)).toHaveLength(1);
    expect(await bed.webhook(webhookId)).toEqual({ status: 'off', status_reason: 'endpoint_gone' });
  });

  it('keeps the attempt recorded when the turn-off never succeeds (no second send)', async () => {
    const { target } = await pendingDelivery();
    const webhookId = target.webhook!.id;
    const sut = recorderWith(racing(webhookId, 1000));

    const outcome = await sut.recordAttempt(target, {
      startedAt: new Date(),
      result: answered(410),
    });

    expect(outcome).toMatchObject({
      kind: 'exhausted',
      reason: 'endpoint_gone',
      webhookTurnedOff: null,
    });
    expect(await bed.attempts(target.deliveryId)).toMatchObject([{ number: 1, status_code: 410 }]);
    expect(await bed.delivery(target.deliveryId)).toMatchObject({
      status: 'exhausted',
      reason: 'endpoint_gone',
      attempt_count: 1,
    });
    expect(await bed.webhook(webhookId)).toMatchObject({ status: 'on' });
  });

  it('takes the schedule position from round_attempts in PostgreSQL, not from the job', async () => {
    const { target } = await pendingDelivery();
    // Two attempts already made in this round; the job was then re-created (Redis lost it).
    await bed.db.query(
      'UPDATE deliveries SET attempt_count = 2, round_attempts = 2 WHERE id = $1',
      [target.deliveryId],
    );
    const sut = recorderWith(bed.store, bed.config({ retryScheduleSeconds: [0, 0] }));

    const outcome = await sut.recordAttempt(target, {
      startedAt: new Date(),
      result: answered(500),
    });

    expect(outcome).toMatchObject({ kind: 'exhausted', reason: 'HTTP 500', attemptNumber: 3 });
    const [row] = await bed.db.query('SELECT round_attempts FROM deliveries WHERE id = $1', [
      target.deliveryId,
    ]);
    expect(row.round_attempts).toBe(3);
  });

  it('counts round_attempts per round: a retry advances it, a superseded attempt leaves it alone', async () => {
    const { target } = await pendingDelivery();
    const sut = recorderWith(bed.store, bed.config({ retryScheduleSeconds: [0, 0] }));
    await sut.recordAttempt(target, { startedAt: new Date(), result: answered(500) });
    const roundAttempts = async () =>
      (
        await bed.db.query('SELECT round_attempts FROM deliveries WHERE id = $1', [
          target.deliveryId,
        ])
      )[0].round_attempts;
    expect(await roundAttempts()).toBe(1);
    // A redeliver starts round 2 (as the API does it).
    await bed.db.query(
      'UPDATE deliveries SET generation = generation + 1, round_attempts = 0 WHERE id = $1',
      [target.deliveryId],
    );

    const outcome = await sut.recordAttempt(target, {
      startedAt: new Date(),
      result: answered(500),
    });

    expect(outcome).toMatchObject({ kind: 'superseded', attemptNumber: 2 });
    expect(await roundAttempts()).toBe(0);
  });

  describe('failing runs', () => {
    const run = async (webhookId: string) =>
      (
        await bed.db.query<{ failing_since: Date; last_failed_at: Date }[]>(
          'SELECT failing_since, last_failed_at FROM webhook_failures WHERE webhook_id = $1',
          [webhookId],
        )
      )[0];
    const config = () =>
      bed.config({ retryScheduleSeconds: [0], failingDisableAfterSeconds: 3600 });

    it('starts a new run for a failure after an idle gap longer than the schedule allows', async () => {
      const { target } = await pendingDelivery();
      const webhookId = target.webhook!.id;
      // An exhausted delivery failed for a while three days ago; nothing failed since.
      await bed.db.query(
        `INSERT INTO webhook_failures (webhook_id, failing_since, last_failed_at)
         VALUES ($1, now() - interval '3 days', now() - interval '3 days' + interval '10 minutes')`,
        [webhookId],
      );
      const before = Date.now();

      const outcome = await recorderWith(bed.store, config()).recordAttempt(target, {
        startedAt: new Date(),
        result: answered(503),
      });

      expect(outcome).toMatchObject({ kind: 'retry', webhookTurnedOff: null });
      expect(await bed.webhook(webhookId)).toEqual({ status: 'on', status_reason: null });
      const { failing_since: since, last_failed_at: last } = await run(webhookId);
      expect(since.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(last.getTime()).toBe(since.getTime());
    });

    it('continues a run whose last failure is recent, and turns the webhook off once it is long enough', async () => {
      const { target } = await pendingDelivery();
      const webhookId = target.webhook!.id;
      await bed.db.query(
        `INSERT INTO webhook_failures (webhook_id, failing_since, last_failed_at)
         VALUES ($1, now() - interval '2 hours', now() - interval '5 minutes')`,
        [webhookId],
      );

      const outcome = await recorderWith(bed.store, config()).recordAttempt(target, {
        startedAt: new Date(),
        result: answered(503),
      });

      expect(outcome).toMatchObject({ kind: 'retry', webhookTurnedOff: 'failing' });
      expect(await bed.webhook(webhookId)).toEqual({ status: 'off', status_reason: 'failing' });
      expect(await run(webhookId)).toBeUndefined();
      expect(await bed.attempts(target.deliveryId)).toHaveLength(1);
    });
  });
});
