// Fault 3 (issue 5): Redis is stopped while the API takes events.
//
// Pass criterion: while Redis is down, every API request a client makes — entity changes (single,
// batch, with an Idempotency-Key and its retry), failed authentications, sign-in, reads, a new
// webhook, a ping, a redelivery, a replay, a key regeneration, /metrics, the queue board's page —
// answers without a 5xx and within OUTAGE_ANSWER_BOUND_MS. Only what shows Redis itself answers
// 503 (never 500): /health/ready of the API and the worker (200 again once Redis is back) and the
// queue board's data route. After Redis returns, every (event, webhook) pair that matched is
// delivered, with no worker restart, within DRAIN_BOUND_MS: lost = 0, unexpected = 0, every
// duplicate (the redelivery and the replay are deliberate ones) keeps its webhook-id and body.
import {
  adminToken,
  newApiUser,
  startWebhookReceiver,
  subscribeWebhook,
  type EntityChangeInput,
  type WebhookReceiver,
} from '@herald/testing';
import {
  DeliveryLedger,
  SOUND_DELIVERY,
  httpStatus,
  startProcessSystem,
  type ProcessSystem,
} from '@herald/testing/processes';
import type { Response, Test } from 'supertest';
import { soakSize } from './soak';
import { reportFigures, sleep } from './fault-figures';

const OUTAGE_BATCHES = soakSize(20, 200);
const BATCH = 10;
/** Generous: a request must not wait on Redis, but the box is shared and slow. */
const OUTAGE_ANSWER_BOUND_MS = 10_000;
/** Reconciler grace (30 s, for the redelivery whose enqueue failed) + interval + backlog. */
const DRAIN_BOUND_MS = soakSize(75_000, 180_000);
const CONTACTS = '/hooks/redis-outage/contacts';
const ALL = '/hooks/redis-outage/all';
const LATE = '/hooks/redis-outage/late';

interface Answer {
  what: string;
  status: number;
  ms: number;
}

