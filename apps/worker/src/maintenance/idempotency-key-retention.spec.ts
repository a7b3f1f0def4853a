import { randomUUID } from 'node:crypto';
import { createWorkerTestContext, type WorkerTestContext } from '../testing/worker-test-context';
import { IdempotencyKeyRetention } from './idempotency-key-retention';
import { MaintenanceModule } from './maintenance.module';

describe(IdempotencyKeyRetention.name, () => {
  let context: WorkerTestContext;
  let sut: IdempotencyKeyRetention;

  beforeAll(async () => {
    context = await createWorkerTestContext({ imports: [MaintenanceModule] });
    sut = context.module.get(IdempotencyKeyRetention);
  });
  afterAll(() => context.close());

  async function remember(key: string, ageHours: number): Promise<void> {
    await context.db.query(
      `INSERT INTO idempotency_keys (user_id, key, request_hash, response, created_at)
       VALUES ($1, $2, 'hash', '{}'::jsonb, now() - make_interval(hours => $3))`,
      [randomUUID(), key, ageHours],
    );
  }

  it('forgets keys older than 24 hours and keeps the younger ones', async () => {
    await remember('old-1', 25);
    await remember('old-2', 48);
    await remember('young', 23);

    await expect(sut.sweepOnce()).resolves.toBe(2);
    const left: { key: string }[] = await context.db.query(`SELECT key FROM idempotency_keys`);
    expect(left.map((row) => row.key)).toEqual(['young']);
    await expect(sut.sweepOnce()).resolves.toBe(0);
  });
});
