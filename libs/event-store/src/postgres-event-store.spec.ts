import { createTestDatabase, type TestDatabase } from '@herald/testing/test-database';
import { Client } from 'pg';
import { DataSource, type EntityManager, type Logger, type QueryRunner } from 'typeorm';
import { CommitOutcomeUnknown, ConcurrencyError } from './errors';
import type { InlineProjection, NewEvent } from './event-store';
import { describeEventStoreContract, readAllUntil } from './event-store.contract';
import { checkpointOf, compareCheckpoints } from './global-checkpoint';
import { HERALD_EVENTS_CHANNEL } from './notifications';
import { PostgresEventStore } from './postgres-event-store';

let database: TestDatabase;
let dataSource: DataSource;

beforeAll(async () => {
  database = await createTestDatabase();
  dataSource = new DataSource({ type: 'postgres', url: database.url });
  await dataSource.initialize();
});

afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
});

async function emptyStore(
  projections: InlineProjection<EntityManager>[] = [],
): Promise<PostgresEventStore> {
  // CASCADE: tables that reference events (deliveries, dispatches) are empty here and go with them.
  await dataSource.query('TRUNCATE events, streams RESTART IDENTITY CASCADE');
  return new PostgresEventStore(dataSource, projections);
}

function event(type: string): NewEvent {
  return { type, data: { type } };
}

const openTransactions: (() => Promise<void>)[] = [];

/**
 * Appends one event in a transaction and keeps it open (its connection idle in transaction)
 * until `commit` is called. afterEach commits whatever a failed test left open, so a broken
 * assertion cannot leave a connection that blocks dropping the database.
 */
async function appendAndHoldOpen(
  store: PostgresEventStore,
  stream: string,
  type: string,
): Promise<{ commit: () => Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let appended!: () => void;
  const appendedSignal = new Promise<void>((resolve) => (appended = resolve));
  const committed = store.transaction(async (manager) => {
    await store.appendInTransaction(manager, stream, [event(type)]);
    appended();
    await released;
  });
  const commit = async () => {
    release();
    await committed;
  };
  openTransactions.push(commit);
  await Promise.race([appendedSignal, committed]);
  return { commit };
}