describe('Redis outage', () => {
  let system: ProcessSystem;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    [system, receiver] = await Promise.all([startProcessSystem(), startWebhookReceiver()]);
    await system.startWorker();
  }, 180_000);

  afterAll(async () => {
    await receiver?.close();
    await system?.close();
  });

  it(
    'answers every request without a 5xx while Redis is down, and delivers everything once it is back',
    async () => {
      const started = Date.now();
      const user = await newApiUser(system);
      const other = await newApiUser(system);
      const admin = await adminToken(system);
      const webhooks: Record<string, string> = {};
      for (const [webhookPath, entity, operation] of [
        [CONTACTS, 'Contact', '*'],
        [ALL, '*', '*'],
      ]) {
        const { webhook, secret } = await subscribeWebhook(system, user.apiKey, {
          url: `${receiver.url}${webhookPath}`,
          entity,
          operation,
        });
        webhooks[webhookPath] = webhook.id;
        receiver.addSecret(secret);
      }

      const ledger = new DeliveryLedger();
      const expectPairs = (changes: EntityChangeInput[], events: { eventId: string }[]) =>
        changes.forEach((change, index) => {
          const paths = [ALL, ...(change.entity === 'Contact' ? [CONTACTS] : [])];
          if (change.operation === 'Delete') paths.push(LATE);
          for (const webhookPath of paths) ledger.expect(webhookPath, events[index].eventId);
        });
      // Deletes only once the late webhook (which hears Deletes) exists: dispatch matches the
      // subscriptions as they are when it runs, so a webhook subscribed during the outage would
      // also hear older events that were still waiting for Redis (as specified; not judged here).
      const change = (n: number): EntityChangeInput => ({
        entity: n % 2 === 0 ? 'Contact' : 'Job',
        entityId: String(n % 13),
        operation: n % 3 === 0 ? 'Create' : n % 3 === 1 || !webhooks[LATE] ? 'Update' : 'Delete',
        data: { n },
      });

      // Before: one delivered event, so there is a delivery to redeliver and a past to replay.
      const before = [change(0)];
      const beforeResponse = await system.http
        .post('/v1/entity-changes')
        .set('authorization', `Bearer ${user.apiKey}`)
        .send(before)
        .expect(202);
      expectPairs(before, beforeResponse.body.events);
      await receiver.waitForRequests(2, 30_000);
      const replayFrom = new Date(Date.now() - 60_000).toISOString();

      await system.redis.stop();
      const outageStarted = Date.now();
      const answers: Answer[] = [];
      const call = async (what: string, request: PromiseLike<Response>): Promise<Response> => {
        const t0 = Date.now();
        const response = await request;
        answers.push({ what, status: response.status, ms: Date.now() - t0 });
        return response;
      };
      const asUser = (request: Test, credential: string) =>
        request.set('authorization', `Bearer ${credential}`);

      // Readiness tells the orchestrator; liveness stays up.
      const readyDuring = await httpStatus(`${system.api.url}/health/ready`, 5000);
      const workerReadyDuring = await httpStatus(`${system.workers[0].url}/health/ready`, 5000);
      await call('GET /health/live', system.http.get('/health/live'));

      // Entity changes: batches, one by one, and an idempotent retry.
      let outageEvents = 0;
      for (let batch = 0; batch < OUTAGE_BATCHES; batch++) {
        const changes = Array.from({ length: BATCH }, (_, i) => change(1 + batch * BATCH + i));
        const response = await call(
          'POST /v1/entity-changes (batch)',
          asUser(system.http.post('/v1/entity-changes'), user.apiKey).send(changes),
        );
        if (response.status === 202) {
          expectPairs(changes, response.body.events);
          outageEvents += changes.length;
        }
        if (batch === 2) {
          // A new webhook while Redis is away hears everything reported after it.
          const late = await call(
            'POST /v1/webhooks',
            asUser(system.http.post('/v1/webhooks'), user.apiKey).send({
              url: `${receiver.url}${LATE}`,
              entity: '*',
              operation: 'Delete',
            }),
          );
          if (late.status === 201) {
            webhooks[LATE] = late.body.id;
            receiver.addSecret(late.body.secret);
          }
        }
      }
      const single = change(9999);
      const keyed = await call(
        'POST /v1/entity-changes (Idempotency-Key)',
        asUser(system.http.post('/v1/entity-changes'), user.apiKey)
          .set('idempotency-key', 'outage-1')
          .send(single),
      );
      const retried = await call(
        'POST /v1/entity-changes (retry, same key)',
        asUser(system.http.post('/v1/entity-changes'), user.apiKey)
          .set('idempotency-key', 'outage-1')
          .send(single),
      );
      if (keyed.status === 202) {
        expectPairs([single], keyed.body.events);
        outageEvents += 1;
      }

      // Authentication: wrong keys (the failure limiter's counter lives in Redis), sign-in, reads.
      for (let i = 0; i < 5; i++) {
        await call(
          'POST /v1/entity-changes (wrong key)',
          asUser(system.http.post('/v1/entity-changes'), 'hrld_wrong_key').send(single),
        );
      }
      await call(
        'POST /v1/auth/login (wrong password)',
        system.http.post('/v1/auth/login').send({ email: user.email, password: 'not-it' }),
      );
      const login = await call(
        'POST /v1/auth/login',
        system.http.post('/v1/auth/login').send({ email: user.email, password: user.password }),
      );
      await call('GET /v1/me', asUser(system.http.get('/v1/me'), user.apiKey));
      await call('GET /v1/webhooks', asUser(system.http.get('/v1/webhooks'), user.apiKey));
      const deliveries = await call(
        'GET deliveries',
        asUser(system.http.get(`/v1/webhooks/${webhooks[CONTACTS]}/deliveries`), user.apiKey),
      );
      await call('GET /v1/admin/users', asUser(system.http.get('/v1/admin/users'), admin));
      await call('GET /v1/admin/events', asUser(system.http.get('/v1/admin/events'), admin));
      await call('GET /metrics', system.http.get('/metrics'));

      // Commands whose jobs would go to Redis at once: the reconciler makes up for them.
      const ping = await call(
        'POST ping',
        asUser(system.http.post(`/v1/webhooks/${webhooks[ALL]}/ping`), user.apiKey),
      );
      if (ping.status === 202) ledger.expect(ALL, ping.body.eventId);
      const firstDelivery = deliveries.body?.items?.[0]?.id as string | undefined;
      expect(firstDelivery).toBeDefined();
      await call(
        'POST redeliver',
        asUser(
          system.http.post(
            `/v1/webhooks/${webhooks[CONTACTS]}/deliveries/${firstDelivery}/redeliver`,
          ),
          user.apiKey,
        ),
      );
      const replay = await call(
        'POST replay',
        asUser(system.http.post(`/v1/webhooks/${webhooks[CONTACTS]}/replay`), user.apiKey).send({
          from: replayFrom,
        }),
      );
      await call(
        'POST /v1/me/api-key (regenerate)',
        asUser(system.http.post('/v1/me/api-key'), other.token),
      );
      // Bull Board (admins' console session): its page, and the queue data it reads from Redis.
      for (const route of ['/admin/queues', '/admin/queues/api/queues?page=1&jobsPerPage=10'])
        await call(`GET ${route}`, system.http.get(route).set('cookie', `herald_session=${admin}`));

      // Stay down a little longer, so the relay and the worker meet the outage too.
      await sleep(Math.max(0, 5000 - (Date.now() - outageStarted)));
      const outageMs = Date.now() - outageStarted;
      await system.redis.restart();
      const restartedAt = Date.now();

      const isBoardData = (answer: Answer) => answer.what.startsWith('GET /admin/queues/api/');
      const fives = answers.filter((answer) => answer.status >= 500 && !isBoardData(answer));
      const slow = answers.filter((answer) => answer.ms > OUTAGE_ANSWER_BOUND_MS);

      // Drain.
      const arrivals = () =>
        new Set(receiver.requests.map((r) => `${r.path} ${r.headers['webhook-id']}`));
      const pending = () => ledger.missing().filter((key) => !arrivals().has(key));
      // The redelivery and the replay of the event from before the outage: a second arrival,
      // once the reconciler finds the jobs the API could not add (after its 30 s grace).
      const redelivered = `${CONTACTS} ${beforeResponse.body.events[0].eventId}`;
      const copies = () =>
        receiver.requests.filter((r) => `${r.path} ${r.headers['webhook-id']}` === redelivered)
          .length;
      const deadline = restartedAt + DRAIN_BOUND_MS;
      while ((pending().length > 0 || copies() < 2) && Date.now() < deadline) await sleep(250);
      const drainMs = Date.now() - restartedAt;
      await sleep(2000);
      for (const request of receiver.requests) ledger.record(request);
      const summary = ledger.summary();

      const readyAfter = await httpStatus(`${system.api.url}/health/ready`, 5000);
      const workerReadyAfter = await httpStatus(`${system.workers[0].url}/health/ready`, 5000);
      reportFigures('redis-outage', {
        runs: 1,
        events: outageEvents + before.length,
        requestsDuringOutage: answers.length,
        statusesDuringOutage: answers.reduce<Record<number, number>>((counts, answer) => {
          counts[answer.status] = (counts[answer.status] ?? 0) + 1;
          return counts;
        }, {}),
        slowestAnswerMs: Math.max(...answers.map((answer) => answer.ms)),
        outageMs,
        pairs: summary.expected,
        deliveries: receiver.requests.length,
        lost: summary.lost,
        duplicates: summary.extraArrivals,
        drainMs,
        durationMs: Date.now() - started,
      });

      expect(fives).toEqual([]);
      expect(answers.filter(isBoardData).map((answer) => answer.status)).toEqual([503]);
      expect(slow).toEqual([]);
      expect(readyDuring).toBe(503);
      expect(workerReadyDuring).toBe(503);
      expect(readyAfter).toBe(200);
      expect(workerReadyAfter).toBe(200);
      // The requests did what they said: every report recorded, the retry replayed it.
      expect(answers.filter((a) => a.what === 'POST /v1/entity-changes (batch)')).toEqual(
        Array.from({ length: OUTAGE_BATCHES }, () => expect.objectContaining({ status: 202 })),
      );
      expect(login.status).toBe(200);
      expect(retried.status).toBe(202);
      expect(retried.headers['idempotent-replayed']).toBe('true');
      expect(retried.body).toEqual(keyed.body);
      expect(webhooks[LATE]).toBeDefined();
      expect(ping.status).toBe(202);
      expect(replay.status).toBe(202);
      expect(replay.body.count).toBeGreaterThanOrEqual(1);
      expect(
        answers
          .filter((a) => a.what === 'POST /v1/entity-changes (wrong key)')
          .map((a) => a.status),
      ).toEqual([401, 401, 401, 401, 401]);

      expect(ledger.missing()).toEqual([]);
      expect(summary).toMatchObject(SOUND_DELIVERY);
      // The redelivered pair and the replayed ones arrived twice, byte for byte.
      expect(copies()).toBeGreaterThanOrEqual(2);
      expect(drainMs).toBeLessThan(DRAIN_BOUND_MS);
      expect(system.workers).toHaveLength(1);
    },
    DRAIN_BOUND_MS + 90_000,
  );
});
