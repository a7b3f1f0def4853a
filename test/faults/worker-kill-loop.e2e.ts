// Fault 1 (issue 5): the worker is killed with `kill -9` 0.5–1.5 s after each start while deliveries
// are under way — 30 kills over 5,000 deliveries at soak size, 5 kills over 1,200 at the quick
// size — and restarted each time. Each cycle's entity changes are reported while the worker is
// down; every kill lands while the worker is busy (rows pending, a request just arrived).
//
// Pass criterion: every (event, webhook) pair that matched arrives — lost = 0, unexpected = 0;
// every duplicate carries the same `webhook-id` and byte-identical body, every request verifies
// with the webhook's secret and its body names the event of its `webhook-id`; every delivery row
// ends `succeeded`; and the backlog is drained (every pair arrived, no row pending) within
// DRAIN_BOUND_MS of the last kill. The bound covers a new worker's start, the job lock of the jobs
// the killed worker held (HERALD_JOB_LOCK_MS here: they run again within about twice it), and the
// reconciler's 30 s grace for a job BullMQ failed after a second stall.
import {
  newApiUser,
  postEntityChanges,
  startWebhookReceiver,
  subscribeWebhook,
  type EntityChangeInput,
  type WebhookReceiver,
} from '@herald/testing';
import {
  DeliveryLedger,
  SOUND_DELIVERY,
  startProcessSystem,
  type HeraldProcess,
  type ProcessSystem,
} from '@herald/testing/processes';
import { soakSize } from './soak';
import { deliveryStatuses, reportFigures, sleep, waitUntil } from './fault-figures';

const EVENTS = soakSize(600, 2500);
const KILLS = soakSize(5, 30);
const HOOKS = ['/hooks/kill-loop/a', '/hooks/kill-loop/b'];
/**
 * A kill lands this long after the restarted worker is ready, and only once it is busy. A cycle's
 * deliveries take longer than that: 8 in flight to the one endpoint, each answered after 100 ms.
 */
const KILL_AFTER_MS = { min: 500, max: 1500 };
const JOB_LOCK_MS = 5000;
/** Soak: the backlog at the last kill is up to ~1,000 deliveries (the producer outpaces a worker killed every few seconds). */
const DRAIN_BOUND_MS = soakSize(60_000, 120_000);
/** Each request is answered after this: attempts are in flight when the kill lands. */
const RECEIVER_DELAY_MS = 100;

describe('fault: worker killed with kill -9 in a loop', () => {
  let system: ProcessSystem;
  let receiver: WebhookReceiver;
  const ledger = new DeliveryLedger();

  beforeAll(async () => {
    [system, receiver] = await Promise.all([
      startProcessSystem({
        env: {
          HERALD_JOB_LOCK_MS: String(JOB_LOCK_MS),
          HERALD_MAX_IN_FLIGHT_PER_ENDPOINT: '8',
        },
      }),
      startWebhookReceiver({
        respond: (request) => {
          ledger.record(request);
          return { status: 200, body: 'ok', delayMs: RECEIVER_DELAY_MS };
        },
      }),
    ]);
  }, 180_000);

  afterAll(async () => {
    await receiver?.close();
    await system?.close();
  });

  it(
    'delivers every pair, keeps duplicates identical, and drains within the bound',
    async () => {
      const startedAt = Date.now();
      const user = await newApiUser(system);
      for (const hook of HOOKS) {
        const { secret } = await subscribeWebhook(system, user.apiKey, {
          url: `${receiver.url}${hook}`,
          entity: 'Contact',
          operation: '*',
        });
        receiver.addSecret(secret);
      }
      let worker: HeraldProcess = await system.startWorker();

      const post = async (batch: number, size: number) => {
        const changes: EntityChangeInput[] = Array.from({ length: size }, (_, index) => ({
          entity: 'Contact',
          entityId: `c-${batch}-${index}`,
          operation: 'Update',
          data: { batch, index, note: 'x'.repeat(index % 7) },
        }));
        const events = await postEntityChanges(system, user.apiKey, changes);
        for (const event of events) for (const hook of HOOKS) ledger.expect(hook, event.eventId);
        return events.map((event) => event.eventId);
      };

      // Each cycle's changes are reported while the worker is down (a backlog waits for it) and
      // the kill lands 0.5–1.5 s after it is ready, once the worker is busy.
      const perCycle = Math.ceil(EVENTS / KILLS);
      const backlogAtKills: number[] = [];
      let lastKillAt = 0;
      for (let kill = 1; kill <= KILLS; kill += 1) {
        await post(kill, Math.min(perCycle, EVENTS - (kill - 1) * perCycle));
        if (kill > 1) worker = await system.startWorker();
        const wait = KILL_AFTER_MS.min + Math.random() * (KILL_AFTER_MS.max - KILL_AFTER_MS.min);
        await sleep(wait);
        // Kill while the worker is busy: rows pending and a request arrived just now.
        await waitUntil(
          async () =>
            Date.now() - (receiver.requests.at(-1)?.receivedAt ?? 0) < 200 &&
            ((await deliveryStatuses(system)).pending ?? 0) > 0,
          30_000,
          20,
        );
        backlogAtKills.push((await deliveryStatuses(system)).pending ?? 0);
        worker.signal('SIGKILL');
        const exit = await worker.exited;
        expect(exit.signal).toBe('SIGKILL');
        lastKillAt = Date.now();
      }
      await system.startWorker();
      const kills = backlogAtKills.length;

      const drained = await waitUntil(
        async () =>
          ledger.missing().length === 0 && ((await deliveryStatuses(system)).pending ?? 0) === 0,
        DRAIN_BOUND_MS + 60_000,
        250,
      );
      const drainMs = Date.now() - lastKillAt;

      const summary = ledger.summary();
      const statuses = await deliveryStatuses(system);
      const mismatched = receiver.requests.filter(
        (request) =>
          (request.json as { data?: { eventId?: string } } | undefined)?.data?.eventId !==
          request.headers['webhook-id'],
      );
      reportFigures('worker-kill-loop', {
        runs: system.workers.length,
        kills,
        killsWithBacklog: backlogAtKills.filter((backlog) => backlog > 0).length,
        maxBacklogAtKill: Math.max(...backlogAtKills),
        events: EVENTS,
        pairs: summary.expected,
        deliveries: receiver.requests.length,
        lost: summary.lost,
        unexpected: summary.unexpected,
        duplicates: summary.duplicated,
        extraArrivals: summary.extraArrivals,
        drainMs,
        drainBoundMs: DRAIN_BOUND_MS,
        durationMs: Date.now() - startedAt,
      });

      expect(drained).toBe(true);
      expect(summary).toEqual({
        expected: EVENTS * HOOKS.length,
        delivered: EVENTS * HOOKS.length,
        ...SOUND_DELIVERY,
        duplicated: summary.duplicated,
        extraArrivals: summary.extraArrivals,
      });
      expect(mismatched.map((request) => request.index)).toEqual([]);
      expect(statuses).toEqual({ succeeded: EVENTS * HOOKS.length });
      expect(drainMs).toBeLessThanOrEqual(DRAIN_BOUND_MS);
      // The kills landed on work in flight, not on an idle worker.
      expect(backlogAtKills.filter((backlog) => backlog > 0).length).toBe(KILLS);
    },
    soakSize(240_000, 900_000),
  );
});
