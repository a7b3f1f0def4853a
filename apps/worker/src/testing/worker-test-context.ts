import { getQueueToken } from '@nestjs/bullmq';
import { type DynamicModule, Global, Module, type ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModule, type TestingModuleBuilder } from '@nestjs/testing';
import { HERALD_CONFIG, loadConfig, type HeraldConfig } from '@herald/config';
import type { PostgresEventStore } from '@herald/event-store';
import { DatabaseModule, EVENT_STORE } from '@herald/projections';
import { DELIVERIES_QUEUE, EVENTS_QUEUE } from '@herald/queues';
import { createTestDatabase, testRedisUrl, type TestDatabase } from '@herald/testing/test-database';
import type { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { WorkerMetricsModule } from '../metrics/worker-metrics.module';
import { QueuesModule } from '../queues/queues.module';
import { withRedisDeadline } from '../queues/redis-deadline';

@Global()
@Module({})
class TestConfigModule {
  static forRoot(config: HeraldConfig): DynamicModule {
    return {
      module: TestConfigModule,
      providers: [{ provide: HERALD_CONFIG, useValue: config }],
      exports: [HERALD_CONFIG],
    };
  }
}

export interface WorkerTestContext {
  module: TestingModule;
  config: HeraldConfig;
  database: TestDatabase;
  db: DataSource;
  store: PostgresEventStore;
  eventsQueue: Queue;
  deliveriesQueue: Queue;
  /** Closes the module (running the shutdown hooks), empties the suite's queues, drops the database. */
  close(): Promise<void>;
}

export interface WorkerTestOptions {
  /** Worker modules under test (RelayModule, DispatchModule, …) besides database and queues. */
  imports: NonNullable<ModuleMetadata['imports']>;
  /** Environment on top of the test defaults (a fresh database, a unique HERALD_REDIS_PREFIX). */
  env?: Record<string, string>;
  /** Overrides, e.g. `(b) => b.overrideProvider(RELAY_OPTIONS).useValue(…)`. */
  configure?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  /** Run the lifecycle hooks (start relay, reconciler, BullMQ workers); default false. */
  init?: boolean;
  /** A second worker on the same database and Redis prefix (it leaves both to the first). */
  sharing?: WorkerTestContext;
}

/**
 * Pieces of the worker in a Nest testing module, on real PostgreSQL (a fresh migrated database)
 * and the test run's Redis under a key prefix of the suite's own. Nothing is mocked. Without
 * `init`, no background loop runs: tests drive `relayOnce()`, `dispatch()`, `reconcileOnce()`.
 */
export async function createWorkerTestContext(
  options: WorkerTestOptions,
): Promise<WorkerTestContext> {
  const shared = options.sharing;
  const database = shared?.database ?? (await createTestDatabase());
  const config =
    shared?.config ??
    loadConfig({
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      HERALD_SECRET_KEY: randomBytes(32).toString('base64'),
      HERALD_REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}`,
      HERALD_MIGRATE: 'false',
      HERALD_ALLOW_PRIVATE_TARGETS: 'true',
      HERALD_WORKER_PORT: '0',
      ...options.env,
    });
  const builder = Test.createTestingModule({
    imports: [
      TestConfigModule.forRoot(config),
      DatabaseModule.forRoot({ runMigrations: false }),
      QueuesModule,
      WorkerMetricsModule,
      ...options.imports,
    ],
  });
  const module = await (options.configure?.(builder) ?? builder).compile();
  module.useLogger(false);
  if (options.init) await module.init();
  const eventsQueue = module.get<Queue>(getQueueToken(EVENTS_QUEUE));
  const deliveriesQueue = module.get<Queue>(getQueueToken(DELIVERIES_QUEUE));
  return {
    module,
    config,
    database,
    db: module.get(DataSource),
    store: module.get<PostgresEventStore>(EVENT_STORE),
    eventsQueue,
    deliveriesQueue,
    async close() {
      if (shared) return module.close();
      try {
        await Promise.all(
          [eventsQueue, deliveriesQueue].map((queue) =>
            withRedisDeadline(queue.obliterate({ force: true }), 2000, 'obliterate').catch(
              () => undefined,
            ),
          ),
        );
        await module.close();
      } finally {
        await database.drop();
      }
    },
  };
}
