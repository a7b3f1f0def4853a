import type { INestApplicationContext, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import type { HeraldConfig } from '@herald/config';
import { WorkerReadiness } from '../../../apps/worker/src/health/worker-readiness';
import { WorkerModule } from '../../../apps/worker/src/worker.module';
import { createTestApi, type TestApi } from './test-api';

/**
 * Defaults that keep a whole-system test short: two retries a second apart (three attempts), a
 * one-second deadline per attempt, a reconciler that looks often, and no worker health port.
 */
export const TEST_SYSTEM_ENV: Readonly<Record<string, string>> = {
  HERALD_WORKER_PORT: '0',
  HERALD_RETRY_SCHEDULE: '1,1',
  HERALD_DELIVERY_TIMEOUT_MS: '1000',
  HERALD_RECONCILE_INTERVAL_MS: '500',
  HERALD_ALLOW_PRIVATE_TARGETS: 'true',
};

/** A delivery row (`deliveries`), camel-cased. */
export interface DeliveryRow {
  id: string;
  eventId: string;
  webhookId: string;
  type: string;
  status: 'pending' | 'succeeded' | 'exhausted' | 'skipped';
  reason: string | null;
  attemptCount: number;
  generation: number;
  nextAttemptAt: Date | null;
  createdAt: Date;
}

/** A `delivery_attempts` row, camel-cased. */
export interface AttemptRow {
  number: number;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseBody: string;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

export interface TestSystem {
  /** The real API (createTestApi) on the suite's database and Redis prefix. */
  api: TestApi;
  /** The real worker (WorkerModule) in this process, with the very same configuration. */
  worker: INestApplicationContext;
  config: HeraldConfig;
  /** What the worker (and any Nest `Logger`) logged, one line per entry: `level [context] message`. */
  logs(): string[];
  /**
   * Polls `probe` until it returns a value other than undefined/null/false and returns that value;
   * after `timeoutMs` fails with `description` and the last lines the worker logged.
   */
  waitFor<T>(
    description: string,
    probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
    options?: WaitOptions,
  ): Promise<T>;
  /** The webhook's deliveries, oldest first. */
  deliveries(webhookId: string): Promise<DeliveryRow[]>;
  /** A delivery's attempts in order. */
  attempts(deliveryId: string): Promise<AttemptRow[]>;
  /**
   * Waits until the webhook has a delivery in `status` (of the given event, when `eventId` is
   * given) and returns it.
   */
  waitForDelivery(
    webhookId: string,
    status: DeliveryRow['status'],
    options?: WaitOptions & { eventId?: string },
  ): Promise<DeliveryRow>;
  /**
   * Waits until the dispatcher has fanned out every given event (its `event_dispatches` row
   * exists, docs/delivery-contract.md) — after that no new delivery of those events can appear.
   * Without ids: every deliverable event now in the store.
   */
  waitForDispatched(eventIds?: readonly string[], options?: WaitOptions): Promise<void>;
  /** Closes the worker, then the API (which drops the database). */
  close(): Promise<void>;
}

/** Event types the relay hands to dispatch (docs/delivery-contract.md, "Relay"). */
const DELIVERABLE_EVENT_TYPES = ['EntityChanged', 'KeyRegenerated', 'KeyCleared', 'WebhookPinged'];

/** Keeps every log line; prints them too when HERALD_TEST_LOGS is set (for debugging a test). */
function recordingLogger(lines: string[]): LoggerService {
  const print = Boolean(process.env.HERALD_TEST_LOGS);
  const entry =
    (level: LogLevel) =>
    (message: unknown, ...rest: unknown[]): void => {
      const context = typeof rest.at(-1) === 'string' ? String(rest.at(-1)) : '';
      const extra = rest
        .slice(0, context ? -1 : undefined)
        .map((part) => (part instanceof Error ? (part.stack ?? part.message) : String(part)))
        .join(' ');
      const text =
        message instanceof Error ? (message.stack ?? message.message) : String(message as string);
      const line = `${level} [${context}] ${text}${extra ? ` ${extra}` : ''}`;
      lines.push(line);
      if (print) process.stderr.write(`${line}\n`);
    };
  return {
    log: entry('log'),
    error: entry('error'),
    warn: entry('warn'),
    debug: entry('debug'),
    verbose: entry('verbose'),
    fatal: entry('fatal'),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** WorkerModule through Nest's testing module, so that providers can be replaced; then initialised. */
async function startOverriddenWorker(
  config: HeraldConfig,
  logger: LoggerService,
  override: (builder: TestingModuleBuilder) => TestingModuleBuilder,
): Promise<INestApplicationContext> {
  const builder = Test.createTestingModule({ imports: [WorkerModule.forRoot(config)] }).setLogger(
    logger,
  );
  const worker = await override(builder).compile();
  return worker.init();
}

export interface TestSystemOptions {
  /**
   * Replaces providers of the worker (`builder.overrideProvider(…)`), e.g. DELIVERY_DNS_LOOKUP to
   * stand in for DNS. Without it the worker is exactly WorkerModule, as in production.
   */
  overrideWorker?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

/**
 * The whole system in one process: the real API (createTestApi) and the real worker
 * (`NestFactory.createApplicationContext(WorkerModule.forRoot(config))`) on the same database, the
 * same Redis prefix and the same configuration — nothing mocked unless `options.overrideWorker`
 * says so. `env` overrides TEST_SYSTEM_ENV.
 */
export async function createTestSystem(
  env: Record<string, string> = {},
  options: TestSystemOptions = {},
): Promise<TestSystem> {
  const api = await createTestApi({ ...TEST_SYSTEM_ENV, ...env });
  // The worker gets the very object loadConfig made from the API's environment: same database,
  // Redis prefix, secret key, schedule and deadline.
  const config = api.config;
  const lines: string[] = [];
  let worker: INestApplicationContext | undefined;
  try {
    worker = options.overrideWorker
      ? await startOverriddenWorker(config, recordingLogger(lines), options.overrideWorker)
      : await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
          logger: recordingLogger(lines),
        });
    const readiness = worker.get(WorkerReadiness);
    const deadline = Date.now() + 15_000;
    for (let report = await readiness.check(); !report.ready; report = await readiness.check()) {
      if (Date.now() > deadline)
        throw new Error(`worker not ready: ${JSON.stringify(report.checks)}`);
      await sleep(200);
    }
  } catch (error) {
    await worker?.close().catch(() => undefined);
    await api.close();
    throw error;
  }
  const started = worker;

  const recentLogs = () =>
    lines
      .filter((line) => /^(error|warn|fatal)/.test(line))
      .slice(-15)
      .join('\n');

  const system: TestSystem = {
    api,
    worker: started,
    config,
    logs: () => [...lines],
    async waitFor(description, probe, options = {}) {
      const { timeoutMs = 10_000, intervalMs = 100 } = options;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await probe();
        if (value !== undefined && value !== null && value !== false) return value;
        if (Date.now() > deadline) {
          const logs = recentLogs();
          throw new Error(
            `timed out after ${timeoutMs} ms waiting for ${description}${logs ? `\nworker errors/warnings:\n${logs}` : ''}`,
          );
        }
        await sleep(intervalMs);
      }
    },
    async deliveries(webhookId) {
      const rows: DeliveryRow[] = await api.db.query(
        `SELECT id, event_id AS "eventId", webhook_id AS "webhookId", type, status, reason,
                attempt_count AS "attemptCount", generation, next_attempt_at AS "nextAttemptAt",
                created_at AS "createdAt"
           FROM deliveries WHERE webhook_id = $1 ORDER BY created_at, id`,
        [webhookId],
      );
      return rows;
    },
    async attempts(deliveryId) {
      const rows: AttemptRow[] = await api.db.query(
        `SELECT number, started_at AS "startedAt", duration_ms AS "durationMs",
                status_code AS "statusCode", error, response_body AS "responseBody"
           FROM delivery_attempts WHERE delivery_id = $1 ORDER BY number`,
        [deliveryId],
      );
      return rows;
    },
    async waitForDelivery(webhookId, status, options = {}) {
      const { eventId, ...wait } = options;
      return system.waitFor(
        `a ${status} delivery to webhook ${webhookId}${eventId ? ` of event ${eventId}` : ''}`,
        async () =>
          (await system.deliveries(webhookId)).find(
            (row) => row.status === status && (eventId === undefined || row.eventId === eventId),
          ),
        wait,
      );
    },
    async waitForDispatched(eventIds, options) {
      const ids =
        eventIds ??
        (
          (await api.db.query(`SELECT id FROM events WHERE type = ANY($1)`, [
            DELIVERABLE_EVENT_TYPES,
          ])) as { id: string }[]
        ).map((row) => row.id);
      let missing: string[] = [...ids];
      await system
        .waitFor(
          `the dispatch of ${ids.length} event(s)`,
          async () => {
            const rows: { id: string }[] = await api.db.query(
              `SELECT event_id AS id FROM event_dispatches WHERE event_id = ANY($1::uuid[])`,
              [ids],
            );
            const done = new Set(rows.map((row) => row.id));
            missing = ids.filter((id) => !done.has(id));
            return missing.length === 0;
          },
          options,
        )
        .catch((error: Error) => {
          throw new Error(`${error.message}
not dispatched: ${missing.join(', ')}`);
        });
    },
    async close() {
      try {
        await started.close();
      } finally {
        await api.close();
      }
    },
  };
  return system;
}
