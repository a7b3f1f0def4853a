import { deliveryJobId, dispatchJobId, EVENTS_QUEUE } from '@herald/queues';
import { UnrecoverableError } from 'bullmq';
import { randomUUID } from 'node:crypto';
import {
  entityChanged,
  givenKeyCleared,
  givenUser,
  givenWebhook,
  givenWebhookDeleted,
  givenWebhookOff,
  pingWebhook,
} from '../testing/given-events';
import { createWorkerTestContext, type WorkerTestContext } from '../testing/worker-test-context';
import { DispatchModule } from './dispatch.module';
import { EventDispatcher, OWNER_API_ACCESS_OFF } from './event-dispatcher';

interface DeliveryRow {
  id: string;
  webhookId: string;
  type: string;
  status: string;
  reason: string | null;
  generation: number;
}

describe(EventDispatcher.name, () => {
  let context: WorkerTestContext;
  let sut: EventDispatcher;

  beforeAll(async () => {
    context = await createWorkerTestContext({ imports: [DispatchModule] });
    sut = context.module.get(EventDispatcher);
  });
  afterAll(() => context.close());

  const deliveriesOf = (eventId: string): Promise<DeliveryRow[]> =>
    context.db.query(
      `SELECT id, webhook_id AS "webhookId", type, status, reason, generation
         FROM deliveries WHERE event_id = $1 ORDER BY webhook_id`,
      [eventId],
    );
  const isDispatched = async (eventId: string) =>
    (await context.db.query('SELECT 1 FROM event_dispatches WHERE event_id = $1', [eventId]))
      .length === 1;

  describe('an entity change', () => {
    let owner: string;
    let ownerWithoutAccess: string;
    const matching: string[] = [];
    let skipped: string;
    let eventId: string;

    beforeAll(async () => {
      owner = await givenUser(context.store);
      ownerWithoutAccess = await givenUser(context.store, { apiAccess: false });
      const { store } = context;
      matching.push(
        await givenWebhook(store, owner, { entity: 'Contact', operation: 'Update' }),
        await givenWebhook(store, owner, { entity: 'Contact', operation: '*' }),
        await givenWebhook(store, owner, { entity: '*', operation: 'Update' }),
        await givenWebhook(store, owner, { entity: '*', operation: '*' }),
      );
      await givenWebhook(store, owner, { entity: 'Contact', operation: 'Create' });
      await givenWebhook(store, owner, { entity: 'Company', operation: 'Update' });
      await givenWebhook(store, owner, { entity: 'Contact', operation: 'Update', status: 'off' });
      const turnedOff = await givenWebhook(store, owner);
      await givenWebhookOff(store, turnedOff);
      const deleted = await givenWebhook(store, owner);
      await givenWebhookDeleted(store, deleted);
      skipped = await givenWebhook(store, ownerWithoutAccess);

      eventId = (await entityChanged(store, { entity: 'Contact', operation: 'Update' })).id;
      await expect(sut.dispatch(eventId)).resolves.toEqual({ created: 5, enqueued: 4 });
    });

    it('records one pending delivery per matching webhook, wildcards included, and no other', async () => {
      const rows = await deliveriesOf(eventId);
      const pending = rows.filter((row) => row.status === 'pending');
      expect(pending.map((row) => row.webhookId).sort()).toEqual([...matching].sort());
      for (const row of pending) {
        expect(row).toMatchObject({ type: 'Contact.Update', reason: null, generation: 1 });
      }
    });

    it('records the delivery of an owner without API access as skipped, with the reason', async () => {
      const rows = await deliveriesOf(eventId);
      expect(rows.filter((row) => row.status === 'skipped')).toEqual([
        expect.objectContaining({ webhookId: skipped, reason: OWNER_API_ACCESS_OFF }),
      ]);
      expect(rows).toHaveLength(5);
    });

    it('marks the event dispatched and queues one job per pending delivery', async () => {
      expect(await isDispatched(eventId)).toBe(true);
      for (const row of await deliveriesOf(eventId)) {
        const job = await context.deliveriesQueue.getJob(deliveryJobId(row.id, row.generation));
        if (row.status === 'pending') {
          expect(job?.data).toEqual({ deliveryId: row.id, generation: 1 });
          expect(job?.opts.removeOnComplete).toBeDefined();
          expect(job?.opts.removeOnFail).toBeDefined();
        } else {
          expect(job).toBeUndefined();
        }
      }
    });

    it('creates and queues nothing new when it runs again', async () => {
      const rows = await deliveriesOf(eventId);
      const jobs = await context.deliveriesQueue.getJobCounts();
      await expect(sut.dispatch(eventId)).resolves.toEqual({ created: 0, enqueued: 4 });
      expect(await deliveriesOf(eventId)).toEqual(rows);
      expect(await context.deliveriesQueue.getJobCounts()).toEqual(jobs);
    });

    it('queues a pending delivery again when its job was lost, with the same job id', async () => {
      const [row] = (await deliveriesOf(eventId)).filter((r) => r.status === 'pending');
      await context.deliveriesQueue.remove(deliveryJobId(row.id, row.generation));
      await sut.dispatch(eventId);
      expect(
        await context.deliveriesQueue.getJob(deliveryJobId(row.id, row.generation)),
      ).toBeDefined();
    });
  });

  describe('an API key event', () => {
    it("goes to the subject user's own ApiKey webhooks and to admins', not to other users'", async () => {
      const { store } = context;
      const subject = await givenUser(store);
      const otherUser = await givenUser(store);
      const admin = await givenUser(store, { role: 'admin' });
      const subjects = await givenWebhook(store, subject, { entity: 'ApiKey', operation: '*' });
      const admins = await givenWebhook(store, admin, { entity: 'ApiKey', operation: 'Clear' });
      await givenWebhook(store, otherUser, { entity: 'ApiKey', operation: '*' });
      await givenWebhook(store, admin, { entity: 'ApiKey', operation: 'Regenerate' });

      const cleared = await givenKeyCleared(store, subject);
      await sut.dispatch(cleared.id);

      const rows = await deliveriesOf(cleared.id);
      expect(rows.map((row) => row.webhookId).sort()).toEqual([subjects, admins].sort());
      // The subject's access is off now: their own webhook is paused, the admin's is not.
      expect(rows.find((row) => row.webhookId === subjects)).toMatchObject({
        status: 'skipped',
        reason: OWNER_API_ACCESS_OFF,
        type: 'ApiKey.Clear',
      });
      expect(rows.find((row) => row.webhookId === admins)).toMatchObject({ status: 'pending' });
    });
  });

  describe('a ping', () => {
    it('goes to its webhook only, as Webhook.Ping', async () => {
      const owner = await givenUser(context.store);
      const pinged = await givenWebhook(context.store, owner, { entity: '*', operation: '*' });
      await givenWebhook(context.store, owner, { entity: '*', operation: '*' });
      const ping = await pingWebhook(context.store, pinged);

      await sut.dispatch(ping.id);

      expect(await deliveriesOf(ping.id)).toEqual([
        expect.objectContaining({ webhookId: pinged, type: 'Webhook.Ping', status: 'pending' }),
      ]);
    });

    it('goes nowhere when its webhook is off or deleted, and the event still counts as dispatched', async () => {
      const owner = await givenUser(context.store);
      const off = await givenWebhook(context.store, owner);
      const deleted = await givenWebhook(context.store, owner);
      const pingOff = await pingWebhook(context.store, off);
      const pingDeleted = await pingWebhook(context.store, deleted);
      await givenWebhookOff(context.store, off);
      await givenWebhookDeleted(context.store, deleted);

      for (const ping of [pingOff, pingDeleted]) {
        await sut.dispatch(ping.id);
        expect(await deliveriesOf(ping.id)).toEqual([]);
        expect(await isDispatched(ping.id)).toBe(true);
      }
    });
  });

  it('does not send an event to a webhook subscribed after the event was recorded (a lagging relay)', async () => {
    const owner = await givenUser(context.store);
    const before = await givenWebhook(context.store, owner, { entity: 'Job', operation: 'Create' });
    const event = await entityChanged(context.store, { entity: 'Job', operation: 'Create' });
    const after = await givenWebhook(context.store, owner, { entity: 'Job', operation: 'Create' });

    await sut.dispatch(event.id);

    const webhooks = (await deliveriesOf(event.id)).map((row) => row.webhookId);
    expect(webhooks).toContain(before);
    expect(webhooks).not.toContain(after);
  });

  it('marks an event no webhook can match as dispatched, with no deliveries', async () => {
    const [userCreated] = await context.db.query(
      `SELECT id FROM events WHERE type = 'UserCreated' LIMIT 1`,
    );
    await expect(sut.dispatch(userCreated.id)).resolves.toEqual({ created: 0, enqueued: 0 });
    expect(await isDispatched(userCreated.id)).toBe(true);
  });

  it('fails for good (no retries) for an event that does not exist', async () => {
    const dispatching = sut.dispatch(randomUUID());
    await expect(dispatching).rejects.toThrow('does not exist');
    await expect(dispatching).rejects.toBeInstanceOf(UnrecoverableError);
  });
});

describe('DispatchProcessor', () => {
  let context: WorkerTestContext;

  beforeAll(async () => {
    context = await createWorkerTestContext({ imports: [DispatchModule], init: true });
  });
  afterAll(() => context.close());

  it('dispatches the events queue’s jobs and keeps no return value', async () => {
    const owner = await givenUser(context.store);
    const webhookId = await givenWebhook(context.store, owner);
    const event = await entityChanged(context.store);
    expect(context.eventsQueue.name).toBe(EVENTS_QUEUE);

    await context.eventsQueue.add(
      'dispatch',
      { eventId: event.id },
      { jobId: dispatchJobId(event.id) },
    );

    const deadline = Date.now() + 10_000;
    let state = '';
    while (Date.now() < deadline && state !== 'completed') {
      state = await context.eventsQueue.getJobState(dispatchJobId(event.id));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(state).toBe('completed');
    const job = await context.eventsQueue.getJob(dispatchJobId(event.id));
    expect(job?.returnvalue ?? null).toBeNull();
    const [row] = await context.db.query(
      'SELECT webhook_id AS "webhookId", status FROM deliveries WHERE event_id = $1',
      [event.id],
    );
    expect(row).toEqual({ webhookId, status: 'pending' });
  });
});
