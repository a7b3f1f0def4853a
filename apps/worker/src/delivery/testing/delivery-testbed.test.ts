// Test support, not a test: the `.test.ts` suffix keeps it out of the build (tsconfig.build.json)
// while Jest runs only `*.spec.ts`.
import { getQueueToken } from '@nestjs/bullmq';
import { Module, type LoggerService } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { HERALD_CONFIG, loadConfig, type HeraldConfig } from '@herald/config';
import { encryptSecret, generateWebhookSecret } from '@herald/delivery';
import { entityStream, userStream, webhookEventType, webhookStream } from '@herald/domain';
import { newKeyRegenerated, newUserCreated } from '@herald/domain/testing/user-event-factories';
import {
  newEntityChanged,
  newWebhookSubscribed,
} from '@herald/domain/webhooks/testing/webhook-event-factories';
import { PostgresEventStore, type NewEvent, type RecordedEvent } from '@herald/event-store';
import { DatabaseModule, allProjections, heraldDataSourceOptions } from '@herald/projections';
import {
  DELIVERIES_QUEUE,
  deliveryJobId,
  enqueueDeliveries,
  type DeliveryJobData,
} from '@herald/queues';
import { createTestDatabase, testRedisUrl, type TestDatabase } from '@herald/testing/test-database';
import type { Queue } from 'bullmq';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { WorkerMetricsModule } from '../../metrics/worker-metrics.module';
import { QueuesModule } from '../../queues/queues.module';
import { DeliveryModule } from '../delivery.module';

export interface DeliveryRow {
  id: string;
  status: string;
  reason: string | null;
  attempt_count: number;
  generation: number;
  next_attempt_at: Date | null;
  updated_at: Date;
}

export interface AttemptRow {
  number: number;
  started_at: Date;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  response_body: string;
}

export interface TestWebhook {
  id: string;
  ownerId: string;
  /** The plaintext secret, as the receiver holds it. */
  secret: string;
}

/** A running deliveries worker (the real DeliveryModule in a Nest application context). */
export interface DeliveryWorker {
  readonly config: HeraldConfig;
  readonly queue: Queue<DeliveryJobData>;
  readonly app: TestingModule;
  /** Every line the worker logged, as `<level> <context> <message>`. */
  readonly logs: string[];
  close(): Promise<void>;
}

@Module({})
class TestConfigModule {}

/**
 * One suite's world: a fresh migrated database, the event store with every inline projection (to
 * set users and webhooks up through their events, as the API does), and deliveries workers on the
 * run's Redis, each under a key prefix of its own.
 */
export class DeliveryTestbed {
  private readonly workers: DeliveryWorker[] = [];

  private constructor(
    readonly database: TestDatabase,
    readonly db: DataSource,
    readonly store: PostgresEventStore,
    readonly secretKey: Buffer,
  ) {}

  static async create(): Promise<DeliveryTestbed> {
    const database = await createTestDatabase();
    const db = new DataSource(heraldDataSourceOptions(database.url));
    await db.initialize();
    const store = new PostgresEventStore(db, [...allProjections]);
    return new DeliveryTestbed(database, db, store, randomBytes(32));
  }

  /** Test configuration: private targets allowed, schedule `0,0`, deadline 2 s, then `overrides`. */
  config(overrides: Partial<HeraldConfig> = {}): HeraldConfig {
    const config = loadConfig({
      DATABASE_URL: this.database.url,
      REDIS_URL: testRedisUrl(),
      HERALD_SECRET_KEY: this.secretKey.toString('base64'),
      HERALD_ALLOW_PRIVATE_TARGETS: 'true',
      HERALD_REDIS_PREFIX: `test-delivery-${randomBytes(4).toString('hex')}`,
      HERALD_MIGRATE: 'false',
      HERALD_RETRY_SCHEDULE: '0,0',
      HERALD_DELIVERY_TIMEOUT_MS: '2000',
      HERALD_DELIVERY_CONCURRENCY: '8',
    });
    return { ...config, ...overrides };
  }

  async startWorker(overrides: Partial<HeraldConfig> = {}): Promise<DeliveryWorker> {
    const config = this.config(overrides);
    const logs: string[] = [];
    const app = await Test.createTestingModule({
      imports: [
        {
          module: TestConfigModule,
          global: true,
          providers: [{ provide: HERALD_CONFIG, useValue: config }],
          exports: [HERALD_CONFIG],
        },
        DatabaseModule.forRoot({ runMigrations: false }),
        QueuesModule,
        WorkerMetricsModule,
        DeliveryModule,
      ],
    }).compile();
    app.useLogger(collectingLogger(logs));
    await app.init();
    let closed = false;
    const worker: DeliveryWorker = {
      config,
      queue: app.get<Queue<DeliveryJobData>>(getQueueToken(DELIVERIES_QUEUE)),
      app,
      logs,
      close: async () => {
        if (closed) return;
        closed = true;
        await app.close();
      },
    };
    this.workers.push(worker);
    return worker;
  }

