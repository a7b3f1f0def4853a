import { Logger } from '@nestjs/common';
import { bullmqOptions, deliveryJobId, dispatchJobId } from '@herald/queues';
import { Worker, UnrecoverableError } from 'bullmq';
import { DispatchModule } from '../dispatch/dispatch.module';
import { EventDispatcher } from '../dispatch/event-dispatcher';
import { RELAY_CHECKPOINT, RelayCheckpoints } from '../relay/relay-checkpoints';
import { RelayModule } from '../relay/relay.module';
import { RelayService } from '../relay/relay.service';
import { eventually, relayPast } from '../testing/eventually';
import { entityChanged, givenUser, givenWebhook } from '../testing/given-events';
import { createWorkerTestContext, type WorkerTestContext } from '../testing/worker-test-context';
import { LostDeliveryJobs } from './lost-delivery-jobs';
import { RECONCILER_OPTIONS, type ReconcilerOptions } from './reconciler-options';
import { ReconcilerModule } from './reconciler.module';
import { ReconcilerService } from './reconciler.service';
import { RECONCILER_CHECKPOINT, UndispatchedEvents } from './undispatched-events';

const NO_GRACE: ReconcilerOptions = {
  intervalMs: 60_000,
  graceSeconds: 0,
  batchLimit: 1000,
  redisTimeoutMs: 2000,
};

