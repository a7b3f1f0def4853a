import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const TEMPLATE_DATABASE = 'herald_template';

export interface TestDatabase {
  /** Connection string of a fresh database with every migration applied. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.HERALD_TEST_PG_URL;
  if (!url)
    throw new Error(
      'HERALD_TEST_PG_URL is unset: run the tests with `npm test` (Jest globalSetup starts PostgreSQL)',
    );
  return url;
}

async function onServer<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database cloned from the template that globalSetup prepared. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `herald_test_${randomBytes(6).toString('hex')}`;
  await onServer((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`));
  return {
    name,
    url: serverUrl().replace(/\/postgres$/, `/${name}`),
    drop: () =>
      onServer((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/** The test run's Redis server. Suites isolate themselves with their own key prefix. */
export function testRedisUrl(): string {
  const url = process.env.HERALD_TEST_REDIS_URL;
  if (!url) throw new Error('HERALD_TEST_REDIS_URL is unset: run the tests with `npm test`');
  return url;
}
