import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import IORedis from 'ioredis';
import {
  freePort,
  makeTempDir,
  startPostgres,
  startRedis,
  type LocalServer,
} from '../../libs/testing/src/local-services.cjs';
import { ensureHeraldBuild } from '../../libs/testing/src/processes/herald-build';
import {
  startHeraldProcess,
  type HeraldProcess,
} from '../../libs/testing/src/processes/herald-process';
import { ApiClient } from './api-client';

export const BENCH_ADMIN = { email: 'admin@herald.bench', password: 'bench-admin-password' };

/**
 * What the benchmark runs Herald with. Product defaults except: private targets (the receiver is
 * on loopback), a retry schedule short enough that the isolation storm drains within the run and
 * long enough (≈ 2 min in total) that nothing exhausts during it, and quiet logs.
 */
export const BENCH_HERALD_ENV: Readonly<Record<string, string>> = {
  HERALD_ALLOW_PRIVATE_TARGETS: 'true',
  HERALD_RETRY_SCHEDULE: '1,2,4,8,16,30,30,30',
  HERALD_DELIVERY_TIMEOUT_MS: '5000',
  HERALD_LOG_LEVEL: 'warn',
  // For A/B experiments: BENCH_HERALD_ENV='{"HERALD_MAX_IN_FLIGHT_PER_ENDPOINT":"50"}' (recorded).
  ...(JSON.parse(process.env.BENCH_HERALD_ENV ?? '{}') as Record<string, string>),
};

export interface ServerSettings {
  postgres: Record<string, string>;
  redis: Record<string, string>;
}

/** Durable PostgreSQL and Redis, the Herald build, and the API + worker as real processes. */
export interface BenchSystem {
  dir: string;
  postgres: LocalServer;
  redis: LocalServer;
  db: Pool;
  redisClient: IORedis;
  api: HeraldProcess;
  worker: HeraldProcess;
  client: ApiClient;
  env: Record<string, string>;
  settings: ServerSettings;
  close(): Promise<void>;
}

export async function startBenchSystem(log: (line: string) => void): Promise<BenchSystem> {
  const dir = makeTempDir('herald-bench-');
  // Whatever started is stopped again if a later step fails, and the directory goes with it.
  const started: { stop(): Promise<unknown> }[] = [];
  const cleanUp = async () => {
    for (const server of started.reverse()) await server.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  log(`building Herald into ${dir}/build and starting durable PostgreSQL and Redis`);
  try {
    const track = <T extends { stop(): Promise<unknown> }>(server: T) => {
      started.push(server);
      return server;
    };
    const [build, postgres, redis] = await Promise.all([
      ensureHeraldBuild(path.join(dir, 'build')),
      startPostgres({ dataDir: `${dir}/postgres`, quiet: true, durable: true }).then(track),
      startRedis({ dataDir: `${dir}/redis`, quiet: true }).then(track),
    ]);
    return await startHerald(dir, build, postgres, redis, track, cleanUp);
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

async function startHerald(
  dir: string,
  build: string,
  postgres: LocalServer,
  redis: LocalServer,
  track: <T extends { stop(): Promise<unknown> }>(server: T) => T,
  cleanUp: () => Promise<void>,
): Promise<BenchSystem> {
  const env: Record<string, string> = {
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    HERALD_SECRET_KEY: randomBytes(32).toString('base64'),
    HERALD_ADMIN_EMAIL: BENCH_ADMIN.email,
    HERALD_ADMIN_PASSWORD: BENCH_ADMIN.password,
    ...BENCH_HERALD_ENV,
    // BENCH_PROFILE_DIR=<dir>: CPU profiles of the API and the worker (see bench/README.md).
    ...(process.env.BENCH_PROFILE_DIR
      ? {
          BENCH_PROFILE_DIR: process.env.BENCH_PROFILE_DIR,
          NODE_OPTIONS: `--require ${path.join(__dirname, '../profiling/cpu-profile.cjs')}`,
        }
      : {}),
  };
  const stopProcess = (process_: HeraldProcess) => ({
    stop: () => process_.stop('SIGTERM', 10_000),
  });
  const api = await startHeraldProcess('api', env, await freePort(), build);
  track(stopProcess(api));
  await api.waitReady(); // the API migrates before the worker starts
  const worker = await startHeraldProcess('worker', env, await freePort(), build);
  track(stopProcess(worker));
  await worker.waitReady();
  const db = new Pool({ connectionString: postgres.url, max: 4 });
  const redisClient = new IORedis(redis.url);
  const settings = await readSettings(db, redisClient);
  const client = new ApiClient(api.url);
  return {
    dir,
    postgres,
    redis,
    db,
    redisClient,
    api,
    worker,
    client,
    env,
    settings,
    async close() {
      await client.close();
      await db.end();
      redisClient.disconnect();
      await cleanUp(); // the worker, the API, then Redis and PostgreSQL
    },
  };
}

/** The durability settings the numbers were measured under, as the servers report them. */
async function readSettings(db: Pool, redis: IORedis): Promise<ServerSettings> {
  const pg: Record<string, string> = {};
  for (const name of ['synchronous_commit', 'fsync', 'full_page_writes', 'wal_sync_method']) {
    pg[name] = (await db.query(`SHOW ${name}`)).rows[0][name];
  }
  const redisSettings: Record<string, string> = {};
  for (const name of ['appendonly', 'appendfsync', 'save', 'maxmemory-policy']) {
    const [, value] = (await redis.config('GET', name)) as string[];
    redisSettings[name] = value;
  }
  return { postgres: pg, redis: redisSettings };
}
