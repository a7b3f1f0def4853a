import { Client } from 'pg';
import { connect } from 'node:net';
import { Logger } from '@nestjs/common';
import { dispatchJobId } from '@herald/queues';
import { makeTempDir, startRedis, type LocalServer } from '@herald/testing/local-services.cjs';
import { newEntityChanged } from '@herald/domain/webhooks/testing/webhook-event-factories';
import { rmSync } from 'node:fs';
import { entityChanged, givenUser, givenWebhook, pingWebhook } from '../testing/given-events';
import { eventually, relayPast } from '../testing/eventually';
import {
  createWorkerTestContext,
  type WorkerTestContext,
  type WorkerTestOptions,
} from '../testing/worker-test-context';
import { RELAY_CHECKPOINT, RelayCheckpoints } from './relay-checkpoints';
import { DEFAULT_RELAY_OPTIONS, RELAY_OPTIONS, type RelayOptions } from './relay-options';
import { RelayModule } from './relay.module';
import { RelayService } from './relay.service';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function relayWith(options: Partial<RelayOptions>, extra: Partial<WorkerTestOptions> = {}) {
  return createWorkerTestContext({
    imports: [RelayModule],
    configure: (builder) =>
      builder.overrideProvider(RELAY_OPTIONS).useValue({ ...DEFAULT_RELAY_OPTIONS, ...options }),
    ...extra,
  });
}

async function queuedEventIds(context: WorkerTestContext): Promise<string[]> {
  const jobs = await context.eventsQueue.getJobs(['waiting'], 0, -1, true);
  return jobs.map((job) => job.data.eventId as string);
}

