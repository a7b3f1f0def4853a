import { randomUUID } from 'node:crypto';
import { recordSucceededAttempts, type SucceededAttempt } from './record-successes';
import { DeliveryTestbed } from './testing/delivery-testbed.test';

describe(recordSucceededAttempts.name, () => {
  let bed: DeliveryTestbed;

  beforeAll(async () => {
    bed = await DeliveryTestbed.create();
  });
  afterAll(async () => {
    await bed.close();
  });

  const pending = async (webhookId: string): Promise<string> =>
    bed.newDeliveryRow(await bed.newEvent(), webhookId);

  const success = (
    deliveryId: string,
    webhookId: string | null,
    overrides: Partial<SucceededAttempt> = {},
  ): SucceededAttempt => ({
    deliveryId,
    generation: 1,
    webhookId,
    startedAt: new Date('2026-11-26T10:00:00.000Z'),
    durationMs: 7,
    statusCode: 204,
    responseBody: 'ok',
    ...overrides,
  });

  it('records a batch in one statement: each row succeeded, each attempt logged, failing runs ended', async () => {
    const webhook = await bed.newWebhook('https://receiver.example/batch');
    await bed.db.query(
      `INSERT INTO webhook_failures (webhook_id, failing_since, last_failed_at) VALUES ($1, now(), now())`,
      [webhook.id],
    );
    const ids = await Promise.all(Array.from({ length: 25 }, () => pending(webhook.id)));

    const recorded = await recordSucceededAttempts(
      bed.db,
      ids.map((id) => success(id, webhook.id)),
    );

    expect(recorded).toEqual(ids.map(() => ({ attemptNumber: 1, current: true })));
    for (const id of ids) {
      expect(await bed.delivery(id)).toMatchObject({
        status: 'succeeded',
        attempt_count: 1,
        next_attempt_at: null,
      });
      expect(await bed.attempts(id)).toMatchObject([
        { number: 1, status_code: 204, duration_ms: 7, error: null, response_body: 'ok' },
      ]);
    }
    const failures = await bed.db.query('SELECT 1 FROM webhook_failures WHERE webhook_id = $1', [
      webhook.id,
    ]);
    expect(failures).toHaveLength(0);
  });

  it('logs an attempt of a round that moved on, or of a row already finished, without touching the row', async () => {
    const webhook = await bed.newWebhook('https://receiver.example/moved');
    const redelivered = await pending(webhook.id);
    await bed.db.query(`UPDATE deliveries SET generation = 2 WHERE id = $1`, [redelivered]);
    const finished = await pending(webhook.id);
    await recordSucceededAttempts(bed.db, [success(finished, webhook.id)]);

    const recorded = await recordSucceededAttempts(bed.db, [
      success(redelivered, webhook.id),
      success(finished, webhook.id),
    ]);

    expect(recorded).toEqual([
      { attemptNumber: 1, current: false },
      { attemptNumber: 2, current: false },
    ]);
    expect(await bed.delivery(redelivered)).toMatchObject({ status: 'pending', generation: 2 });
    expect(await bed.delivery(finished)).toMatchObject({ status: 'succeeded', attempt_count: 2 });
    expect(await bed.attempts(finished)).toHaveLength(2);
  });

  it('answers an Error for a missing row and still records the others', async () => {
    const webhook = await bed.newWebhook('https://receiver.example/missing');
    const id = await pending(webhook.id);
    const missing = randomUUID();

    const recorded = await recordSucceededAttempts(bed.db, [
      success(missing, webhook.id),
      success(id, null),
    ]);

    expect(recorded[0]).toEqual(new Error(`Delivery ${missing} no longer exists`));
    expect(recorded[1]).toEqual({ attemptNumber: 1, current: true });
  });

  it('records each attempt on its own when PostgreSQL refuses the batch, so one cannot fail the others', async () => {
    const webhook = await bed.newWebhook('https://receiver.example/poison');
    const good = await pending(webhook.id);
    const poisoned = await pending(webhook.id);
    await bed.db.query(`
      CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.response_body = 'poison' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER refuse_poison BEFORE INSERT ON delivery_attempts
        FOR EACH ROW EXECUTE FUNCTION refuse_poison();`);
    try {
      const recorded = await recordSucceededAttempts(bed.db, [
        success(good, webhook.id),
        success(poisoned, webhook.id, { responseBody: 'poison' }),
      ]);

      expect(recorded[0]).toEqual({ attemptNumber: 1, current: true });
      expect(recorded[1]).toBeInstanceOf(Error);
      expect(await bed.delivery(good)).toMatchObject({ status: 'succeeded' });
      expect(await bed.delivery(poisoned)).toMatchObject({ status: 'pending', attempt_count: 0 });
    } finally {
      await bed.db.query('DROP TRIGGER refuse_poison ON delivery_attempts');
    }
  });

  it('numbers two attempts of one delivery in one batch 1 and 2', async () => {
    const webhook = await bed.newWebhook('https://receiver.example/twice');
    const id = await pending(webhook.id);

    const recorded = await recordSucceededAttempts(bed.db, [
      success(id, webhook.id, { statusCode: 200 }),
      success(id, webhook.id, { statusCode: 201 }),
    ]);

    expect(recorded).toEqual([
      { attemptNumber: 1, current: true },
      { attemptNumber: 2, current: false },
    ]);
    expect((await bed.attempts(id)).map((a) => a.status_code)).toEqual([200, 201]);
  });

  it('sees a redeliver that commits while it waits for the row lock (never succeeds the new round)', async () => {
    const webhook = await bed.newWebhook('https://receiver.example/race');
    const id = await pending(webhook.id);
    const redeliver = bed.db.createQueryRunner();
    await redeliver.connect();
    try {
      await redeliver.startTransaction();
      await redeliver.query(
        `UPDATE deliveries SET generation = generation + 1, round_attempts = 0 WHERE id = $1`,
        [id],
      );
      const recording = recordSucceededAttempts(bed.db, [success(id, webhook.id)]);
      await waitForLockWait(bed);
      await redeliver.commitTransaction();

      expect(await recording).toEqual([{ attemptNumber: 1, current: false }]);
    } finally {
      await redeliver.release();
    }
    expect(await bed.delivery(id)).toMatchObject({
      status: 'pending',
      generation: 2,
      attempt_count: 1,
    });
  });

  it('keeps every attempt of concurrent batches over the same rows, numbered without gaps', async () => {
    const webhook = await bed.newWebhook('https://receiver.example/concurrent');
    const ids = await Promise.all(Array.from({ length: 10 }, () => pending(webhook.id)));

    await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        recordSucceededAttempts(
          bed.db,
          (n % 2 === 0 ? ids : [...ids].reverse()).map((id) => success(id, webhook.id)),
        ),
      ),
    );

    for (const id of ids) {
      expect((await bed.attempts(id)).map((a) => a.number)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(await bed.delivery(id)).toMatchObject({ status: 'succeeded', attempt_count: 6 });
    }
  });
});

/** Until some session waits on a row lock (the statement under test, blocked by the test's). */
async function waitForLockWait(bed: DeliveryTestbed): Promise<void> {
  for (let tries = 0; tries < 200; tries += 1) {
    const rows = await bed.db.query(
      `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the statement never waited for the row lock');
}
