// `npm start` as a newcomer runs it: no DATABASE_URL, REDIS_URL or HERALD_SECRET_KEY, so the
// script must start its own PostgreSQL and Redis, generate a key, run both apps until they are ready,
// and on SIGTERM leave nothing running. A second run on the same data directory must come up again
// from what the first one left (same database files, same key).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { httpStatus } from '@herald/testing/processes';
import { freePort, makeTempDir } from '../libs/testing/src/local-services.cjs';

const repoRoot = path.resolve(__dirname, '..');
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 60_000;

interface Services {
  postgres: number;
  redis: number;
}

interface StartRun {
  child: ChildProcess;
  port: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function runNpmStart(dataDir: string, port: number, workerPort: number): StartRun {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HERALD_DATA_DIR: dataDir,
    PORT: String(port),
    HERALD_WORKER_PORT: String(workerPort),
  };
  for (const name of [
    'DATABASE_URL',
    'REDIS_URL',
    'HERALD_SECRET_KEY',
    'HERALD_PG_PORT',
    'HERALD_REDIS_PORT',
    'NODE_ENV', // Jest sets it to `test`; a newcomer's shell does not
  ]) {
    delete env[name];
  }
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Always drained: a full pipe would block the apps' logging.
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, port, output: () => output, exited };
}

const tail = (text: string) => text.split('\n').slice(-60).join('\n');

/** Ready = /health/ready answers 200 and the script has printed where everything is. */
async function waitUntilReady(run: StartRun): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (run.child.exitCode !== null || run.child.signalCode !== null) {
      throw new Error(
        `npm start exited (${run.child.exitCode ?? run.child.signalCode}):\n${tail(run.output())}`,
      );
    }
    const printed = run.output().includes('Herald is running');
    if (printed && (await httpStatus(`http://127.0.0.1:${run.port}/health/ready`)) === 200) return;
    if (Date.now() > deadline) {
      throw new Error(`not ready within ${READY_TIMEOUT_MS / 1000} s:\n${tail(run.output())}`);
    }
    await sleep(500);
  }
}

function servicesOf(run: StartRun): Services {
  const match = /\[herald\] services: (\{.*\})/.exec(run.output());
  if (!match) throw new Error(`npm start printed no services line:\n${tail(run.output())}`);
  return JSON.parse(match[1]) as Services;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped) has an empty command line and counts as gone.
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').length > 0;
  } catch {
    return false;
  }
}

/** Still running, and still the process we think (a PID can be reused once it is gone). */
function runningAs(pid: number, command: string): boolean {
  try {
    return isRunning(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(command);
  } catch {
    return false;
  }
}

async function stopWithSigterm(run: StartRun) {
  run.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `npm start did not exit within ${STOP_TIMEOUT_MS / 1000} s:\n${tail(run.output())}`,
          ),
        ),
      STOP_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([run.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('npm start', () => {
  const dataDir = makeTempDir('herald-npm-start-');
  const runs: StartRun[] = [];
  let firstKey: string;

  afterAll(
    async () => {
      // Only what this suite started: a run still going, and the servers a failed run left behind.
      for (const run of runs) {
        if (run.child.exitCode !== null || run.child.signalCode !== null) continue;
        run.child.kill('SIGTERM');
        await Promise.race([run.exited, sleep(STOP_TIMEOUT_MS)]);
        if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
      }
      for (const run of runs) {
        const services = /\[herald\] services: (\{.*\})/.exec(run.output());
        if (!services) continue;
        const { postgres, redis } = JSON.parse(services[1]) as Partial<Services>;
        const leftovers: Array<[number | undefined, string, NodeJS.Signals]> = [
          [postgres, 'postgres', 'SIGINT'],
          [redis, 'redis-server', 'SIGTERM'],
        ];
        for (const [pid, command, signal] of leftovers) {
          if (pid && runningAs(pid, command)) process.kill(pid, signal);
        }
      }
      await sleep(1000);
      rmSync(dataDir, { recursive: true, force: true });
    },
    2 * STOP_TIMEOUT_MS + 10_000,
  );

  it('starts PostgreSQL, Redis and both apps on a fresh data directory, and stops them all on SIGTERM', async () => {
    const run = runNpmStart(dataDir, await freePort(), await freePort());
    runs.push(run);

    await waitUntilReady(run);
    const { postgres, redis } = servicesOf(run);
    expect(isRunning(postgres)).toBe(true);
    expect(isRunning(redis)).toBe(true);
    expect(run.output()).toContain(`http://localhost:${run.port}/docs`);
    expect(run.output()).toContain('HERALD_ALLOW_PRIVATE_TARGETS=true');
    expect(run.output()).toContain('created database herald');
    // The built API serves the web console: `npm run build` copied its static files into dist.
    expect(await httpStatus(`http://127.0.0.1:${run.port}/console`)).toBe(200);
    expect(await httpStatus(`http://127.0.0.1:${run.port}/console/assets/app.js`)).toBe(200);

    const keyFile = path.join(dataDir, 'secret-key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    firstKey = readFileSync(keyFile, 'utf8').trim();
    expect(Buffer.from(firstKey, 'base64')).toHaveLength(32);

    expect(await stopWithSigterm(run)).toEqual({ code: 0, signal: null });
    expect(isRunning(postgres)).toBe(false);
    expect(isRunning(redis)).toBe(false);
    expect(existsSync(path.join(dataDir, 'pids.json'))).toBe(false);
  }, 240_000);

  it('comes up again on the same data directory, reusing the database files and the key', async () => {
    expect(firstKey).toBeDefined(); // the first test ran
    const run = runNpmStart(dataDir, await freePort(), await freePort());
    runs.push(run);

    await waitUntilReady(run);
    expect(run.output()).not.toContain('initialising PostgreSQL');
    expect(run.output()).not.toContain('created database');
    expect(run.output()).not.toContain('generated HERALD_SECRET_KEY');
    expect(readFileSync(path.join(dataDir, 'secret-key'), 'utf8').trim()).toBe(firstKey);
    const { postgres, redis } = servicesOf(run);

    expect(await stopWithSigterm(run)).toEqual({ code: 0, signal: null });
    expect(isRunning(postgres)).toBe(false);
    expect(isRunning(redis)).toBe(false);
  }, 240_000);
});
