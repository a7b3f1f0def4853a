import { loadConfig, type HeraldConfig } from '@herald/config';
import {
  TEST_ADMIN,
  createTestApi,
  createTestDatabase,
  login,
  testRedisUrl,
  type TestApi,
} from '@herald/testing';
import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../apps/api/src/create-app';

async function startApp(config: HeraldConfig): Promise<INestApplication> {
  const app = await createApp(config, { logger: false });
  await app.init();
  return app;
}

async function adminRows(
  db: DataSource,
  email: string,
): Promise<{ users: number; created: number }> {
  const rows: { users: number; created: number }[] = await db.query(
    `SELECT (SELECT count(*) FROM users WHERE email = $1)::int AS users,
            (SELECT count(*) FROM events WHERE type = 'UserCreated' AND data->>'email' = $1)::int AS created`,
    [email],
  );
  return rows[0];
}

describe('the bootstrap admin', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await createTestApi();
  });
  afterAll(() => api.close());

  it('exists after the first start and can sign in as an admin', async () => {
    expect(await adminRows(api.db, TEST_ADMIN.email)).toEqual({ users: 1, created: 1 });
    const response = await api.http.post('/v1/auth/login').send(TEST_ADMIN).expect(200);
    expect(response.body.user).toMatchObject({
      email: TEST_ADMIN.email,
      role: 'admin',
      name: 'Administrator',
    });
  });

  it('a second app on the same database with the same admin env starts, and does not duplicate the admin', async () => {
    const second = await startApp(api.config);
    try {
      expect(await adminRows(api.db, TEST_ADMIN.email)).toEqual({ users: 1, created: 1 });
      await request(second.getHttpServer()).post('/v1/auth/login').send(TEST_ADMIN).expect(200);
    } finally {
      await second.close();
    }
  });

  it('a restart with another password or the email in other case changes nothing', async () => {
    const config = {
      ...api.config,
      bootstrapAdmin: { email: TEST_ADMIN.email.toUpperCase(), password: 'another-password-123' },
    };
    const restarted = await startApp(config);
    try {
      expect(await adminRows(api.db, TEST_ADMIN.email)).toEqual({ users: 1, created: 1 });
      await login(api, TEST_ADMIN.email, TEST_ADMIN.password);
      await request(restarted.getHttpServer())
        .post('/v1/auth/login')
        .send({ email: TEST_ADMIN.email, password: 'another-password-123' })
        .expect(401);
    } finally {
      await restarted.close();
    }
  });

  it('two apps starting at the same moment on a fresh database both start and create one admin', async () => {
    const database = await createTestDatabase();
    const db = new DataSource({ type: 'postgres', url: database.url });
    const email = 'race-admin@herald.test';
    const config = loadConfig({
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      HERALD_SECRET_KEY: randomBytes(32).toString('base64'),
      HERALD_ADMIN_EMAIL: email,
      HERALD_ADMIN_PASSWORD: 'race-password-123',
      HERALD_REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}`,
      HERALD_MIGRATE: 'false',
    });
    const started = await Promise.allSettled([
      startApp(config),
      startApp(config),
      startApp(config),
    ]);
    try {
      expect(started.map((result) => result.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'fulfilled',
      ]);
      await db.initialize();
      expect(await adminRows(db, email)).toEqual({ users: 1, created: 1 });
    } finally {
      for (const result of started) if (result.status === 'fulfilled') await result.value.close();
      if (db.isInitialized) await db.destroy();
      await database.drop();
    }
  });
});
