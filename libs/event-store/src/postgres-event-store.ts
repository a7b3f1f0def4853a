import { randomUUID } from 'node:crypto';
import { aggregateEvents } from './aggregate-events';
import { groupCommit } from './group-commit';
import { preparedQuery, releaseRunner } from './prepared-query';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { isDatabaseUnavailable } from './database-unavailable';
import { CommitOutcomeUnknown, ConcurrencyError } from './errors';
import { completeMetadata } from './event-metadata';
import type {
  AggregateOptions,
  AggregateResult,
  AppendOptions,
  AppendResult,
  ExpectedVersion,
  InlineProjection,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  TransactionalEventStore,
} from './event-store';
import { assertExpectedVersion, validateExpectedVersion } from './expected-version';
import { checkpointOf } from './global-checkpoint';
import { projectsAny, runInlineProjections } from './inline-projections';
import { HERALD_EVENTS_CHANNEL } from './notifications';
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './postgres-event-row';
import { DEFAULT_READ_ALL_LIMIT, validateReadAllLimit } from './read-all-limit';

const UNIQUE_VIOLATION = '23505';
/** The longest an append's caller waits for the relay's wake-up to be sent. */
const NOTIFY_WAIT_MS = 1000;
const STREAM_VERSION_CONSTRAINT = 'events_stream_version_key';

/**
 * The event store on Postgres (tables from the EventStore migration), through raw SQL on the
 * given DataSource.
 *
 * Appends to one stream are serialised by the lock on its `streams` row, held until commit; the
 * expected-version check runs against that locked row, so exactly one of several racing writers
 * with the same expectation wins. Appends rely on READ COMMITTED (the default): under a stricter
 * isolation level a lost race surfaces as a serialization failure instead of ConcurrencyError.
 */
