import { DataSource } from 'typeorm';
import { makeTempDir, startPostgres, startRedis } from '../local-services.cjs';
// globalSetup runs outside Jest's module mapper, hence the relative path.
import { migrations } from '../../../event-store/src/migrations';
import { TEMPLATE_DATABASE } from '../test-database';

/**
 * Starts one throw-away PostgreSQL and one Redis for the whole run, and a template database with
 * every migration applied; each suite clones the template (see createTestDatabase), so suites are
 * isolated without paying for migrations each time.
 */
export default async function globalSetup(): Promise<void> {
  const dir = makeTempDir('herald-test-');
  const [postgres, redis] = await Promise.all([
    startPostgres({ dataDir: `${dir}/postgres`, quiet: true, durable: false }),
    startRedis({ dataDir: `${dir}/redis`, quiet: true }),
  ]);
  process.env.HERALD_TEST_PG_URL = postgres.url;
  process.env.HERALD_TEST_REDIS_URL = redis.url;
  process.env.HERALD_TEST_DIR = dir;
  (globalThis as Record<string, unknown>).__heraldServices = { postgres, redis, dir };
  // Jest skips globalTeardown when it is interrupted; the servers must not outlive the run.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      void Promise.all([postgres.stop(), redis.stop()]).finally(() => process.exit(130));
    });
  }

  const admin = new DataSource({ type: 'postgres', url: postgres.url });
  await admin.initialize();
  await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  await admin.destroy();
  const template = new DataSource({
    type: 'postgres',
    url: postgres.url.replace(/\/postgres$/, `/${TEMPLATE_DATABASE}`),
    migrations,
    migrationsTransactionMode: 'each',
  });
  await template.initialize();
  await template.runMigrations();
  await template.destroy();
}
