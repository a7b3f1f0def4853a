import { DataSource, QueryFailedError } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@herald/testing/test-database';
import { preparedQuery } from './prepared-query';

describe(preparedQuery.name, () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = new DataSource({ type: 'postgres', url: database.url, extra: { max: 1 } });
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  const SQUARE = 'SELECT $1::int * $1::int AS square';

  it('prepares a text once per connection and reuses it', async () => {
    for (let n = 1; n <= 6; n += 1) {
      expect(await preparedQuery(dataSource, SQUARE, [n])).toEqual([{ square: n * n }]);
    }
    const prepared = await preparedQuery<{ statements: number }>(
      dataSource,
      `SELECT count(*)::int AS statements FROM pg_prepared_statements WHERE statement = $1`,
      [SQUARE],
    );
    // One connection in the pool: one prepared statement, however many calls.
    expect(prepared[0].statements).toBe(1);
  });

  it('runs inside the transaction of a query runner’s manager', async () => {
    await dataSource.query('CREATE TABLE IF NOT EXISTS prepared_probe (n int)');
    await expect(
      dataSource.transaction(async (tx) => {
        await preparedQuery(tx, 'INSERT INTO prepared_probe VALUES ($1)', [1]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await dataSource.query('SELECT n FROM prepared_probe')).toEqual([]);
  });

  it('reports a refused statement as TypeORM does, with the driver error', async () => {
    const failed = preparedQuery(dataSource, 'SELECT 1 / $1::int AS n', [0]);
    await expect(failed).rejects.toBeInstanceOf(QueryFailedError);
    await expect(failed).rejects.toMatchObject({ driverError: { code: '22012' } });
    await expect(preparedQuery(dataSource, 'SELECT 1 / $1::int AS n', [1])).resolves.toEqual([
      { n: 1 },
    ]);
  });

  it('prepares again on a fresh connection when a migration changed the result type', async () => {
    await dataSource.query('CREATE TABLE stale_probe (k int, n int)');
    await dataSource.query('INSERT INTO stale_probe VALUES (1, 7)');
    const READ = 'SELECT n FROM stale_probe WHERE k = $1';
    expect(await preparedQuery(dataSource, READ, [1])).toEqual([{ n: 7 }]);

    // PostgreSQL now answers the prepared statement "cached plan must not change result type".
    await dataSource.query('ALTER TABLE stale_probe ALTER COLUMN n TYPE text');

    expect(await preparedQuery(dataSource, READ, [1])).toEqual([{ n: '7' }]);
    expect(await preparedQuery(dataSource, READ, [1])).toEqual([{ n: '7' }]);
  });
});
