// Fault 2 (issue 5): Redis loses its data mid-run — (a) `kill -9` and a restart on the same data
// directory (AOF, fsync every second: up to a second of writes is gone), (b) `FLUSHALL` (every job
// is gone). PostgreSQL is the source of truth; the reconciler re-enqueues what Redis forgot.
//
// Pass criterion, per case: entity changes are reported before, during and after the fault, to a
// user with two webhooks; every (event, webhook) pair that matched arrives: lost = 0,
// unexpected = 0, every duplicate keeps its webhook-id and body, every request verifies; the API
// answered every report with 202 (no 5xx); the one worker, never restarted, delivered everything
// (same PID, still running, ready again) within DRAIN_BOUND_MS of the fault — the bound covers the
// reconciler's 30 s grace before it touches a job it believes lost.
import {
  newApiUser,
  startWebhookReceiver,
  subscribeWebhook,
  type EntityChangeInput,
  type ReceivedRequest,
  type WebhookReceiver,
} from '@herald/testing';
import {
  DeliveryLedger,
  SOUND_DELIVERY,
  httpStatus,
  startProcessSystem,
  type HeraldProcess,
  type ProcessSystem,
} from '@herald/testing/processes';
import { deliveryJobId, dispatchJobId, DELIVERIES_QUEUE, EVENTS_QUEUE } from '@herald/queues';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { soakSize } from './soak';
import { reportFigures, sleep } from './fault-figures';

const EVENTS = soakSize(240, 3000);
const BATCH = 10;
/**
 * Jobs Redis forgot wait for the reconciler's 30 s grace; jobs Redis still holds as taken (claimed
 * just before the crash, the worker never heard back) run again only after BullMQ's stalled check,
 * about 2 × the 30 s job lock. Typically it drains in seconds; this bound leaves room for both and
 * for a loaded box.
 */
const DRAIN_BOUND_MS = soakSize(120_000, 180_000);
const CONTACTS = '/hooks/redis-loss/contacts';
const UPDATES = '/hooks/redis-loss/updates';

type Fault = 'kill -9' | 'FLUSHALL';

/** Which webhook paths an entity change reaches: Contact.* and *.Update. */
function pathsFor(change: EntityChangeInput): string[] {
  return [
    ...(change.entity === 'Contact' ? [CONTACTS] : []),
    ...(change.operation === 'Update' ? [UPDATES] : []),
  ];
}

const pairKey = (webhookPath: string, eventId: string) => `${webhookPath} ${eventId}`;
const arrivalKey = (request: ReceivedRequest) =>
  pairKey(request.path, request.headers['webhook-id'] ?? '');

async function breakRedis(system: ProcessSystem, fault: Fault): Promise<void> {
  if (fault === 'FLUSHALL') {
    const client = new Redis(system.redis.url, { maxRetriesPerRequest: 1 });
    try {
      await client.flushall();
    } finally {
      client.disconnect();
    }
    return;
  }
  await system.redis.kill();
  // A moment with no Redis at all: the API keeps taking reports, the worker keeps reconnecting.
  await sleep(1500);
  await system.redis.restart();
}

/**
 * Where the missing pairs are stuck, for the failure message: their events' dispatch, their
 * delivery rows, the jobs that should carry them, and what the worker logged.
 */
async function explainMissing(
  system: ProcessSystem,
  worker: HeraldProcess,
  missing: string[],
): Promise<string> {
  const eventIds = [...new Set(missing.map((key) => key.split(' ')[1]))];
  const events: { id: string; dispatched: boolean }[] = await system.db.query(
    `SELECT e.id, d.event_id IS NOT NULL AS dispatched
       FROM events e LEFT JOIN event_dispatches d ON d.event_id = e.id WHERE e.id = ANY($1::uuid[])`,
    [eventIds],
  );
  const deliveries: { id: string; event_id: string; generation: number }[] = await system.db.query(
    `SELECT id, event_id, status, attempt_count, generation, next_attempt_at, reason
       FROM deliveries WHERE event_id = ANY($1::uuid[])`,
    [eventIds],
  );
  const checkpoints = await system.db.query('SELECT * FROM relay_checkpoints');
  const connection = { host: '127.0.0.1', port: system.redis.port, maxRetriesPerRequest: 1 };
  const prefix = system.env.HERALD_REDIS_PREFIX;
  const eventsQueue = new Queue(EVENTS_QUEUE, { connection, prefix });
  const deliveriesQueue = new Queue(DELIVERIES_QUEUE, { connection, prefix });
  try {
    const jobs: Record<string, string> = {};
    for (const event of events)
      jobs[dispatchJobId(event.id)] = await eventsQueue.getJobState(dispatchJobId(event.id));
    for (const row of deliveries) {
      const id = deliveryJobId(row.id, row.generation);
      jobs[id] = await deliveriesQueue.getJobState(id);
    }
    const counts = {
      events: await eventsQueue.getJobCounts(),
      deliveries: await deliveriesQueue.getJobCounts(),
    };
    const log = worker
      .output()
      .split('\n')
      .filter((line) => /"level":(40|50|60)|error|warn/i.test(line))
      .slice(-30);
    return JSON.stringify({ events, deliveries, checkpoints, jobs, counts, log }, null, 1);
  } finally {
    await Promise.all([eventsQueue.close(), deliveriesQueue.close()]);
  }
}

