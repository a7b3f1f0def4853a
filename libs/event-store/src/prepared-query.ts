import { createHash } from 'node:crypto';
import type { PoolClient, QueryResultRow } from 'pg';
import { DataSource, QueryFailedError, type EntityManager, type QueryRunner } from 'typeorm';
import { isDatabaseUnavailable } from './database-unavailable';

/** Statement names by text: the texts are the code's constants, so this stays small. */
const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `herald_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * `query`, as a named prepared statement: PostgreSQL parses and plans `text` once per connection
 * instead of on every call. On the hot paths (authenticating a key, appending, dispatching,
 * recording an attempt) that halves PostgreSQL's CPU per statement (bench/results).
 *
 * `text` must be a constant of the code, never built from values (each distinct text stays
 * prepared on every pooled connection); values always go in `values`. Runs on the connection of
 * `source` when it is a query runner's EntityManager (a transaction), else on a pooled one.
 * Errors come as from TypeORM's `query` (QueryFailedError with the driver's error), and the
 * statement is logged through the DataSource's logger like any other. A connection that was lost
 * is closed, never handed to the next caller.
 */
export async function preparedQuery<Row extends QueryResultRow>(
  source: DataSource | EntityManager,
  text: string,
  values: readonly unknown[],
): Promise<Row[]> {
  const dataSource = source instanceof DataSource ? source : source.dataSource;
  const transaction = source instanceof DataSource ? undefined : source.queryRunner;
  const own = transaction === undefined;
  const runner: QueryRunner = transaction ?? dataSource.createQueryRunner();
  let lost: unknown;
  try {
    const client = (await runner.connect()) as PoolClient;
    runner.connection.logger.logQuery(text, [...values], runner);
    try {
      const result = await client.query<Row>({
        name: statementName(text),
        text,
        values: [...values],
      });
      return result.rows;
    } catch (error) {
      if (isDatabaseUnavailable(error)) lost = error;
      throw new QueryFailedError(text, [...values], error as Error);
    }
  } finally {
    if (own) await releaseRunner(runner, lost);
  }
}

/**
 * Gives a runner's connection back to the pool; one that was lost (`lost` set) is closed instead,
 * so the next caller never gets a dead connection. TypeORM's runner takes the error through
 * `releasePostgresConnection` (hidden in its types), which hands it on to pg-pool.
 */
export async function releaseRunner(runner: QueryRunner, lost: unknown): Promise<void> {
  if (lost === undefined) return runner.release();
  const postgres = runner as unknown as {
    releasePostgresConnection(error: unknown): Promise<void>;
  };
  return postgres.releasePostgresConnection(lost);
}
