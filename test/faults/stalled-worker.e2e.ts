// Fault 5 (issue 5): a worker is frozen with SIGSTOP in the middle of a delivery, for longer than
// its job lock, while a second worker runs; then it is continued with SIGCONT.
//
// Worker A sends the delivery's first attempt; the receiver holds that request without answering
// and freezes A the moment it arrives. Worker B starts. A's lock on the job lapses
// (HERALD_JOB_LOCK_MS), B's stalled check moves the job back to waiting, B sends it again and the
// receiver answers 200 at once. Only then is A continued: its attempt ends at its deadline.
//
// Pass criterion: exactly one success is recorded for the job — the delivery row is `succeeded`;
// of its attempts (numbered 1, 2, … without gaps, as many as `attempt_count`) exactly one has a 2xx
// status; `herald_deliveries_total{outcome="succeeded"}` summed over both workers is 1; the
// receiver answered 2xx exactly once. Ledger: lost = 0, unexpected = 0, no pair accepted twice;
// both requests the receiver got carry the same `webhook-id` and byte-identical body. A was frozen
// for longer than the job lock, and after SIGCONT it records its late attempt and stays ready.
import {
  newApiUser,
  postEntityChange,
  startWebhookReceiver,
  subscribeWebhook,
  type ReceivedRequest,
  type WebhookReceiver,
} from '@herald/testing';
import { parsePrometheusText } from '@herald/testing/prometheus-text';
import {
  DeliveryLedger,
  startProcessSystem,
  type HeraldProcess,
  type ProcessSystem,
} from '@herald/testing/processes';
import { readFileSync } from 'node:fs';
import { reportFigures, sleep, waitUntil } from './fault-figures';

const JOB_LOCK_MS = 2000;
const DELIVERY_TIMEOUT_MS = 5000;
/** B takes the job over within about twice the lock after A froze; generous for a loaded box. */
const TAKEOVER_BOUND_MS = 30_000;
const HOOK = '/hooks/stalled';

/** `T` while stopped by a signal (the third field of /proc/<pid>/stat). */
function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}

async function succeededDeliveries(worker: HeraldProcess): Promise<number> {
  const response = await fetch(`${worker.url}/metrics`);
  return parsePrometheusText(await response.text()).sum('herald_deliveries_total', {
    outcome: 'succeeded',
  });
}

describe('fault: a worker frozen past its job lock while a second worker runs', () => {
  let system: ProcessSystem;
  let receiver: WebhookReceiver;
  let workerA: HeraldProcess | undefined;
  let frozenAt = 0;
  /** Requests the receiver answered 2xx. */
  const accepted: ReceivedRequest[] = [];

  beforeAll(async () => {
    [system, receiver] = await Promise.all([
      startProcessSystem({
        env: {
          HERALD_JOB_LOCK_MS: String(JOB_LOCK_MS),
          HERALD_DELIVERY_TIMEOUT_MS: String(DELIVERY_TIMEOUT_MS),
        },
      }),
      startWebhookReceiver({
        respond: (request) => {
          if (request.index === 0) {
            // A sent it: freeze A while its attempt is in flight, and never answer it.
            workerA?.signal('SIGSTOP');
            frozenAt = Date.now();
            return 'hang';
          }
          accepted.push(request);
          return { status: 200, body: 'ok' };
        },
      }),
    ]);
  }, 180_000);

  afterAll(async () => {
    workerA?.signal('SIGCONT');
    await receiver?.close();
    await system?.close();
  });

  it('records exactly one success for the job', async () => {
    const startedAt = Date.now();
    const user = await newApiUser(system);
    const { secret } = await subscribeWebhook(system, user.apiKey, {
      url: `${receiver.url}${HOOK}`,
      entity: 'Contact',
      operation: 'Update',
    });
    receiver.addSecret(secret);
    workerA = await system.startWorker();
    const event = await postEntityChange(system, user.apiKey, {
      entity: 'Contact',
      entityId: 'frozen-1',
      operation: 'Update',
      data: { name: 'Ada' },
    });

    await receiver.waitForRequests(1, 30_000);
    // The stop takes effect asynchronously: a busy process may still read as running for a moment.
    expect(await waitUntil(() => processState(workerA!.pid) === 'T', 5000, 20)).toBe(true);
    const workerB = await system.startWorker();

    await receiver.waitForRequests(2, TAKEOVER_BOUND_MS);
    const takeoverMs = receiver.requests[1].receivedAt - frozenAt;
    const [{ id: deliveryId }] = await system.db.query<{ id: string }[]>(
      'SELECT id FROM deliveries WHERE event_id = $1',
      [event.eventId],
    );
    const status = async () =>
      (
        await system.db.query<{ status: string; attempt_count: number }[]>(
          'SELECT status, attempt_count FROM deliveries WHERE id = $1',
          [deliveryId],
        )
      )[0];
    expect(await waitUntil(async () => (await status()).status === 'succeeded', 15_000)).toBe(true);
    // A has been frozen past its lock (B could only take over once it lapsed); keep it so a
    // little longer, then let it go on with the attempt it was in the middle of.
    await sleep(500);
    const frozenMs = Date.now() - frozenAt;
    expect(processState(workerA.pid)).toBe('T');
    workerA.signal('SIGCONT');

    // A's attempt ends (at its deadline: the receiver never answers it) and is recorded too.
    expect(
      await waitUntil(
        async () => (await status()).attempt_count >= 2,
        DELIVERY_TIMEOUT_MS + 15_000,
      ),
    ).toBe(true);
    await workerA.waitReady(15_000);
    await sleep(1000); // anything A would still record after its attempt

    const attempts = await system.db.query<
      { number: number; status_code: number | null; error: string | null }[]
    >(
      'SELECT number, status_code, error FROM delivery_attempts WHERE delivery_id = $1 ORDER BY number',
      [deliveryId],
    );
    const row = await status();
    const successes = attempts.filter(
      (attempt) =>
        attempt.status_code !== null && attempt.status_code >= 200 && attempt.status_code < 300,
    );
    const succeededByWorkers =
      (await succeededDeliveries(workerA)) + (await succeededDeliveries(workerB));

    const ledger = new DeliveryLedger();
    ledger.expect(HOOK, event.eventId);
    for (const request of accepted) ledger.record(request);
    const summary = ledger.summary();
    const [first, second] = receiver.requests;

    reportFigures('stalled-worker', {
      runs: 1,
      deliveries: receiver.requests.length,
      accepted: accepted.length,
      lost: summary.lost,
      duplicates: summary.duplicated,
      attempts: attempts.map((attempt) => attempt.status_code ?? attempt.error),
      successesRecorded: successes.length,
      jobLockMs: JOB_LOCK_MS,
      frozenMs,
      takeoverMs,
      durationMs: Date.now() - startedAt,
    });

    expect(row).toEqual({ status: 'succeeded', attempt_count: attempts.length });
    expect(attempts.map((attempt) => attempt.number)).toEqual(
      attempts.map((_, index) => index + 1),
    );
    expect(successes).toHaveLength(1);
    expect(succeededByWorkers).toBe(1);
    expect(accepted).toHaveLength(1);
    expect(receiver.requests).toHaveLength(2);
    expect(summary).toMatchObject({ lost: 0, unexpected: 0, duplicated: 0, unverified: 0 });
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(second.rawBody.equals(first.rawBody)).toBe(true);
    expect(first.verified && second.verified).toBe(true);
    expect(frozenMs).toBeGreaterThan(JOB_LOCK_MS);
  }, 120_000);
});
