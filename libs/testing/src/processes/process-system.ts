import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { freePort, makeTempDir, startPostgres, startRedis } from '../local-services.cjs';
import { createTestDatabase } from '../test-database';
import { TEST_ADMIN, type HttpClient } from '../test-api';
import { type HeraldProcess, startHeraldProcess } from './herald-process';

/** A PostgreSQL or Redis server this system started, which a fault test may stop and restart. */
export interface ServerHandle {
  pid: number;
  port: number;
  url: string;
  /** `kill -9` by PID (Redis and PostgreSQL alike); waits for the exit. */
  kill(): Promise<void>;
  /** PostgreSQL: `pg_ctl stop -m <mode>` by signal; Redis: SIGTERM. Waits for the exit. */
  stop(options?: { mode?: 'smart' | 'fast' | 'immediate' }): Promise<void>;
  /** Starts it again on the same port and data directory (after kill or stop). */
  restart(): Promise<void>;
}

export interface ProcessSystemOptions {
  /**
   * A PostgreSQL cluster of this system's own (durable: fsync and synchronous_commit on), for
   * tests that stop it; otherwise a fresh database on the test run's shared cluster.
   */
  ownPostgres?: boolean;
  /** Environment for both apps, over the defaults below. */
  env?: Record<string, string>;
}

/**
 * Herald as it runs in production — the API and the workers as separate `node` processes from the
 * test build — on a Redis of its own (AOF, noeviction, on a data directory that survives a
 * restart) and PostgreSQL. The test drives it only from outside: HTTP, signals, SQL for
 * assertions. Everything it started is stopped by `close()`.
 */
export interface ProcessSystem extends HttpClient {
  api: HeraldProcess;
  /** Every worker started so far (running or not), in start order. */
  workers: HeraldProcess[];
  /** The environment both apps were started with. */
  env: Record<string, string>;
  redis: ServerHandle;
  /** Only with `ownPostgres`. */
  postgres?: ServerHandle;
  /** A connection to Herald's database for assertions (reconnects after a PostgreSQL restart). */
  db: DataSource;
  /** Starts one more worker (same environment, plus `env`) and waits until it is ready. */
  startWorker(env?: Record<string, string>): Promise<HeraldProcess>;
  /** Restarts the API process (SIGTERM, then the same environment). */
  restartApi(): Promise<HeraldProcess>;
  close(): Promise<void>;
}

/** What every process-level test runs with, unless it says otherwise. */
export const PROCESS_SYSTEM_ENV: Readonly<Record<string, string>> = {
  HERALD_ALLOW_PRIVATE_TARGETS: 'true',
  HERALD_RETRY_SCHEDULE: '1,1,1',
  HERALD_DELIVERY_TIMEOUT_MS: '2000',
  HERALD_RECONCILE_INTERVAL_MS: '1000',
  HERALD_LOG_LEVEL: 'warn',
};

type StartedServer = Awaited<ReturnType<typeof startRedis>>;

function serverHandle(
  start: (port?: number) => Promise<StartedServer>,
  first: StartedServer,
): ServerHandle {
  let current = first;
  const handle: ServerHandle = {
    get pid() {
      return current.pid;
    },
    port: first.port,
    url: first.url,
    kill: () => current.kill(),
    stop: (options) => current.stop(options as never),
    async restart() {
      current = await start(first.port);
    },
  };
  return handle;
}

export async function startProcessSystem(
  options: ProcessSystemOptions = {},
): Promise<ProcessSystem> {
  const dir = makeTempDir('herald-processes-');
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };
  try {
    const startRedisOn = (port?: number) =>
      startRedis({ dataDir: `${dir}/redis`, port, quiet: true });
    const redis = serverHandle(startRedisOn, await startRedisOn());
    cleanups.push(() => redis.stop());

    let databaseUrl: string;
    let postgres: ServerHandle | undefined;
    if (options.ownPostgres) {
      const startPostgresOn = (port?: number) =>
        startPostgres({ dataDir: `${dir}/postgres`, port, quiet: true, durable: true });
      postgres = serverHandle(startPostgresOn, await startPostgresOn());
      const server = postgres;
      cleanups.push(() => server.stop({ mode: 'immediate' }));
      databaseUrl = postgres.url; // the API migrates it (HERALD_MIGRATE defaults to true)
    } else {
      const database = await createTestDatabase();
      cleanups.push(() => database.drop());
      databaseUrl = database.url;
    }

    const env: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      HERALD_SECRET_KEY: randomBytes(32).toString('base64'),
      HERALD_ADMIN_EMAIL: TEST_ADMIN.email,
      HERALD_ADMIN_PASSWORD: TEST_ADMIN.password,
      HERALD_REDIS_PREFIX: 'herald',
      ...PROCESS_SYSTEM_ENV,
      ...options.env,
    };

    const workers: HeraldProcess[] = [];
    cleanups.push(() => Promise.all(workers.map((worker) => worker.stop('SIGKILL'))));
    let api = await startHeraldProcess('api', env, await freePort());
    cleanups.push(() => api.stop('SIGKILL'));
    await api.waitReady();

    const db = new DataSource({ type: 'postgres', url: databaseUrl, poolSize: 4 });
    await db.initialize();
    cleanups.push(() => db.destroy());

    const system: ProcessSystem = {
      get api() {
        return api;
      },
      get http() {
        return request(api.url);
      },
      workers,
      env,
      redis,
      postgres,
      db,
      async startWorker(extra = {}) {
        const worker = await startHeraldProcess('worker', { ...env, ...extra }, await freePort());
        workers.push(worker);
        await worker.waitReady();
        return worker;
      },
      async restartApi() {
        await api.stop('SIGTERM');
        api = await startHeraldProcess('api', env, api.port);
        await api.waitReady();
        return api;
      },
      async close() {
        await Promise.all(workers.map((worker) => worker.stop('SIGTERM', 10_000)));
        await api.stop('SIGTERM', 10_000);
        await cleanup();
      },
    };
    return system;
  } catch (error) {
    await cleanup();
    throw error;
  }
}