afterEach(async () => {
  await Promise.allSettled(openTransactions.splice(0).map((commit) => commit()));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEventStoreContract(PostgresEventStore.name, emptyStore);

describe(PostgresEventStore.name, () => {
  let sut: PostgresEventStore;

  beforeEach(async () => {
    sut = await emptyStore();
  });

  describe('concurrent appends', () => {
    it('lets exactly one of 20 appends with the same expected version win', async () => {
      await sut.append('user-1', [event('Created')]);

      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          sut.append('user-1', [event(`Racer${i}`)], { expectedVersion: 1 }),
        ),
      );

      const rejected = results.filter((r) => r.status === 'rejected');
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(rejected).toHaveLength(19);
      for (const result of rejected) {
        expect(result.reason).toBeInstanceOf(ConcurrencyError);
        expect(result.reason).toMatchObject({ stream: 'user-1', expected: '1', actual: 2 });
      }
      expect((await sut.readStream('user-1')).map((e) => e.version)).toEqual([1, 2]);
    });

    it('lets exactly one of 20 appends to a new stream with no_stream win', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () =>
          sut.append('user-1', [event('Created')], { expectedVersion: 'no_stream' }),
        ),
      );

      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(
        results.filter((r) => r.status === 'rejected' && r.reason instanceof ConcurrencyError),
      ).toHaveLength(19);
      expect(await sut.readStream('user-1')).toHaveLength(1);
    });

    it('keeps versions contiguous when 20 appends with any race on one stream', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          sut.append('user-1', [event(`A${i}`), event(`B${i}`)]),
        ),
      );

      for (const { events, nextExpectedVersion } of results) {
        expect(events.map((e) => e.version)).toEqual([
          nextExpectedVersion - 1,
          nextExpectedVersion,
        ]);
      }
      expect((await sut.readStream('user-1')).map((e) => e.version)).toEqual(
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
    });
  });

  describe('readAll in commit order', () => {
    it('never skips an event whose transaction commits after later positions were read', async () => {
      await sut.append('user-before', [event('Before')]);
      const start = await readAllUntil(sut, 1);
      const held = await appendAndHoldOpen(sut, 'user-held', 'Held');
      await sut.append('user-b', [event('B')]);
      await sut.append('user-c', [event('C')]);

      // Reading by position alone would hand out B and C now and move past Held for good.
      const byPosition = await dataSource.query<{ type: string }[]>(
        'SELECT type FROM events WHERE position > $1 ORDER BY position',
        [String(start.checkpoint?.position)],
      );
      expect(byPosition.map((row) => row.type)).toEqual(['B', 'C']);
      const whileHeld = await sut.readAll({ after: start.checkpoint });
      expect(whileHeld).toEqual({ events: [], checkpoint: start.checkpoint });

      await held.commit();
      const afterCommit = await readAllUntil(sut, 3, { after: whileHeld.checkpoint });

      expect(afterCommit.events.map((e) => e.type)).toEqual(['Held', 'B', 'C']);
      expect(afterCommit.events[0].position < afterCommit.events[1].position).toBe(true);
      await expect(sut.readAll({ after: afterCommit.checkpoint })).resolves.toEqual({
        events: [],
        checkpoint: afterCommit.checkpoint,
      });
    });

    it('hands a polling reader every event exactly once while writers commit out of order', async () => {
      const writers = 6;
      const appendsPerWriter = 8;
      const total = writers * appendsPerWriter;
      let writing = true;
      const write = async (writer: number) => {
        for (let i = 0; i < appendsPerWriter; i++) {
          await sut.transaction(async (manager) => {
            await sut.appendInTransaction(manager, `user-${writer}`, [event(`W${writer}-${i}`)]);
            await manager.query('SELECT pg_sleep($1)', [Math.random() * 0.03]);
          });
        }
      };
      const writersDone = Promise.all(Array.from({ length: writers }, (_, w) => write(w))).finally(
        () => {
          writing = false;
        },
      );

      const seen: { id: string; checkpoint: ReturnType<typeof checkpointOf> }[] = [];
      let checkpoint = null;
      const deadline = Date.now() + 10_000;
      while ((writing || seen.length < total) && seen.length <= total && Date.now() < deadline) {
        const page = await sut.readAll({ after: checkpoint, limit: 5 });
        seen.push(...page.events.map((e) => ({ id: e.id, checkpoint: checkpointOf(e) })));
        checkpoint = page.checkpoint;
        if (page.events.length === 0) await sleep(5);
      }
      await writersDone;

      expect(seen).toHaveLength(total);
      expect(new Set(seen.map((s) => s.id)).size).toBe(total);
      for (let i = 1; i < seen.length; i++) {
        expect(compareCheckpoints(seen[i - 1].checkpoint, seen[i].checkpoint)).toBe(-1);
      }
    });

    it('returns positions and transaction ids as bigints matching the table', async () => {
      const { events } = await sut.append('user-1', [event('A')]);

      const [row] = await dataSource.query<{ position: string; transaction_id: string }[]>(
        'SELECT position::text, transaction_id::text FROM events WHERE id = $1',
        [events[0].id],
      );
      expect(events[0].position).toBe(BigInt(row.position));
      expect(events[0].transactionId).toBe(BigInt(row.transaction_id));
    });
  });

  describe('wake-up notification', () => {
    let listener: Client;
    let received: string[];

    beforeEach(async () => {
      received = [];
      listener = new Client({ connectionString: database.url });
      await listener.connect();
      listener.on('notification', (notification) => received.push(notification.channel));
      await listener.query(`LISTEN ${HERALD_EVENTS_CHANNEL}`);
    });

    afterEach(async () => {
      await listener.end();
    });

    async function waitForNotification(): Promise<void> {
      for (let waited = 0; received.length === 0 && waited < 5000; waited += 10) await sleep(10);
    }

    it(`arrives on ${HERALD_EVENTS_CHANNEL} once the append has committed`, async () => {
      await sut.append('user-1', [event('A')]);
      await waitForNotification();

      expect(received).toEqual([HERALD_EVENTS_CHANNEL]);
    });

    it('is not sent while the transaction is open', async () => {
      const held = await appendAndHoldOpen(sut, 'user-1', 'A');
      await sleep(100);
      expect(received).toEqual([]);

      await held.commit();
      await waitForNotification();
      expect(received).toEqual([HERALD_EVENTS_CHANNEL]);
    });

    it('is sent after the append has committed, outside any transaction; a plain append is one statement', async () => {
      const queries: { sql: string; inTransaction: boolean }[] = [];
      const recordingLogger: Logger = {
        logQuery: (sql: string, _parameters?: unknown[], queryRunner?: QueryRunner) => {
          queries.push({ sql, inTransaction: queryRunner?.isTransactionActive ?? false });
        },
        logQueryError: () => undefined,
        logQuerySlow: () => undefined,
        logSchemaBuild: () => undefined,
        logMigration: () => undefined,
        log: () => undefined,
      };
      const recorded = new DataSource({
        type: 'postgres',
        url: database.url,
        logging: true,
        logger: recordingLogger,
      });
      await recorded.initialize();
      try {
        await new PostgresEventStore(recorded).append('user-1', [event('A')]);
      } finally {
        await recorded.destroy();
      }

      const append = queries.findIndex((q) => q.sql.includes('INSERT INTO events'));
      const notify = queries.findIndex((q) => q.sql.includes('pg_notify'));
      expect(append).toBeGreaterThan(-1);
      expect(queries.slice(0, append + 1).map((q) => q.sql)).not.toContain('START TRANSACTION');
      expect(queries[append].inTransaction).toBe(false);
      expect(notify).toBeGreaterThan(append);
      expect(queries[notify].inTransaction).toBe(false);
      expect(queries.filter((q) => q.sql.includes('pg_notify'))).toHaveLength(1);
    });

    it('does not fail the append when it cannot be sent', async () => {
      // The append takes the first connection; the wake-up's connection fails.
      const create = dataSource.createQueryRunner.bind(dataSource);
      let runners = 0;
      const spy = jest.spyOn(dataSource, 'createQueryRunner').mockImplementation((mode) => {
        const runner = create(mode);
        runners += 1;
        if (runners === 2) runner.connect = () => Promise.reject(new Error('connection lost'));
        return runner;
      });
      try {
        await expect(sut.append('user-1', [event('A')])).resolves.toMatchObject({
          nextExpectedVersion: 1,
        });
      } finally {
        spy.mockRestore();
      }
      expect(runners).toBe(2);
      expect(await sut.readStream('user-1')).toHaveLength(1);
    });
  });

  describe('inline projections', () => {
    beforeEach(async () => {
      await dataSource.query(
        'CREATE TABLE IF NOT EXISTS projection_probe (event_id uuid PRIMARY KEY)',
      );
      await dataSource.query('TRUNCATE projection_probe');
    });

    it('write through the append transaction: a failing projection undoes the others', async () => {
      const probe: InlineProjection<EntityManager> = {
        name: 'probe',
        handles: ['KeyRegenerated', 'KeyCleared'],
        apply: async (events, manager) => {
          for (const e of events)
            await manager.query('INSERT INTO projection_probe VALUES ($1)', [e.id]);
        },
      };
      const failing: InlineProjection<EntityManager> = {
        name: 'failing',
        handles: ['KeyCleared'],
        apply: async () => {
          throw new Error('projection broke');
        },
      };
      sut = new PostgresEventStore(dataSource, [probe, failing]);

      const { events } = await sut.append('user-1', [event('KeyRegenerated')]);
      await expect(
        sut.append('user-1', [event('KeyRegenerated'), event('KeyCleared')]),
      ).rejects.toThrow('projection broke');

      const rows = await dataSource.query<{ event_id: string }[]>(
        'SELECT event_id FROM projection_probe',
      );
      expect(rows.map((row) => row.event_id)).toEqual([events[0].id]);
      expect(await sut.readStream('user-1')).toHaveLength(1);
    });
  });

  it('reports a clash on (stream, version) with a writer that bypassed it as ConcurrencyError', async () => {
    await dataSource.query(
      `INSERT INTO events (id, stream, version, type, data, metadata)
       VALUES (gen_random_uuid(), 'user-1', 1, 'Rogue', '{}', '{}')`,
    );

    await expect(sut.append('user-1', [event('A')])).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('refuses appendInTransaction with a manager outside a transaction', async () => {
    await expect(
      sut.appendInTransaction(dataSource.manager, 'user-1', [event('A')]),
    ).rejects.toThrow('open transaction');
  });

  describe('a failing COMMIT', () => {
    // Constraint triggers declared DEFERRABLE INITIALLY DEFERRED run at COMMIT: they make COMMIT
    // itself fail, in the two ways the store must tell apart.
    beforeAll(async () => {
      await dataSource.query(`
        CREATE TABLE commit_probe (id int, note text UNIQUE DEFERRABLE INITIALLY DEFERRED);
        CREATE FUNCTION commit_probe_lose_connection() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$;
        CREATE CONSTRAINT TRIGGER commit_probe_lost AFTER INSERT ON commit_probe
          DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.id = 0)
          EXECUTE FUNCTION commit_probe_lose_connection();`);
    });

    it('rethrows what PostgreSQL refused at COMMIT as it is: nothing was committed', async () => {
      const failed = sut.transaction(async (manager) => {
        await sut.appendInTransaction(manager, 'user-1', [event('A')]);
        await manager.query(`INSERT INTO commit_probe VALUES (1, 'same'), (2, 'same')`);
      });

      await expect(failed).rejects.toMatchObject({ driverError: { code: '23505' } });
      await expect(failed).rejects.not.toBeInstanceOf(CommitOutcomeUnknown);
      expect(await sut.readStream('user-1')).toEqual([]);
    });

    it('throws CommitOutcomeUnknown when the connection goes away during COMMIT', async () => {
      const failed = sut.transaction(async (manager) => {
        await sut.appendInTransaction(manager, 'user-1', [event('A')]);
        await manager.query(`INSERT INTO commit_probe VALUES (0, 'lose the connection')`);
      });

      await expect(failed).rejects.toBeInstanceOf(CommitOutcomeUnknown);
      // The lost connection is closed, not handed to the next caller.
      await expect(dataSource.query('SELECT 1')).resolves.toHaveLength(1);
    });

    it('throws CommitOutcomeUnknown when the connection goes away during a one-statement append', async () => {
      await dataSource.query(`
        CREATE TRIGGER events_lose_connection AFTER INSERT ON events
          FOR EACH ROW WHEN (NEW.type = 'LoseConnection')
          EXECUTE FUNCTION commit_probe_lose_connection()`);
      try {
        const failed = sut.append('user-1', [event('LoseConnection')]);

        await expect(failed).rejects.toBeInstanceOf(CommitOutcomeUnknown);
      } finally {
        await dataSource.query('DROP TRIGGER events_lose_connection ON events');
      }
    });
  });
});
