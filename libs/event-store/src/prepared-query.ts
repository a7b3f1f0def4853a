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
 * statement and its errors are logged through the DataSource's logger like any other. A pooled
 * connection that was lost, or whose prepared statement went stale, is closed, never handed to
 * the next caller; on a stale statement the call is tried once more on a fresh connection (inside
 * a transaction it cannot be: the error ends the transaction).
 */
export async function preparedQuery<Row extends QueryResultRow>(
  source: DataSource | EntityManager,
  text: string,
  values: readonly unknown[],
): Promise<Row[]> {
  if (source instanceof DataSource || source.queryRunner === undefined) {
    const dataSource = source instanceof DataSource ? source : source.dataSource;
    try {
      return await onOwnConnection<Row>(dataSource, text, values);
    } catch (error) {
      // The connection's prepared statement went stale (a migration changed a result type, a
      // pooler discarded it): that connection was closed; a fresh one prepares it anew.
      if (!isStalePreparedStatement(error)) throw error;
      return onOwnConnection<Row>(dataSource, text, values);
    }
  }
  return run<Row>(source.queryRunner, text, values);
}

async function onOwnConnection<Row extends QueryResultRow>(
  dataSource: DataSource,
  text: string,
  values: readonly unknown[],
): Promise<Row[]> {
  const runner = dataSource.createQueryRunner();
  let broken: unknown;
  try {
    return await run<Row>(runner, text, values);
  } catch (error) {
    if (isDatabaseUnavailable(error) || isStalePreparedStatement(error)) broken = error;
    throw error;
  } finally {
    await releaseRunner(runner, broken);
  }
}

async function run<Row extends QueryResultRow>(
  runner: QueryRunner,
  text: string,
  values: readonly unknown[],
): Promise<Row[]> {
  const client = (await runner.connect()) as PoolClient;
  const parameters = [...values];
  const { logger } = runner.connection;
  logger.logQuery(text, parameters, runner);
  try {
    const result = await client.query<Row>({ name: statementName(text), text, values: parameters });
    return result.rows;
  } catch (error) {
    logger.logQueryError(error as Error, text, parameters, runner);
    throw new QueryFailedError(text, parameters, error as Error);
  }
}

/** 0A000 "cached plan must not change result type", 26000 "prepared statement … does not exist". */
function isStalePreparedStatement(error: unknown): boolean {
  const code = (error as { driverError?: { code?: unknown } }).driverError?.code;
  return code === '0A000' || code === '26000';
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