describe(ReconcilerService.name, () => {
  let context: WorkerTestContext;
  let sut: ReconcilerService;
  let relay: RelayService;
  let dispatcher: EventDispatcher;
  let checkpoints: RelayCheckpoints;
  let webhookId: string;

  beforeAll(async () => {
    context = await createWorkerTestContext({
      imports: [RelayModule, DispatchModule, ReconcilerModule],
      configure: (builder) => builder.overrideProvider(RECONCILER_OPTIONS).useValue(NO_GRACE),
    });
    sut = context.module.get(ReconcilerService);
    relay = context.module.get(RelayService);
    dispatcher = context.module.get(EventDispatcher);
    checkpoints = context.module.get(RelayCheckpoints, { strict: false });
    webhookId = await givenWebhook(context.store, await givenUser(context.store));
    // The dispatch processor must not take dispatch jobs in the background: these tests decide
    // exactly which events get dispatched, and when.
    await context.eventsQueue.pause();
  });
  afterAll(() => context.close());

  /** Everything relayed and dispatched, and the reconciler caught up: the tests start from calm. */
  beforeEach(async () => {
    // Until the relay has every event: a transaction open elsewhere in the shared cluster (another
    // suite's) can hold the newest ones back from one pass, and the tests assume it has them.
    await eventually(async () => {
      await relay.relayOnce();
      return !(await checkpoints.hasEventsAfter(await checkpoints.load(RELAY_CHECKPOINT)));
    });
    const undispatched: { id: string }[] = await context.db.query(
      `SELECT e.id FROM events e LEFT JOIN event_dispatches d ON d.event_id = e.id
        WHERE d.event_id IS NULL`,
    );
    for (const { id } of undispatched) await dispatcher.dispatch(id);
    await sut.reconcileOnce();
  });

  /** A change relayed and dispatched: one pending delivery to the suite's webhook, with its job. */
  async function pendingDelivery(): Promise<{ id: string; jobId: string }> {
    const event = await entityChanged(context.store);
    await relay.relayOnce();
    await dispatcher.dispatch(event.id);
    const [row] = await context.db.query(
      'SELECT id, generation FROM deliveries WHERE event_id = $1 AND webhook_id = $2',
      [event.id, webhookId],
    );
    return { id: row.id, jobId: deliveryJobId(row.id, row.generation) };
  }

  describe('pending deliveries', () => {
    it('leaves a delivery whose job is waiting alone', async () => {
      const { jobId } = await pendingDelivery();
      const job = await context.deliveriesQueue.getJob(jobId);
      await expect(sut.reconcileOnce()).resolves.toMatchObject({ deliveriesRequeued: 0 });
      expect((await context.deliveriesQueue.getJob(jobId))?.timestamp).toBe(job?.timestamp);
    });

    it('re-enqueues a due delivery whose job vanished', async () => {
      const { id, jobId } = await pendingDelivery();
      await context.deliveriesQueue.remove(jobId);

      await expect(sut.reconcileOnce()).resolves.toMatchObject({ deliveriesRequeued: 1 });
      expect((await context.deliveriesQueue.getJob(jobId))?.data).toEqual({
        deliveryId: id,
        generation: 1,
      });
      await expect(sut.reconcileOnce()).resolves.toMatchObject({ deliveriesRequeued: 0 });
    });

    it('re-enqueues every pending delivery after Redis lost the whole prefix', async () => {
      await pendingDelivery();
      await pendingDelivery();
      const pending: { id: string; generation: number }[] = await context.db.query(
        `SELECT id, generation FROM deliveries WHERE status = 'pending'`,
      );
      await context.deliveriesQueue.obliterate({ force: true });
      await context.eventsQueue.obliterate({ force: true });

      const result = await sut.reconcileOnce();

      expect(result.deliveriesRequeued).toBe(pending.length);
      for (const row of pending) {
        expect(
          await context.deliveriesQueue.getJobState(deliveryJobId(row.id, row.generation)),
        ).toBe('waiting');
      }
    });

    it('replaces a job that failed for good (e.g. by the stalled limit)', async () => {
      const { jobId } = await pendingDelivery();
      const failing = new Worker(
        context.deliveriesQueue.name,
        async () => {
          throw new UnrecoverableError('stalled too often');
        },
        bullmqOptions(context.config),
      );
      try {
        for (let i = 0; i < 200; i++) {
          if ((await context.deliveriesQueue.getJobState(jobId)) === 'failed') break;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      } finally {
        await failing.close();
      }
      expect(await context.deliveriesQueue.getJobState(jobId)).toBe('failed');

      const result = await sut.reconcileOnce();
      expect(result.deliveriesRequeued).toBeGreaterThanOrEqual(1);
      expect(await context.deliveriesQueue.getJobState(jobId)).toBe('waiting');
    });
  });

  describe('undispatched events', () => {
    it('queues the dispatch of a relayed event whose dispatch job was lost', async () => {
      const event = await entityChanged(context.store);
      await relayPast(relay, context.eventsQueue, [event.id]);
      await expect(sut.reconcileOnce()).resolves.toMatchObject({ eventsRedispatched: 0 });

      await context.eventsQueue.remove(dispatchJobId(event.id));
      await expect(sut.reconcileOnce()).resolves.toMatchObject({ eventsRedispatched: 1 });
      expect((await context.eventsQueue.getJob(dispatchJobId(event.id)))?.data).toEqual({
        eventId: event.id,
      });
    });

    it('does not touch events the relay has not reached', async () => {
      const event = await entityChanged(context.store);
      await expect(sut.reconcileOnce()).resolves.toMatchObject({ eventsRedispatched: 0 });
      expect(await context.eventsQueue.getJob(dispatchJobId(event.id))).toBeUndefined();
    });

    it('moves its low-water mark past settled events only', async () => {
      const stuck = await entityChanged(context.store);
      const later = await entityChanged(context.store);
      await relayPast(relay, context.eventsQueue, [stuck.id, later.id]);
      await dispatcher.dispatch(later.id);
      const before = await checkpoints.load(RECONCILER_CHECKPOINT);

      await sut.reconcileOnce();
      expect(await checkpoints.load(RECONCILER_CHECKPOINT)).toEqual(before);

      await dispatcher.dispatch(stuck.id);
      await sut.reconcileOnce();
      expect(await checkpoints.load(RECONCILER_CHECKPOINT)).toEqual(
        await checkpoints.load(RELAY_CHECKPOINT),
      );
    });
  });

  describe('behind an event that is never dispatched', () => {
    /** Pages of 3 rows: the walk from the mark reads 3 rows, the scan beyond it 30 (10 pages). */
    const SMALL_PAGES: ReconcilerOptions = { ...NO_GRACE, batchLimit: 3 };
    let small: UndispatchedEvents;
    let warn: jest.SpyInstance;

    beforeEach(() => {
      small = new UndispatchedEvents(context.db, checkpoints, context.eventsQueue, SMALL_PAGES);
      warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    });
    afterEach(() => warn.mockRestore());

    /** Events nobody delivers (a user without API access): settled as soon as they are recorded. */
    async function settledEvents(count: number): Promise<void> {
      for (let i = 0; i < count; i++) await givenUser(context.store, { apiAccess: false });
    }

    /** Calls `small` until `done` holds; returns how many calls it took (Infinity: not within `max`). */
    async function passesUntil(done: () => Promise<boolean>, max: number): Promise<number> {
      for (let pass = 1; pass <= max; pass++) {
        await small.redispatch();
        if (await done()) return pass;
      }
      return Infinity;
    }

    const queued = (eventId: string) => async () =>
      (await context.eventsQueue.getJob(dispatchJobId(eventId))) !== undefined;

    it('still re-queues lost dispatches far beyond it, and warns about it once', async () => {
      const before = await checkpoints.load(RECONCILER_CHECKPOINT);
      // Its dispatch job waits on the paused queue: it stays undispatched, holding the mark.
      const stuck = await entityChanged(context.store);
      await settledEvents(35);
      const middle = await entityChanged(context.store);
      await settledEvents(30);
      const lost = await entityChanged(context.store);
      await relayPast(relay, context.eventsQueue, [stuck.id, middle.id, lost.id]);
      await context.eventsQueue.remove(dispatchJobId(lost.id));

      // 67 rows past the stuck event: out of reach of one call, found as the cursor moves on.
      const lostFound = await passesUntil(queued(lost.id), 5);
      expect(lostFound).toBeGreaterThan(1);
      expect(lostFound).toBeLessThanOrEqual(3);
      expect(await checkpoints.load(RECONCILER_CHECKPOINT)).toEqual(before);

      // Lost after the cursor went past it: found once the cursor wrapped back to the mark.
      await context.eventsQueue.remove(dispatchJobId(middle.id));
      expect(await passesUntil(queued(middle.id), 5)).toBeLessThanOrEqual(3);
      expect(await checkpoints.load(RECONCILER_CHECKPOINT)).toEqual(before);

      for (let pass = 0; pass < 6; pass++) await small.redispatch();
      const aboutStuck = warn.mock.calls.filter(([message]) => String(message).includes(stuck.id));
      expect(aboutStuck).toHaveLength(1);
      expect(warn.mock.calls.filter(([message]) => String(message).includes(lost.id))).toEqual([]);
      expect(await checkpoints.load(RECONCILER_CHECKPOINT)).toEqual(before);
    });

    it('lets the mark catch up once the event is dispatched', async () => {
      const before = await checkpoints.load(RECONCILER_CHECKPOINT);
      const stuck = await entityChanged(context.store);
      await settledEvents(40);
      await relayPast(relay, context.eventsQueue, [stuck.id]);
      await small.redispatch();
      expect(await checkpoints.load(RECONCILER_CHECKPOINT)).toEqual(before);

      await dispatcher.dispatch(stuck.id);
      const relayed = await checkpoints.load(RELAY_CHECKPOINT);
      const caughtUp = async () => {
        const mark = await checkpoints.load(RECONCILER_CHECKPOINT);
        return (
          mark?.transactionId === relayed?.transactionId && mark?.position === relayed?.position
        );
      };
      // 10 pages of 3 rows per call while everything read is settled.
      expect(await passesUntil(caughtUp, 5)).toBeLessThanOrEqual(2);
      expect(await checkpoints.load(RECONCILER_CHECKPOINT)).toEqual(relayed);
    });
  });

  describe('within the grace', () => {
    it('leaves recent deliveries and events to the normal path', async () => {
      const patient = new ReconcilerService(
        new LostDeliveryJobs(context.db, context.deliveriesQueue, context.config, {
          ...NO_GRACE,
          graceSeconds: 30,
        }),
        new UndispatchedEvents(context.db, checkpoints, context.eventsQueue, {
          ...NO_GRACE,
          graceSeconds: 30,
        }),
        NO_GRACE,
      );
      const { jobId } = await pendingDelivery();
      await context.deliveriesQueue.remove(jobId);
      const event = await entityChanged(context.store);
      await relayPast(relay, context.eventsQueue, [event.id]);
      await context.eventsQueue.remove(dispatchJobId(event.id));

      await expect(patient.reconcileOnce()).resolves.toEqual({
        deliveriesRequeued: 0,
        eventsRedispatched: 0,
      });
      await expect(sut.reconcileOnce()).resolves.toEqual({
        deliveriesRequeued: 1,
        eventsRedispatched: 1,
      });
    });
  });
});

describe(`${ReconcilerService.name} in the background`, () => {
  let context: WorkerTestContext;

  beforeAll(async () => {
    context = await createWorkerTestContext({
      imports: [RelayModule, DispatchModule, ReconcilerModule],
      configure: (builder) =>
        builder.overrideProvider(RECONCILER_OPTIONS).useValue({ ...NO_GRACE, intervalMs: 100 }),
      init: true,
    });
  });
  afterAll(() => context.close());

  it('re-enqueues lost work every interval until shut down', async () => {
    const owner = await givenUser(context.store);
    const webhookId = await givenWebhook(context.store, owner);
    const event = await entityChanged(context.store);
    const deliveryJob = async () => {
      const rows: { id: string; generation: number }[] = await context.db.query(
        'SELECT id, generation FROM deliveries WHERE event_id = $1 AND webhook_id = $2',
        [event.id, webhookId],
      );
      return rows[0] ? deliveryJobId(rows[0].id, rows[0].generation) : null;
    };
    let jobId: string | null = null;
    for (let i = 0; i < 200 && !jobId; i++) {
      jobId = await deliveryJob();
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(jobId).not.toBeNull();

    await context.deliveriesQueue.remove(jobId as string);
    let state = 'unknown';
    for (let i = 0; i < 200 && state === 'unknown'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      state = await context.deliveriesQueue.getJobState(jobId as string);
    }
    expect(state).toBe('waiting');
  });
});