describe('Redis loss', () => {
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    // A little latency per request keeps a backlog of jobs in Redis when the fault strikes.
    receiver = await startWebhookReceiver({
      respond: () => ({ status: 200, body: 'ok', delayMs: 20 }),
    });
  });

  afterAll(async () => {
    await receiver?.close();
  });

  it.each<Fault>(['kill -9', 'FLUSHALL'])(
    'delivers everything after Redis %s, with the worker recovering on its own',
    async (fault) => {
      const started = Date.now();
      const prefix = `${fault === 'FLUSHALL' ? 'flush' : 'kill'}-${Date.now()}`;
      let system: ProcessSystem | undefined;
      try {
        system = await startProcessSystem();
        const worker: HeraldProcess = await system.startWorker();
        const user = await newApiUser(system);
        for (const [webhookPath, entity, operation] of [
          [CONTACTS, 'Contact', '*'],
          [UPDATES, '*', 'Update'],
        ]) {
          const { secret } = await subscribeWebhook(system, user.apiKey, {
            url: `${receiver.url}${webhookPath}?${prefix}`,
            entity,
            operation,
          });
          receiver.addSecret(secret);
        }
        const mine = (request: ReceivedRequest) => request.path.endsWith(`?${prefix}`);
        const pathOf = (webhookPath: string) => `${webhookPath}?${prefix}`;

        const expected = new Set<string>();
        const ledger = new DeliveryLedger();
        const statuses: number[] = [];
        const post = async (changes: EntityChangeInput[]) => {
          const response = await system!.http
            .post('/v1/entity-changes')
            .set('authorization', `Bearer ${user.apiKey}`)
            .send(changes);
          statuses.push(response.status);
          if (response.status !== 202) return;
          const events = (response.body as { events: { eventId: string }[] }).events;
          changes.forEach((change, index) => {
            for (const webhookPath of pathsFor(change)) {
              expected.add(pairKey(pathOf(webhookPath), events[index].eventId));
              ledger.expect(pathOf(webhookPath), events[index].eventId);
            }
          });
        };

        const batches = Math.ceil(EVENTS / BATCH);
        let faultAt = 0;
        let arrivedBeforeFault = 0;
        let faulted: Promise<void> = Promise.resolve();
        for (let batch = 0; batch < batches; batch++) {
          if (batch === Math.floor(batches / 2)) {
            faultAt = Date.now();
            arrivedBeforeFault = receiver.requests.filter(mine).length;
            // Reports keep coming while Redis is gone.
            faulted = breakRedis(system, fault);
          }
          const changes = Array.from({ length: BATCH }, (_, index) => {
            const n = batch * BATCH + index;
            return {
              entity: n % 2 === 0 ? 'Contact' : 'Company',
              entityId: String(n % 17),
              operation: n % 3 === 0 ? 'Create' : 'Update',
              data: { n },
            };
          });
          await post(changes);
          await sleep(50);
        }
        await faulted;

        // Drain: every expected pair has arrived at least once.
        const deadline = faultAt + DRAIN_BOUND_MS;
        const arrived = () => new Set(receiver.requests.filter(mine).map(arrivalKey));
        while ([...expected].some((key) => !arrived().has(key)) && Date.now() < deadline) {
          await sleep(250);
        }
        const drainMs = Date.now() - faultAt;
        // Late duplicates (a reconciler pass already in flight) still count in the ledger.
        await sleep(2000);
        for (const request of receiver.requests.filter(mine)) ledger.record(request);
        const summary = ledger.summary();

        reportFigures(`redis-loss ${fault}`, {
          runs: 1,
          events: batches * BATCH,
          pairs: summary.expected,
          deliveries: receiver.requests.filter(mine).length,
          lost: summary.lost,
          duplicates: summary.extraArrivals,
          arrivedBeforeFault,
          drainMs,
          durationMs: Date.now() - started,
        });

        expect(statuses.filter((status) => status !== 202)).toEqual([]);
        if (ledger.missing().length > 0)
          throw new Error(
            `${ledger.missing().length} pairs lost: ${await explainMissing(system, worker, ledger.missing())}`,
          );
        expect(summary).toMatchObject(SOUND_DELIVERY);
        expect(summary.expected).toBeGreaterThan(EVENTS / 2);
        expect(drainMs).toBeLessThan(DRAIN_BOUND_MS);
        // The same worker did it: never restarted, still running and ready.
        expect(system.workers).toHaveLength(1);
        expect(worker.rssBytes()).toBeGreaterThan(0);
        expect(await httpStatus(`${worker.url}/health/ready`)).toBe(200);
        expect(await httpStatus(`${system.api.url}/health/ready`)).toBe(200);
      } finally {
        await system?.close();
      }
    },
    DRAIN_BOUND_MS + 90_000,
  );
});
