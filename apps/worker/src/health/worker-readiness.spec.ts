import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { READINESS_CHECK_TIMEOUT_MS, WorkerReadiness } from './worker-readiness';

describe(WorkerReadiness.name, () => {
  const healthyDb = {
    query: async () => [{ '?column?': 1 }],
    showMigrations: async () => false,
  } as unknown as DataSource;

  afterEach(() => jest.useRealTimers());

  it('is ready when PostgreSQL and Redis answer and no migration is pending', async () => {
    const sut = new WorkerReadiness(healthyDb, {
      status: 'ready',
      ping: async () => 'PONG',
    } as unknown as Redis);

    await expect(sut.check()).resolves.toEqual(expect.objectContaining({ ready: true }));
  });

  it('reports Redis down after the deadline when a PING never answers (Redis away, retrying forever)', async () => {
    jest.useFakeTimers();
    const hangingRedis = {
      status: 'ready',
      ping: () => new Promise<never>(() => undefined),
    } as unknown as Redis;
    const sut = new WorkerReadiness(healthyDb, hangingRedis);

    const report = sut.check();
    await jest.advanceTimersByTimeAsync(READINESS_CHECK_TIMEOUT_MS);

    await expect(report).resolves.toEqual({
      ready: false,
      checks: {
        postgres: { status: 'up' },
        redis: { status: 'down', error: `no answer within ${READINESS_CHECK_TIMEOUT_MS} ms` },
        migrations: { status: 'up' },
      },
    });
  });

  it('reports Redis down at once, without sending a PING, while it is not connected', async () => {
    const ping = jest.fn();
    const sut = new WorkerReadiness(healthyDb, {
      status: 'reconnecting',
      ping,
    } as unknown as Redis);

    const report = await sut.check();

    expect(report.checks.redis).toEqual({ status: 'down', error: 'connection is reconnecting' });
    expect(ping).not.toHaveBeenCalled();
  });

  it('reports PostgreSQL down with its error', async () => {
    const downDb = {
      query: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      },
      showMigrations: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      },
    } as unknown as DataSource;
    const sut = new WorkerReadiness(downDb, {
      status: 'ready',
      ping: async () => 'PONG',
    } as unknown as Redis);

    const report = await sut.check();

    expect(report.ready).toBe(false);
    expect(report.checks.postgres).toEqual({
      status: 'down',
      error: 'connect ECONNREFUSED 127.0.0.1:5432',
    });
  });
});