describe(RelayService.name, () => {
  describe('relayOnce', () => {
    let context: WorkerTestContext;
    let sut: RelayService;

    beforeAll(async () => {
      context = await relayWith({ batchSize: 3 });
      sut = context.module.get(RelayService);
    });
    afterAll(() => context.close());

    it('queues the deliverable events in commit order, one dispatch job each, and saves the checkpoint', async () => {
      const owner = await givenUser(context.store); // UserCreated (not deliverable), KeyRegenerated
      const webhookId = await givenWebhook(context.store, owner); // WebhookSubscribed: not deliverable
      const changes = [];
      for (let i = 0; i < 4; i++) changes.push(await entityChanged(context.store));
      const ping = await pingWebhook(context.store, webhookId);

      const keyRegenerated = (
        await context.db.query(`SELECT id FROM events WHERE type = 'KeyRegenerated'`)
      )[0].id;
      const expected = [keyRegenerated, ...changes.map((e) => e.id), ping.id];
      let moved = 0;
      await eventually(async () => {
        moved += await sut.relayOnce();
        return moved === expected.length;
      });

      expect(await queuedEventIds(context)).toEqual(expected);
      for (const id of expected) {
        const job = await context.eventsQueue.getJob(dispatchJobId(id));
        expect(job?.data).toEqual({ eventId: id });
      }
      const last = (
        await context.db.query(
          `SELECT transaction_id::text AS t, position::text AS p FROM events
            ORDER BY transaction_id DESC, position DESC LIMIT 1`,
        )
      )[0];
      await expect(context.module.get(RelayCheckpoints).load(RELAY_CHECKPOINT)).resolves.toEqual({
        transactionId: BigInt(last.t),
        position: BigInt(last.p),
      });
    });

    it('adds nothing when run again', async () => {
      const before = await context.eventsQueue.getJobCounts();
      await expect(sut.relayOnce()).resolves.toBe(0);
      expect(await context.eventsQueue.getJobCounts()).toEqual(before);
    });

    it('does not skip an event whose transaction commits after later ones', async () => {
      const runner = context.db.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      const late = await context.store.appendInTransaction(runner.manager, 'entity-Contact-late', [
        newEntityChanged({ entityId: 'late' }),
      ]);
      const early = await entityChanged(context.store);

      await sut.relayOnce();
      const whileOpen = await queuedEventIds(context);
      expect(whileOpen).not.toContain(late.events[0].id);

      await runner.commitTransaction();
      await runner.release();
      await relayPast(sut, context.eventsQueue, [late.events[0].id, early.id]);
    });
  });

  describe('while Redis is down', () => {
    let redisDir: string;
    let redis: LocalServer;
    let context: WorkerTestContext;
    let sut: RelayService;

    beforeAll(async () => {
      redisDir = makeTempDir('herald-relay-redis-');
      redis = await startRedis({ dataDir: redisDir, quiet: true });
      context = await relayWith(
        { enqueueTimeoutMs: 300, minBackoffMs: 50, maxBackoffMs: 200 },
        { env: { REDIS_URL: redis.url } },
      );
      sut = context.module.get(RelayService);
    });
    afterAll(async () => {
      // Closing the queues needs Redis: bring it back if a failed test left it stopped.
      if (!(await redisAnswers(redis.port))) {
        redis = await startRedis({ dataDir: redisDir, port: redis.port, quiet: true });
      }
      await context.close();
      await redis.stop();
      rmSync(redisDir, { recursive: true, force: true });
    });

    it('keeps the checkpoint, and the events flow once Redis is back', async () => {
      await entityChanged(context.store);
      await sut.relayOnce();
      const checkpoints = context.module.get(RelayCheckpoints);
      const before = await checkpoints.load(RELAY_CHECKPOINT);

      await redis.stop();
      const waiting = await entityChanged(context.store);
      // readAll holds the new event back while any older transaction in the cluster is open (other
      // suites share it), so a pass may see nothing yet; wait until one reaches Redis and fails.
      await eventually(async () => {
        try {
          await sut.relayOnce();
          return false;
        } catch (error) {
          expect((error as Error).message).toContain('Redis did not answer');
          return true;
        }
      }, 15_000);
      await expect(sut.relayOnce()).rejects.toThrow('Redis did not answer');
      expect(await checkpoints.load(RELAY_CHECKPOINT)).toEqual(before);

      redis = await startRedis({ dataDir: redisDir, port: redis.port, quiet: true });
      await relayPast(sut, context.eventsQueue, [waiting.id]);
      expect(await checkpoints.load(RELAY_CHECKPOINT)).not.toEqual(before);
    });
  });

  describe('in the background', () => {
    let first: WorkerTestContext;
    let second: WorkerTestContext | undefined;

    beforeAll(async () => {
      // A poll too slow to matter: events arrive through NOTIFY or not at all.
      first = await relayWith({ pollIntervalMs: 60_000, standbyRetryMs: 100 }, { init: true });
    });
    afterAll(async () => {
      await second?.close();
      await first.close();
    });

    it('relays an event held back behind an older open transaction as soon as it ends, without waiting for the poll', async () => {
      await eventually(async () => first.module.get(RelayService).isLeader);
      const holder = new Client({ connectionString: first.database.url });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT pg_current_xact_id()'); // an open transaction with an id: readAll's horizon
        const event = await entityChanged(first.store);
        await sleep(300);
        expect(await first.eventsQueue.getJob(dispatchJobId(event.id))).toBeUndefined();

        await holder.query('COMMIT');
        // The poll is 60 s here: only the relay's own recheck can pick the event up this soon.
        await eventually(async () => first.eventsQueue.getJob(dispatchJobId(event.id)), 5000);
      } finally {
        await holder.end();
      }
    });

    it('is woken by the NOTIFY sent after an append commits', async () => {
      await eventually(async () => first.module.get(RelayService).isLeader);
      const event = await entityChanged(first.store);
      await eventually(async () => first.eventsQueue.getJob(dispatchJobId(event.id)), 5000);
    });

    it('reconnects and takes the lock again when its session is killed', async () => {
      const sut = first.module.get(RelayService);
      const [killed] = await first.db.query(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE application_name = 'herald-relay' AND datname = current_database()`,
      );
      expect(killed.n).toBe(1);
      await eventually(async () => !sut.isLeader, 5000);
      await eventually(async () => sut.isLeader, 5000);
      const event = await entityChanged(first.store);
      await eventually(async () => first.eventsQueue.getJob(dispatchJobId(event.id)), 5000);
    });

    it('runs on one worker at a time; a standby takes over when the leader stops', async () => {
      second = await relayWith(
        { pollIntervalMs: 60_000, standbyRetryMs: 100 },
        { init: true, sharing: first },
      );
      const standby = second.module.get(RelayService);
      await sleep(300);
      expect(first.module.get(RelayService).isLeader).toBe(true);
      expect(standby.isLeader).toBe(false);

      await first.module.close();
      await eventually(async () => standby.isLeader, 5000);
      const event = await entityChanged(second.store);
      await eventually(async () => second?.eventsQueue.getJob(dispatchJobId(event.id)), 5000);
    });
  });

  describe('in the background, while Redis is down', () => {
    let redisDir: string;
    let redis: LocalServer;
    let context: WorkerTestContext;
    let warn: jest.SpyInstance;

    beforeAll(async () => {
      redisDir = makeTempDir('herald-relay-redis-');
      redis = await startRedis({ dataDir: redisDir, quiet: true });
      warn = jest.spyOn(Logger.prototype, 'warn');
      context = await relayWith(
        { pollIntervalMs: 50, enqueueTimeoutMs: 100, minBackoffMs: 20, maxBackoffMs: 100 },
        { env: { REDIS_URL: redis.url }, init: true },
      );
    });
    afterAll(async () => {
      warn.mockRestore();
      await context.close();
      await redis.stop();
      rmSync(redisDir, { recursive: true, force: true });
    });

    it('logs the outage once, backs off, and relays the waiting events when Redis is back', async () => {
      await eventually(async () => context.module.get(RelayService).isLeader);
      await redis.stop();
      const waiting = await entityChanged(context.store);
      await sleep(1500);
      const paused = () =>
        warn.mock.calls.filter(([message]) => String(message).startsWith('Relay paused'));
      expect(paused()).toHaveLength(1);

      redis = await startRedis({ dataDir: redisDir, port: redis.port, quiet: true });
      await eventually(async () => context.eventsQueue.getJob(dispatchJobId(waiting.id)), 15_000);
      expect(paused()).toHaveLength(1);
    });
  });
});

function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
