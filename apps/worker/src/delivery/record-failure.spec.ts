import { randomUUID } from 'node:crypto';
import type { AttemptVerdict } from './attempt-verdict';
import { recordFailedAttempt, type UnsuccessfulAttempt } from './record-failure';
import { DeliveryTestbed } from './testing/delivery-testbed.test';

describe(recordFailedAttempt.name, () => {
  let bed: DeliveryTestbed;

  beforeAll(async () => {
    bed = await DeliveryTestbed.create();
  });
  afterAll(async () => {
    await bed.close();
  });

  const now = new Date('2026-11-26T12:00:00.000Z');
  const retry = (delayMs: number): AttemptVerdict => ({
    kind: 'retry',
    failure: 'HTTP 503',
    delayMs,
  });
  const exhausted: AttemptVerdict = { kind: 'exhausted', failure: 'HTTP 503' };

  const failure = (
    deliveryId: string,
    overrides: Partial<UnsuccessfulAttempt> = {},
  ): UnsuccessfulAttempt => ({
    deliveryId,
    generation: 1,
    startedAt: now,
    durationMs: 9,
    statusCode: 503,
    error: null,
    responseBody: 'busy',
    verdicts: [retry(1000), retry(2000), exhausted],
    failingRun: null,
    now,
    ...overrides,
  });

  const pending = async (): Promise<{ id: string; webhookId: string }> => {
    const webhook = await bed.newWebhook('https://receiver.example/failing');
    return {
      id: await bed.newDeliveryRow(await bed.newEvent(), webhook.id),
      webhookId: webhook.id,
    };
  };

  it('applies the verdict of the attempt’s position in its round, then ends the round past the schedule', async () => {
    const { id } = await pending();

    const first = await recordFailedAttempt(bed.db, failure(id));
    expect(first).toEqual({ attemptNumber: 1, roundAttempt: 1, current: true, failingSince: null });
    expect(await bed.delivery(id)).toMatchObject({
      status: 'pending',
      next_attempt_at: new Date(now.getTime() + 1000),
    });

    await recordFailedAttempt(bed.db, failure(id));
    expect(await bed.delivery(id)).toMatchObject({
      status: 'pending',
      next_attempt_at: new Date(now.getTime() + 2000),
    });

    const third = await recordFailedAttempt(bed.db, failure(id));
    expect(third).toMatchObject({ attemptNumber: 3, roundAttempt: 3, current: true });
    expect(await bed.delivery(id)).toMatchObject({
      status: 'exhausted',
      reason: 'HTTP 503',
      next_attempt_at: null,
    });
    expect((await bed.attempts(id)).map((a) => [a.number, a.status_code])).toEqual([
      [1, 503],
      [2, 503],
      [3, 503],
    ]);
  });

  it('exhausts a round that is already past a (since shortened) schedule, with the last reason', async () => {
    const { id } = await pending();
    await bed.db.query('UPDATE deliveries SET round_attempts = 7 WHERE id = $1', [id]);

    const recorded = await recordFailedAttempt(bed.db, failure(id));

    expect(recorded).toMatchObject({ roundAttempt: 8, current: true });
    expect(await bed.delivery(id)).toMatchObject({ status: 'exhausted', reason: 'HTTP 503' });
  });

  it('logs an attempt of a round that moved on without touching the row, still counting it against the webhook', async () => {
    const { id, webhookId } = await pending();
    await bed.db.query('UPDATE deliveries SET generation = 2 WHERE id = $1', [id]);

    const recorded = await recordFailedAttempt(
      bed.db,
      failure(id, { failingRun: { webhookId, gapMs: 60_000 } }),
    );

    expect(recorded).toMatchObject({ attemptNumber: 1, current: false, failingSince: now });
    expect(await bed.delivery(id)).toMatchObject({ status: 'pending', generation: 2 });
  });

  it('ends the round on a 410 at any position, with reason endpoint_gone', async () => {
    const { id } = await pending();
    const gone: AttemptVerdict = { kind: 'gone' };

    await recordFailedAttempt(
      bed.db,
      failure(id, { statusCode: 410, verdicts: [gone, gone, gone] }),
    );

    expect(await bed.delivery(id)).toMatchObject({
      status: 'exhausted',
      reason: 'endpoint_gone',
      next_attempt_at: null,
    });
  });

  it('starts a failing run, keeps its start within the gap, and starts a new one after it', async () => {
    const { id, webhookId } = await pending();
    const at = (ms: number) => new Date(now.getTime() + ms);
    const run = { webhookId, gapMs: 60_000 };

    const first = await recordFailedAttempt(bed.db, failure(id, { failingRun: run }));
    const soon = await recordFailedAttempt(
      bed.db,
      failure(id, { failingRun: run, now: at(30_000) }),
    );
    const late = await recordFailedAttempt(
      bed.db,
      failure(id, { failingRun: run, now: at(200_000) }),
    );

    expect(first!.failingSince).toEqual(now);
    expect(soon!.failingSince).toEqual(now);
    expect(late!.failingSince).toEqual(at(200_000));
  });

  it('numbers concurrent attempts of one delivery without gaps, and answers null for a missing row', async () => {
    const { id } = await pending();

    await Promise.all(Array.from({ length: 8 }, () => recordFailedAttempt(bed.db, failure(id))));

    expect((await bed.attempts(id)).map((a) => a.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const webhook = await bed.newWebhook('https://receiver.example/missing');
    const missing = failure(randomUUID(), { failingRun: { webhookId: webhook.id, gapMs: 60_000 } });
    expect(await recordFailedAttempt(bed.db, missing)).toBeNull();
    // Nothing was recorded for it: not even the webhook's failing run.
    expect(
      await bed.db.query('SELECT 1 FROM webhook_failures WHERE webhook_id = $1', [webhook.id]),
    ).toEqual([]);
  });
});
