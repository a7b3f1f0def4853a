// Fault 4 (issue 5): PostgreSQL is stopped with `-m immediate` (every backend dies at once, no
// checkpoint) while 50 concurrent appenders write through the API, then restarted on its data
// directory (crash recovery). The cluster is durable: fsync and synchronous_commit on.
//
// Pass criterion:
// - every request that got a 2xx is persisted: its events (entity changes, by event id), its
//   webhook (subscriptions), its status change or key regeneration (counted per stream);
// - every request that failed left nothing: no event carries its Idempotency-Key or its webhook
//   URL, no idempotency row holds its key (a retry with that key appends afresh), and streams hold
//   exactly one event per 2xx command — except a request whose connection was lost while
//   PostgreSQL was committing it, which nobody can know the outcome of: the API says so (503
//   `commit-outcome-unknown`), and a retry with its Idempotency-Key gets the original answer
//   (replayed) or appends afresh, never both;
// - the API never answered a 500, nor dropped a connection: a request that PostgreSQL failed gets
//   a 503 problem (RFC 9457, application/problem+json);
// - every stream's versions are 1..n with no gap, and `streams.version` is n;
// - the projections (users, api_key_states, webhooks) equal a rebuild from the events;
// - `/health/ready` of the API and of the worker answer 503 while PostgreSQL is down and 200 after;
// - every (event, webhook) pair of a 2xx entity change is delivered (lost = 0, unexpected = 0,
//   duplicates keep webhook-id and body) by the same worker, within DRAIN_BOUND_MS of the restart.
import {
  newApiUser,
  startWebhookReceiver,
  subscribeWebhook,
  type ApiUser,
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
import { allProjections, heraldDataSourceOptions, rebuildProjections } from '@herald/projections';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { soakSize } from './soak';
import { reportFigures, sleep } from './fault-figures';

const ENTITY_APPENDERS = 35;
const SUBSCRIBERS = 5;
const STATUS_TOGGLERS = 5;
const KEY_REGENERATORS = 5;
/** How long the appenders run before the stop, and again after the restart. */
const RUN_MS = soakSize(3000, 20_000);
/** How long PostgreSQL stays down. */
const DOWN_MS = soakSize(3000, 15_000);
/** The answer of a request while PostgreSQL is down: fast, whatever the box's load. */
const ANSWER_BOUND_MS = 15_000;
/** Soak: about 18,000 events reach one worker, most of them reported around the outage. */
const DRAIN_BOUND_MS = soakSize(90_000, 600_000);
const PROJECTION_TABLES = ['users', 'api_key_states', 'webhooks'];
const REPORTED = '/hooks/pg/reported';

type Kind = 'entity-changes' | 'subscribe' | 'status' | 'regenerate';

interface Attempt {
  kind: Kind;
  appender: number;
  /** The Idempotency-Key (entity changes) or the webhook URL (subscriptions). */
  tag: string;
  /** 0: no HTTP answer at all. */
  status: number;
  contentType: string;
  ms: number;
  body: Record<string, unknown>;
  changes?: EntityChangeInput[];
}

async function answer(
  request: PromiseLike<Response>,
): Promise<{ status: number; contentType: string; body: Record<string, unknown> }> {
  try {
    const response = await request;
    return {
      status: response.status,
      contentType: String(response.headers['content-type'] ?? ''),
      body: (response.body ?? {}) as Record<string, unknown>,
    };
  } catch {
    return { status: 0, contentType: '', body: {} };
  }
}

/** Every row of a projection table, as JSON text, in a stable order. */
async function snapshot(db: DataSource): Promise<Record<string, string[]>> {
  const tables: Record<string, string[]> = {};
  for (const table of PROJECTION_TABLES) {
    const rows: { row: string }[] = await db.query(
      `SELECT to_jsonb(t)::text AS row FROM "${table}" t ORDER BY 1`,
    );
    tables[table] = rows.map((row) => row.row);
  }
  return tables;
}

const is2xx = (status: number) => status >= 200 && status < 300;
/** The API's answer when the connection was lost during COMMIT: the change may have been kept. */
const outcomeUnknown = (attempt: { status: number; body: Record<string, unknown> }) =>
  attempt.status === 503 && String(attempt.body.type ?? '').endsWith('commit-outcome-unknown');

describe('PostgreSQL outage', () => {
  let system: ProcessSystem;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    [system, receiver] = await Promise.all([
      startProcessSystem({ ownPostgres: true }),
      startWebhookReceiver(),
    ]);
    await system.startWorker();
  }, 180_000);

  afterAll(async () => {
    await receiver?.close();
    await system?.close();
  });

  it(
    'keeps every 2xx, leaves nothing of a failure, and answers 503 (never 500) while PostgreSQL is down',
    async () => {
      const started = Date.now();
      const postgres = system.postgres!;
      const worker = system.workers[0];

      // Reporters report entity changes; one webhook (reporter 0's) hears every Update, whoever
      // reported it (entity changes are not per user). `*` would also hear ApiKey events.
      const reporters: ApiUser[] = [];
      for (let i = 0; i < 5; i++) reporters.push(await newApiUser(system));
      const { secret } = await subscribeWebhook(system, reporters[0].apiKey, {
        url: `${receiver.url}${REPORTED}`,
        entity: '*',
        operation: 'Update',
      });
      receiver.addSecret(secret);
      // Togglers each own a webhook (never matched: Note.Delete is not reported); regenerators
      // each own their key. One appender per stream, so every 2xx is exactly one event.
      const toggled: { owner: ApiUser; webhookId: string }[] = [];
      for (let i = 0; i < STATUS_TOGGLERS; i++) {
        const owner = await newApiUser(system);
        const { webhook } = await subscribeWebhook(system, owner.apiKey, {
          url: `${receiver.url}/hooks/pg/toggled-${i}`,
          entity: 'Note',
          operation: 'Delete',
        });
        toggled.push({ owner, webhookId: webhook.id });
      }
      const regenerators: ApiUser[] = [];
      for (let i = 0; i < KEY_REGENERATORS; i++) regenerators.push(await newApiUser(system));

      const attempts: Attempt[] = [];
      let stopping = false;
      const timed = async (
        kind: Kind,
        appender: number,
        tag: string,
        request: PromiseLike<Response>,
        changes?: EntityChangeInput[],
      ) => {
        const t0 = Date.now();
        const result = await answer(request);
        const attempt: Attempt = { kind, appender, tag, ms: Date.now() - t0, changes, ...result };
        attempts.push(attempt);
        // A failing database answers fast: do not spin on it.
        await sleep(is2xx(result.status) ? 5 : 100);
        return attempt;
      };

      const entityAppender = async (appender: number) => {
        const reporter = reporters[appender % reporters.length];
        for (let n = 0; !stopping; n++) {
          const size = 1 + (n % 3);
          const changes = Array.from({ length: size }, (_, i) => ({
            entity: (n + i) % 2 === 0 ? 'Contact' : 'Company',
            // Few entity ids shared by every appender: streams see concurrent appends.
            entityId: String((appender * 7 + n + i) % 12),
            operation: 'Update',
            data: { appender, n, i },
          }));
          const key = `pg-${appender}-${n}`;
          await timed(
            'entity-changes',
            appender,
            key,
            system.http
              .post('/v1/entity-changes')
              .set('authorization', `Bearer ${reporter.apiKey}`)
              .set('idempotency-key', key)
              .send(changes),
            changes,
          );
        }
      };
      const subscriber = async (appender: number) => {
        const owner = reporters[appender % reporters.length];
        for (let n = 0; !stopping; n++) {
          const url = `${receiver.url}/hooks/pg/subscribed-${appender}-${n}`;
          await timed(
            'subscribe',
            appender,
            url,
            system.http
              .post('/v1/webhooks')
              .set('authorization', `Bearer ${owner.apiKey}`)
              .send({ url, entity: 'Note', operation: 'Delete' }),
          );
        }
      };
      const toggler = async (appender: number) => {
        const { owner, webhookId } = toggled[appender];
        // The status it is in as far as the 2xx answers tell (it starts on).
        let status: 'on' | 'off' = 'on';
        while (!stopping) {
          const next: 'on' | 'off' = status === 'on' ? 'off' : 'on';
          const attempt = await timed(
            'status',
            appender,
            webhookId,
            system.http
              .patch(`/v1/webhooks/${webhookId}`)
              .set('authorization', `Bearer ${owner.apiKey}`)
              .send({ status: next }),
          );
          if (is2xx(attempt.status)) status = next;
        }
      };
      const regenerator = async (appender: number) => {
        const user = regenerators[appender];
        while (!stopping) {
          await timed(
            'regenerate',
            appender,
            user.id,
            system.http.post('/v1/me/api-key').set('authorization', `Bearer ${user.token}`),
          );
        }
      };

      const appenders = [
        ...Array.from({ length: ENTITY_APPENDERS }, (_, i) => entityAppender(i)),
        ...Array.from({ length: SUBSCRIBERS }, (_, i) => subscriber(i)),
        ...Array.from({ length: STATUS_TOGGLERS }, (_, i) => toggler(i)),
        ...Array.from({ length: KEY_REGENERATORS }, (_, i) => regenerator(i)),
      ];
      expect(appenders).toHaveLength(50);

      await sleep(RUN_MS);
      const stoppedAt = Date.now();
      await postgres.stop({ mode: 'immediate' });
      // Readiness while it is down, for the API and the worker.
      const readyDuringApi: (number | null)[] = [];
      const readyDuringWorker: (number | null)[] = [];
      while (Date.now() - stoppedAt < DOWN_MS) {
        readyDuringApi.push(await httpStatus(`${system.api.url}/health/ready`, 5000));
        readyDuringWorker.push(await httpStatus(`${worker.url}/health/ready`, 5000));
        await sleep(300);
      }
      const attemptsWhileDown = attempts.length;
      await postgres.restart();
      const restartedAt = Date.now();
      await system.api.waitReady(60_000);
      await worker.waitReady(60_000);
      const readyAfterMs = Date.now() - restartedAt;
      await sleep(RUN_MS);
      stopping = true;
      await Promise.all(appenders);

      // Failed entity-change requests are retried with their key: nothing of a definite failure was
      // kept, so its retry appends afresh (not a replay of a stored answer).
      const failedChanges = attempts.filter((a) => a.kind === 'entity-changes' && !is2xx(a.status));
      const retries: Attempt[] = [];
      for (const failed of failedChanges) {
        const reporter = reporters[failed.appender % reporters.length];
        const response = await system.http
          .post('/v1/entity-changes')
          .set('authorization', `Bearer ${reporter.apiKey}`)
          .set('idempotency-key', failed.tag)
          .send(failed.changes!);
        retries.push({
          ...failed,
          status: response.status,
          body: {
            ...(response.body as Record<string, unknown>),
            replayed: response.headers['idempotent-replayed'] === 'true',
          },
        });
      }

      const db = system.db;
      const byKind = (kind: Kind, ok: boolean) =>
        attempts.filter((a) => a.kind === kind && is2xx(a.status) === ok);

      // 2xx entity changes: every event there. Failed ones: no event, no key (before the retry
      // appended anew, its events carry the key — so count only events not in the retry's answer).
      const okEventIds = byKind('entity-changes', true).flatMap((a) =>
        (a.body.events as { eventId: string }[]).map((event) => event.eventId),
      );
      const [{ missing }] = await db.query(
        `SELECT count(*)::int AS missing FROM unnest($1::uuid[]) AS u(id)
          WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = u.id)`,
        [okEventIds],
      );
      const retriedEventIds = retries.flatMap((a) =>
        ((a.body.events as { eventId: string }[] | undefined) ?? []).map((event) => event.eventId),
      );
      const [{ leftByFailures }] = await db.query(
        `SELECT count(*)::int AS "leftByFailures" FROM events
          WHERE type = 'EntityChanged' AND data->>'idempotencyKey' = ANY($1::text[])
            AND NOT id = ANY($2::uuid[])`,
        [failedChanges.filter((a) => !outcomeUnknown(a)).map((a) => a.tag), retriedEventIds],
      );
      // The key check above is not vacuous: the 2xx requests' events carry their keys.
      const [{ keyedOk }] = await db.query(
        `SELECT count(*)::int AS "keyedOk" FROM events
          WHERE type = 'EntityChanged' AND data->>'idempotencyKey' = ANY($1::text[])`,
        [byKind('entity-changes', true).map((a) => a.tag)],
      );
      // Subscriptions: each 2xx has its webhook; each failure's URL is nowhere.
      const okWebhookIds = byKind('subscribe', true).map((a) => a.body.id as string);
      const [{ missingWebhooks }] = await db.query(
        `SELECT count(*)::int AS "missingWebhooks" FROM unnest($1::text[]) AS u(id)
          WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream = 'webhook-' || u.id)`,
        [okWebhookIds],
      );
      const [{ failedSubscriptionsLeft }] = await db.query(
        `SELECT count(*)::int AS "failedSubscriptionsLeft" FROM events
          WHERE type = 'WebhookSubscribed' AND data->>'url' = ANY($1::text[])`,
        [
          byKind('subscribe', false)
            .filter((a) => !outcomeUnknown(a))
            .map((a) => a.tag),
        ],
      );
      // Toggles and regenerations: one event per 2xx, beyond what setup wrote.
      const streamCounts: Record<string, number> = Object.fromEntries(
        (
          (await db.query(
            `SELECT stream, count(*)::int AS n FROM events WHERE stream = ANY($1::text[]) GROUP BY stream`,
            [
              [
                ...toggled.map((t) => `webhook-${t.webhookId}`),
                ...regenerators.map((u) => `user-${u.id}`),
              ],
            ],
          )) as { stream: string; n: number }[]
        ).map((row) => [row.stream, row.n]),
      );
      const countMismatches: string[] = [];
      /** Commands of `kind` by appender `i` whose commit outcome the API could not know. */
      const unknownOf = (kind: Kind, i: number) =>
        attempts.filter((a) => a.kind === kind && a.appender === i && outcomeUnknown(a)).length;
      const outside = (count: number | undefined, least: number, unknown: number) =>
        count === undefined || count < least || count > least + unknown;
      toggled.forEach(({ webhookId }, i) => {
        const ok = attempts.filter(
          (a) => a.kind === 'status' && a.appender === i && is2xx(a.status),
        );
        // WebhookSubscribed + one WebhookStatusChanged per 2xx (and per unknown outcome, at most).
        if (outside(streamCounts[`webhook-${webhookId}`], 1 + ok.length, unknownOf('status', i)))
          countMismatches.push(
            `webhook-${webhookId}: ${streamCounts[`webhook-${webhookId}`]} events, ${ok.length} 2xx toggles`,
          );
      });
      regenerators.forEach((user, i) => {
        const ok = attempts.filter(
          (a) => a.kind === 'regenerate' && a.appender === i && is2xx(a.status),
        );
        // UserCreated + the first enable + one KeyRegenerated per 2xx (and per unknown outcome, at most).
        if (outside(streamCounts[`user-${user.id}`], 2 + ok.length, unknownOf('regenerate', i)))
          countMismatches.push(
            `user-${user.id}: ${streamCounts[`user-${user.id}`]} events, ${ok.length} 2xx regenerations`,
          );
      });

      // Streams: versions 1..n, and the version table agrees.
      const gappy = await db.query(
        `SELECT stream, count(*)::int AS n, min(version) AS min, max(version) AS max
           FROM events GROUP BY stream
         HAVING min(version) <> 1 OR max(version) <> count(*)`,
      );
      const versionDisagreements = await db.query(
        `SELECT s.stream, s.version, e.max FROM streams s
           FULL JOIN (SELECT stream, max(version) AS max FROM events GROUP BY stream) e
             USING (stream)
          WHERE s.version IS DISTINCT FROM e.max`,
      );

      // Projections against a rebuild from the events (the same code `npm run projections:rebuild` runs).
      const rebuildSource = new DataSource(heraldDataSourceOptions(system.env.DATABASE_URL));
      await rebuildSource.initialize();
      let projected: Record<string, string[]>;
      let rebuilt: Record<string, string[]>;
      try {
        projected = await snapshot(rebuildSource);
        await rebuildProjections(rebuildSource, allProjections);
        rebuilt = await snapshot(rebuildSource);
      } finally {
        await rebuildSource.destroy();
      }

      // Deliveries of every 2xx entity change (the retries' too) to its reporter's webhook.
      const ledger = new DeliveryLedger();
      for (const attempt of [...byKind('entity-changes', true), ...retries]) {
        if (!is2xx(attempt.status)) continue;
        for (const event of attempt.body.events as { eventId: string }[])
          ledger.expect(REPORTED, event.eventId);
      }
      const arrivals = () =>
        new Set(receiver.requests.map((r) => `${r.path} ${r.headers['webhook-id']}`));
      const deadline = restartedAt + DRAIN_BOUND_MS;
      while (ledger.missing().some((key) => !arrivals().has(key)) && Date.now() < deadline)
        await sleep(250);
      const drainMs = Date.now() - restartedAt;
      await sleep(1000);
      for (const request of receiver.requests) ledger.record(request);
      const summary = ledger.summary();

      const failures = attempts.filter((a) => !is2xx(a.status));
      const statuses: Record<string, number> = {};
      for (const a of attempts) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
      reportFigures('postgres-outage', {
        runs: 1,
        requests: attempts.length,
        requestsWhileDown: attemptsWhileDown,
        statuses,
        retriedWithKey: retries.length,
        commitOutcomeUnknown: failures.filter(outcomeUnknown).length,
        replayedOnRetry: retries.filter((r) => r.body.replayed).length,
        events: okEventIds.length + retriedEventIds.length,
        pairs: summary.expected,
        deliveries: receiver.requests.length,
        lost: summary.lost,
        duplicates: summary.extraArrivals,
        readyAfterRestartMs: readyAfterMs,
        drainMs,
        durationMs: Date.now() - started,
      });

      // Answers: 2xx or a 503 problem; never a 500, never a dropped connection.
      expect(failures.filter((a) => a.status !== 503)).toEqual([]);
      expect(failures.filter((a) => !a.contentType.startsWith('application/problem+json'))).toEqual(
        [],
      );
      expect(attempts.filter((a) => a.ms > ANSWER_BOUND_MS)).toEqual([]);
      // The outage was real: the appenders met it, and came through it.
      expect(failures.length).toBeGreaterThan(0);
      for (const kind of ['entity-changes', 'subscribe', 'status', 'regenerate'] as const)
        expect(byKind(kind, true).length).toBeGreaterThan(0);

      expect({ missing, missingWebhooks }).toEqual({ missing: 0, missingWebhooks: 0 });
      expect({ leftByFailures, failedSubscriptionsLeft }).toEqual({
        leftByFailures: 0,
        failedSubscriptionsLeft: 0,
      });
      expect(retries.filter((r) => r.status !== 202)).toEqual([]);
      expect(
        retries.filter((r, i) => r.body.replayed && !outcomeUnknown(failedChanges[i])),
      ).toEqual([]);
      expect(keyedOk).toBe(okEventIds.length);
      expect(countMismatches).toEqual([]);
      expect(gappy).toEqual([]);
      expect(versionDisagreements).toEqual([]);
      expect(rebuilt).toEqual(projected);

      expect(readyDuringApi.length).toBeGreaterThan(0);
      expect(readyDuringApi.every((status) => status === 503)).toBe(true);
      expect(readyDuringWorker.every((status) => status === 503)).toBe(true);
      expect(await httpStatus(`${system.api.url}/health/ready`)).toBe(200);
      expect(await httpStatus(`${worker.url}/health/ready`)).toBe(200);

      expect(ledger.missing()).toEqual([]);
      expect(summary).toMatchObject(SOUND_DELIVERY);
      expect(drainMs).toBeLessThan(DRAIN_BOUND_MS);
      expect(system.workers).toHaveLength(1);
      expect(worker.rssBytes()).toBeGreaterThan(0);
    },
    soakSize(240_000, 900_000),
  );
});
