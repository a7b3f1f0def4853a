import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ALIAS_HOOK, ensureHeraldBuild, REPO_ROOT } from './herald-build';

export type HeraldAppName = 'api' | 'worker';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One real Herald process (the API or the worker), started from the test build. */
export interface HeraldProcess {
  app: HeraldAppName;
  pid: number;
  /** The port its `/health/*` (and, for the API, every route) answers on. */
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves when the process has exited, however it ended. */
  exited: Promise<ProcessExit>;
  /** Sends `signal` (by PID); resolves at once. */
  signal(signal: NodeJS.Signals): void;
  /** Sends `signal` and waits for the exit (SIGKILL after `timeoutMs`). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ProcessExit>;
  /** Resident set size from /proc, in bytes (0 once it has exited). */
  rssBytes(): number;
  /** Polls `/health/ready` until it answers 200. */
  waitReady(timeoutMs?: number): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** GET on loopback; the status code, or null when nothing answered within `timeoutMs`. */
export function httpStatus(url: string, timeoutMs = 2000): Promise<number | null> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode ?? null);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(null));
  });
}

const tail = (text: string, lines = 40) => text.split('\n').slice(-lines).join('\n');

/**
 * Starts `node <build>/apps/<app>/src/main.js` with exactly `env` (plus PATH), as production runs
 * it: configuration from the environment, JSON logs on stdout. `port` is the API's PORT or the
 * worker's HERALD_WORKER_PORT. Output is always drained (a full pipe would stall the process).
 * Does not wait for readiness: call `waitReady()`. `buildDirectory` is passed to
 * `ensureHeraldBuild` (the benchmarks build outside HERALD_TEST_DIR).
 */
export async function startHeraldProcess(
  app: HeraldAppName,
  env: Record<string, string>,
  port: number,
  buildDirectory?: string,
): Promise<HeraldProcess> {
  const buildDir = await ensureHeraldBuild(buildDirectory);
  const portVariable = app === 'api' ? 'PORT' : 'HERALD_WORKER_PORT';
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', ALIAS_HOOK, path.join(buildDir, 'apps', app, 'src', 'main.js')],
    {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HERALD_BUILD_DIR: buildDir,
        // The build lives outside the repository; its packages are the repository's.
        NODE_PATH: path.join(REPO_ROOT, 'node_modules'),
        NODE_ENV: 'production',
        ...env,
        [portVariable]: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    // Bounded: a long fault run logs a lot; the tail is what explains a failure.
    if (output.length > 4_000_000) output = output.slice(-2_000_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<ProcessExit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const pid = child.pid!;
  const url = `http://127.0.0.1:${port}`;
  const isRunning = () => child.exitCode === null && child.signalCode === null;

  const process_: HeraldProcess = {
    app,
    pid,
    port,
    url,
    output: () => output,
    exited,
    signal(signal) {
      if (isRunning()) process.kill(pid, signal);
    },
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      if (!isRunning()) return exited;
      process.kill(pid, signal);
      const timer = setTimeout(() => {
        if (isRunning()) process.kill(pid, 'SIGKILL');
      }, timeoutMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
    rssBytes() {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const kib = /VmRSS:\s+(\d+) kB/.exec(status);
        return kib ? Number(kib[1]) * 1024 : 0;
      } catch {
        return 0;
      }
    },
    async waitReady(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (!isRunning()) throw new Error(`${app} exited before it was ready:\n${tail(output)}`);
        if ((await httpStatus(`${url}/health/ready`)) === 200) return;
        if (Date.now() > deadline)
          throw new Error(`${app} not ready within ${timeoutMs} ms:\n${tail(output)}`);
        await sleep(100);
      }
    },
  };
  return process_;
}