  async stopWorkers(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((worker) => worker.close()));
  }

  async close(): Promise<void> {
    await this.stopWorkers();
    await this.db.destroy();
    await this.database.drop();
  }

  /** A user, with API access unless `apiAccess` is false. */
  async newOwner(options: { apiAccess?: boolean } = {}): Promise<string> {
    const userId = randomUUID();
    const events: NewEvent[] = [newUserCreated({ userId, email: `owner-${userId}@herald.test` })];
    if (options.apiAccess ?? true) {
      events.push(newKeyRegenerated({ userId, keyId: randomUUID(), regeneratedBy: userId }));
    }
    await this.store.append(userStream(userId), events, { expectedVersion: 'no_stream' });
    return userId;
  }

  /** A webhook subscribed to Contact.Update at `url`, its secret sealed as the API seals it. */
  async newWebhook(url: string, ownerId?: string): Promise<TestWebhook> {
    const owner = ownerId ?? (await this.newOwner());
    const id = randomUUID();
    const secret = generateWebhookSecret();
    await this.store.append(
      webhookStream(id),
      [
        newWebhookSubscribed({
          webhookId: id,
          ownerId: owner,
          url,
          secretRef: this.seal(secret, id),
        }),
      ],
      { expectedVersion: 'no_stream' },
    );
    return { id, ownerId: owner, secret };
  }

  /** `secret` sealed for webhook `webhookId`, as `webhooks.secret_ref` holds it. */
  seal(secret: string, webhookId: string): string {
    return encryptSecret(secret, this.secretKey, { associatedData: webhookId });
  }

  async appendToWebhook(webhookId: string, events: NewEvent[]): Promise<void> {
    await this.store.append(webhookStream(webhookId), events);
  }

  async newEvent(data: Record<string, unknown> = { name: 'Zoë ✓ 東京', tags: ['b', 'a'] }) {
    const entityId = randomUUID();
    const result = await this.store.append(
      entityStream('Contact', entityId),
      [newEntityChanged({ entityId, data: data as never })],
      { expectedVersion: 'no_stream' },
    );
    return result.events[0] as RecordedEvent;
  }

  /** A pending delivery row of `event` to `webhook` (as dispatch writes it); returns its id. */
  async newDeliveryRow(
    event: RecordedEvent,
    webhookId: string,
    options: { generation?: number } = {},
  ): Promise<string> {
    const id = randomUUID();
    await this.db.query(
      `INSERT INTO deliveries (id, event_id, webhook_id, type, status, generation, next_attempt_at)
       VALUES ($1, $2, $3, $4, 'pending', $5, now())`,
      [id, event.id, webhookId, webhookEventType(event), options.generation ?? 1],
    );
    return id;
  }

  /** A new event delivered to `webhookId`: the row, and its job on `worker`'s queue. */
  async deliver(worker: DeliveryWorker, webhookId: string): Promise<string> {
    const deliveryId = await this.newDeliveryRow(await this.newEvent(), webhookId);
    await this.enqueue(worker, deliveryId, 1);
    return deliveryId;
  }

  async enqueue(worker: DeliveryWorker, deliveryId: string, generation: number): Promise<void> {
    await enqueueDeliveries(
      worker.queue,
      [{ id: deliveryId, generation }],
      worker.config.retryScheduleSeconds.length,
    );
  }

  async jobState(worker: DeliveryWorker, deliveryId: string, generation = 1): Promise<string> {
    return worker.queue.getJobState(deliveryJobId(deliveryId, generation));
  }

  async delivery(id: string): Promise<DeliveryRow> {
    const [row] = await this.db.query<DeliveryRow[]>(
      `SELECT id, status, reason, attempt_count, generation, next_attempt_at, updated_at
         FROM deliveries WHERE id = $1`,
      [id],
    );
    return row;
  }

  async attempts(deliveryId: string): Promise<AttemptRow[]> {
    return this.db.query<AttemptRow[]>(
      `SELECT number, started_at, duration_ms, status_code, error, response_body
         FROM delivery_attempts WHERE delivery_id = $1 ORDER BY number`,
      [deliveryId],
    );
  }

  async webhook(id: string): Promise<{ status: string; status_reason: string | null }> {
    const [row] = await this.db.query(`SELECT status, status_reason FROM webhooks WHERE id = $1`, [
      id,
    ]);
    return row;
  }

  /** Waits until the delivery has one of `statuses`, then returns it. */
  async settled(id: string, statuses: string[] = ['succeeded', 'exhausted', 'skipped']) {
    return waitFor(`delivery ${id} to be ${statuses.join('/')}`, async () => {
      const row = await this.delivery(id);
      return statuses.includes(row.status) ? row : undefined;
    });
  }
}

/** Polls `probe` every 25 ms until it returns something other than undefined/false. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function collectingLogger(lines: string[]): LoggerService {
  const add =
    (level: string) =>
    (message: unknown, ...rest: unknown[]) => {
      lines.push(`${level} ${rest.map(String).join(' ')} ${String(message)}`);
    };
  return {
    log: add('log'),
    error: add('error'),
    warn: add('warn'),
    debug: add('debug'),
    verbose: add('verbose'),
    fatal: add('fatal'),
  };
}
