// Fault 6 (issue 5): SIGTERM reaches the worker while slow deliveries are in flight (the receiver
// takes SLOW_MS to answer each one). Repeated for ROUNDS workers in a row; a last worker drains.
//
// Pass criterion, per round: the worker exits by itself with code 0 (not by a signal, not by its
// shutdown timeout) within SHUTDOWN_BOUND_MS of the SIGTERM; every request it had in flight was
// answered, and recorded — as many attempts in PostgreSQL as requests received, each with status
// 200, and each such delivery `succeeded`; nothing is left stalled — no job of either queue is
// `active` in Redis once it has exited. Overall: every (event, webhook) pair arrives exactly once —
// lost = 0, unexpected = 0, duplicated = 0 (a job released mid-attempt and run again would show
// up as a duplicate), every request verifies — and every delivery row ends `succeeded`.
import {
  newApiUser,
  postEntityChanges,
  startWebhookReceiver,
  subscribeWebhook,
  type WebhookReceiver,
} from '@herald/testing';
import {
  DeliveryLedger,
  SOUND_DELIVERY,
  startProcessSystem,
  type ProcessSystem,
} from '@herald/testing/processes';
import { bullmqOptions, DELIVERIES_QUEUE, EVENTS_QUEUE } from '@herald/queues';
import { loadConfig } from '@herald/config';
import { Queue } from 'bullmq';
import { soakSize } from './soak';
import { deliveryStatuses, reportFigures, sleep, waitUntil } from './fault-figures';

const ROUNDS = soakSize(2, 6);
const EVENTS = soakSize(40, 300);
const HOOK = '/hooks/graceful';
const SLOW_MS = 3000;
const DELIVERY_TIMEOUT_MS = 10_000;
const IN_FLIGHT_PER_ENDPOINT = 8;
/** The slowest attempt in flight can take the whole deadline; then the queues and pools close. */
const SHUTDOWN_BOUND_MS = DELIVERY_TIMEOUT_MS + 5000;
/** The SIGTERM lands once at least this many attempts are in flight. */
const IN_FLIGHT_AT_SIGTERM = 4;

describe('fault: SIGTERM during in-flight slow deliveries', () => {
  let system: ProcessSystem;
  let receiver: WebhookReceiver;
  let queues: Queue[] = [];
  let answered = 0;
  const ledger = new DeliveryLedger();

  beforeAll(async () => {
    [system, receiver] = await Promise.all([
      startProcessSystem({
        env: {
          HERALD_DELIVERY_TIMEOUT_MS: String(DELIVERY_TIMEOUT_MS),
          HERALD_MAX_IN_FLIGHT_PER_ENDPOINT: String(IN_FLIGHT_PER_ENDPOINT),
        },
      }),
      startWebhookReceiver({
        respond: async (request) => {
          ledger.record(request);
          await sleep(SLOW_MS);
          answered += 1;
          return { status: 200, body: 'ok' };
        },
      }),
    ]);
    const options = bullmqOptions(loadConfig(system.env));
    queues = [new Queue(EVENTS_QUEUE, options), new Queue(DELIVERIES_QUEUE, options)];
  }, 180_000);

  afterAll(async () => {
    await Promise.all(queues.map((queue) => queue.close()));
    await receiver?.close();
    await system?.close();
  });

  it(
    'exits cleanly, leaves nothing stalled, and loses nothing',
    async () => {
      const startedAt = Date.now();
      const user = await newApiUser(system);
      const { secret } = await subscribeWebhook(system, user.apiKey, {
        url: `${receiver.url}${HOOK}`,
        entity: 'Contact',
        operation: 'Create',
      });
      receiver.addSecret(secret);
      const events = await postEntityChanges(
        system,
        user.apiKey,
        Array.from({ length: EVENTS }, (_, index) => ({
          entity: 'Contact',
          entityId: `graceful-${index}`,
          operation: 'Create',
        })),
      );
      for (const event of events) ledger.expect(HOOK, event.eventId);

      const rounds: { inFlight: number; exitMs: number; exit: string }[] = [];
      for (let round = 1; round <= ROUNDS; round += 1) {
        const worker = await system.startWorker();
        const inFlight = () => receiver.requests.length - answered;
        expect(await waitUntil(() => inFlight() >= IN_FLIGHT_AT_SIGTERM, 30_000, 20)).toBe(true);
        const inFlightAtSigterm = inFlight();
        const sigtermAt = Date.now();
        worker.signal('SIGTERM');
        const exit = await worker.exited;
        const exitMs = Date.now() - sigtermAt;
        rounds.push({ inFlight: inFlightAtSigterm, exitMs, exit: `${exit.code ?? exit.signal}` });

        expect(exit).toEqual({ code: 0, signal: null });
        expect(exitMs).toBeLessThanOrEqual(SHUTDOWN_BOUND_MS);
        // Every request sent was answered before the exit, and recorded.
        expect(inFlight()).toBe(0);
        const [attempts] = await system.db.query<{ total: string; ok: string }[]>(
          `SELECT count(*) AS total, count(*) FILTER (WHERE status_code = 200) AS ok
           FROM delivery_attempts`,
        );
        expect({ total: Number(attempts.total), ok: Number(attempts.ok) }).toEqual({
          total: receiver.requests.length,
          ok: receiver.requests.length,
        });
        expect((await deliveryStatuses(system)).succeeded).toBe(receiver.requests.length);
        for (const queue of queues) expect(await queue.getActiveCount()).toBe(0);
      }

      const drainStartedAt = Date.now();
      await system.startWorker();
      const drained = await waitUntil(
        async () =>
          ledger.missing().length === 0 && ((await deliveryStatuses(system)).pending ?? 0) === 0,
        soakSize(120_000, 300_000),
        250,
      );
      const drainMs = Date.now() - drainStartedAt;
      const summary = ledger.summary();

      reportFigures('graceful-shutdown', {
        runs: ROUNDS,
        sigterms: ROUNDS,
        inFlightAtSigterm: rounds.map((r) => r.inFlight),
        exitMs: rounds.map((r) => r.exitMs),
        shutdownBoundMs: SHUTDOWN_BOUND_MS,
        events: EVENTS,
        pairs: summary.expected,
        deliveries: receiver.requests.length,
        lost: summary.lost,
        unexpected: summary.unexpected,
        duplicates: summary.duplicated,
        drainMs,
        durationMs: Date.now() - startedAt,
      });

      expect(drained).toBe(true);
      expect(summary).toEqual({
        expected: EVENTS,
        delivered: EVENTS,
        ...SOUND_DELIVERY,
        duplicated: 0,
        extraArrivals: 0,
      });
      expect(await deliveryStatuses(system)).toEqual({ succeeded: EVENTS });
    },
    soakSize(240_000, 600_000),
  );
});