export class PostgresEventStore implements TransactionalEventStore<EntityManager> {
  private readonly wakeRelay: (caller: 'wake-up') => Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly projections: InlineProjection<EntityManager>[] = [],
  ) {
    this.wakeRelay = groupCommit(async (callers) => {
      await preparedQuery(this.dataSource, 'SELECT pg_notify($1, $2)', [HERALD_EVENTS_CHANNEL, '']);
      return callers.map(() => undefined);
    }, Number.MAX_SAFE_INTEGER);
  }

  /**
   * Appends in a transaction of its own, then wakes the relay (after commit, best-effort). When no
   * inline projection handles these events the append is one statement, committed on its own
   * (atomic as a whole); otherwise the projections run with it in one transaction.
   */
  async append(
    stream: string,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    validateExpectedVersion(options.expectedVersion ?? 'any');
    const result =
      projectsAny(this.projections, events) || events.length === 0
        ? await this.committed((manager) =>
            this.appendInTransaction(manager, stream, events, options),
          )
        : await this.committedStatement((manager) =>
            this.appendEvents(manager, stream, events, options.expectedVersion ?? 'any'),
          );
    if (result.events.length > 0) await this.notifyAppended();
    return result;
  }

  /**
   * Runs `work` in one transaction and wakes the relay after it commits. Appends made with
   * `appendInTransaction(manager, …)` and anything else written through `manager` commit together.
   */
  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.committed(work);
    await this.notifyAppended();
    return result;
  }

  /**
   * Runs `work` in a transaction and commits it. Guarantees: an error from `work` rolls back and
   * is rethrown; a COMMIT that PostgreSQL refuses (a SQLSTATE of its own, e.g. a serialization
   * failure) is rethrown as it is; a COMMIT whose connection fails (`isDatabaseUnavailable`: no
   * answer, or a connection / shutdown SQLSTATE) throws CommitOutcomeUnknown — it may have been
   * committed.
   */
  private async committed<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let lost: unknown;
    try {
      await runner.startTransaction();
      let result: T;
      try {
        result = await work(runner.manager);
      } catch (error) {
        if (isDatabaseUnavailable(error)) lost = error;
        else await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
      try {
        await runner.commitTransaction();
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        lost = error;
        throw new CommitOutcomeUnknown(error);
      }
      return result;
    } finally {
      await releaseRunner(runner, lost);
    }
  }

  /**
   * Runs `work`, which must be ONE statement, in autocommit: it commits by itself, all or nothing.
   * Guarantees as `committed`: a connection that cannot be had, or that node-postgres already
   * knows is broken, throws as it is (nothing was sent); a connection lost once the statement may
   * have run throws CommitOutcomeUnknown.
   */
  private async committedStatement<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let lost: unknown;
    try {
      return await work(runner.manager);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      lost = error;
      throw neverSent(error) ? error : new CommitOutcomeUnknown(error);
    } finally {
      await releaseRunner(runner, lost);
    }
  }

  /**
   * `append` inside a transaction the caller owns: neither commits nor notifies. Prefer
   * `transaction`; if you open the transaction yourself, call `notifyAppended()` after it commits
   * (otherwise the relay only finds the events on its next poll). Any error from it must roll
   * the transaction back (let it propagate): the events may already be inserted, and a
   * ConcurrencyError may have left the transaction aborted.
   */
  async appendInTransaction(
    manager: EntityManager,
    stream: string,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('appendInTransaction needs the EntityManager of an open transaction');
    }
    const expected = options.expectedVersion ?? 'any';
    validateExpectedVersion(expected);
    if (events.length === 0) {
      const current = await this.currentVersion(manager, stream);
      assertExpectedVersion(stream, expected, current);
      return { nextExpectedVersion: current, events: [] };
    }

    const result = await this.appendEvents(manager, stream, events, expected);
    await runInlineProjections(this.projections, result.events, manager);
    return result;
  }

  /**
   * Sends the relay's wake-up. Never throws: a lost wake-up only delays the relay until it polls.
   * Guarantee: a NOTIFY is sent after this call began (so after the caller's commit). Callers that
   * overlap share one (`groupCommit`): under load the API sends one per round trip, not one per
   * append; the relay reads everything committed when it wakes. Waits at most NOTIFY_WAIT_MS: a
   * wake-up stuck on a dead connection must not hold up the caller's answer (it goes on alone).
   */
  async notifyAppended(): Promise<void> {
    const sent = this.wakeRelay('wake-up').catch((error: unknown) => {
      this.dataSource.logger.log(
        'warn',
        `Event store: NOTIFY ${HERALD_EVENTS_CHANNEL} failed: ${String(error)}`,
      );
    });
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, NOTIFY_WAIT_MS)));
    await Promise.race([sent, waited]);
    clearTimeout(timer);
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const rows = await this.dataSource.query<EventRow[]>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = $1 AND version > $2 ORDER BY version`,
      [stream, options.afterVersion ?? 0],
    );
    return rows.map(toRecordedEvent);
  }

  async aggregate<State>(
    stream: string,
    options: AggregateOptions<State>,
  ): Promise<AggregateResult<State>> {
    return aggregateEvents(await this.readStream(stream), options);
  }

  /**
   * Events in commit order. Guarantee: once a checkpoint has been handed out, every event not
   * yet returned sorts after it, so reading on from checkpoints never skips an event, even one
   * whose transaction took a lower position but committed after higher positions were read.
   *
   * How: order by (transaction_id, position) and return only events of transactions older than
   * the read's snapshot xmin. Every transaction below xmin has finished, so its events are all
   * visible now, and any transaction still able to add events has an id at or above xmin (hence
   * sorts after everything returned). xmin comes from the same snapshot as the scan.
   *
   * Trade-off: any transaction holding a transaction id in this Postgres cluster (a write in any
   * table or database) holds back every event appended after it started, until it ends. A
   * long-open transaction stalls the relay; keep transactions short.
   */
  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    const after = options.after ?? null;
    const limit = options.limit ?? DEFAULT_READ_ALL_LIMIT;
    validateReadAllLimit(limit);
    const rows = await this.dataSource.query<EventRow[]>(
      `SELECT ${EVENT_COLUMNS} FROM events
        WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
          AND (transaction_id, position) > ($1::xid8, $2::bigint)
        ORDER BY transaction_id, position
        LIMIT $3`,
      [String(after?.transactionId ?? 0n), String(after?.position ?? 0n), limit],
    );
    const events = rows.map(toRecordedEvent);
    const last = events.at(-1);
    return { events, checkpoint: last ? checkpointOf(last) : after };
  }

  private async currentVersion(manager: EntityManager, stream: string): Promise<number> {
    const rows = await manager.query<{ version: number }[]>(
      'SELECT version FROM streams WHERE stream = $1',
      [stream],
    );
    return rows[0]?.version ?? 0;
  }

  /**
   * ONE statement: moves the stream's row forward by the number of events if it meets `expected`
   * (locking it until commit) and inserts the events after its old version, positions in the
   * events' order. A writer that lost a race waits for the winner's commit, then sees the new
   * version and inserts nothing: ConcurrencyError.
   */
  private async appendEvents(
    manager: EntityManager,
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    const [advance, advanceParameters] = advanceStreamQuery(stream, expected, events.length);
    const at = advanceParameters.length;
    const correlationId = randomUUID();
    let rows: EventRow[];
    try {
      rows = await preparedQuery<EventRow>(
        manager,
        `WITH advanced AS (${advance})
         INSERT INTO events (id, stream, version, type, data, metadata)
         SELECT e.id, $1, advanced.version - $${at + 1}::int + e.n::int, e.type, e.data, e.metadata
           FROM advanced,
                unnest($${at + 2}::uuid[], $${at + 3}::text[], $${at + 4}::jsonb[], $${at + 5}::jsonb[])
                WITH ORDINALITY AS e(id, type, data, metadata, n)
          ORDER BY e.n
         RETURNING ${EVENT_COLUMNS}`,
        [
          ...advanceParameters,
          events.length,
          events.map(() => randomUUID()),
          events.map((event) => event.type),
          events.map((event) => JSON.stringify(event.data ?? null)),
          events.map((event) => JSON.stringify(completeMetadata(event.metadata, correlationId))),
        ],
      );
    } catch (error) {
      // Only reachable if the events table got ahead of `streams` (a writer bypassing this class).
      if (isUniqueViolationOf(error, STREAM_VERSION_CONSTRAINT)) {
        // The caller's transaction (if any) is aborted now: look from another connection.
        const current = await this.currentVersion(this.dataSource.manager, stream);
        throw new ConcurrencyError(stream, String(expected), current);
      }
      throw error;
    }
    if (rows.length === 0) {
      throw new ConcurrencyError(
        stream,
        String(expected),
        await this.currentVersion(manager, stream),
      );
    }
    // RETURNING order is not promised by SQL; versions are.
    const recorded = rows.map(toRecordedEvent).sort((a, b) => a.version - b.version);
    return { nextExpectedVersion: recorded.at(-1)!.version, events: recorded };
  }
}

function advanceStreamQuery(
  stream: string,
  expected: ExpectedVersion,
  count: number,
): [string, unknown[]] {
  // Each runs as the `advanced` CTE of appendEvents' INSERT, returning the new version or no row.
  switch (expected) {
    case 'any':
      return [
        `INSERT INTO streams (stream, version) VALUES ($1, $2)
         ON CONFLICT (stream) DO UPDATE SET version = streams.version + EXCLUDED.version
         RETURNING version`,
        [stream, count],
      ];
    case 'no_stream':
    case 0:
      return [
        `INSERT INTO streams (stream, version) VALUES ($1, $2)
         ON CONFLICT (stream) DO NOTHING
         RETURNING version`,
        [stream, count],
      ];
    case 'stream_exists':
      return [
        `UPDATE streams SET version = version + $2 WHERE stream = $1 AND version > 0
         RETURNING version`,
        [stream, count],
      ];
    default:
      return [
        `UPDATE streams SET version = version + $2 WHERE stream = $1 AND version = $3
         RETURNING version`,
        [stream, count, expected],
      ];
  }
}

/** node-postgres refused the statement before sending it: its connection had already failed. */
function neverSent(error: unknown): boolean {
  const message = (error as { driverError?: { message?: unknown } }).driverError?.message;
  return typeof message === 'string' && message.includes('is not queryable');
}

function isUniqueViolationOf(error: unknown, constraint: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: unknown; constraint?: unknown };
  return driverError.code === UNIQUE_VIOLATION && driverError.constraint === constraint;
}
