import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { request } from 'undici';

export const RECEIVER_HOSTS = 10;

/** Arrivals the receiver recorded (only /h/ paths), in arrival order. */
export interface Arrivals {
  ids: string[];
  paths: string[];
  /** Epoch milliseconds with sub-millisecond precision, the receiver's clock (= this machine's). */
  times: number[];
}

export type ReceiverMode =
  { kind: 'ok' } | { kind: 'fail'; status: number } | { kind: 'sleep'; ms: number };

/** The receiver process (receiver-server.ts) and the calls that steer and read it. */
export interface Receiver {
  pid: number;
  port: number;
  /** `http://127.0.0.<host>:<port>`, host 1 … RECEIVER_HOSTS: each a separate Herald endpoint. */
  base(host: number): string;
  setMode(path: string, mode: ReceiverMode): Promise<void>;
  setSecret(path: string, secret: string): Promise<void>;
  count(): Promise<{ recorded: number; answered: number }>;
  stats(): Promise<{ answered: number; checked: number; failed: number }>;
  /** Returns and forgets everything recorded so far. */
  take(): Promise<Arrivals>;
  close(): Promise<void>;
}

export async function startReceiver(port: number): Promise<Receiver> {
  const tsx = path.join(__dirname, '../../node_modules/.bin/tsx');
  const child: ChildProcess = spawn(tsx, [path.join(__dirname, 'receiver-server.ts')], {
    env: {
      ...process.env,
      BENCH_RECEIVER_PORT: String(port),
      BENCH_RECEIVER_HOSTS: String(RECEIVER_HOSTS),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}/_control`;
  const call = async <T>(name: string, body?: unknown): Promise<T> => {
    const response = await request(`${url}/${name}`, {
      method: 'POST',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.body.json()) as T;
  };
  return {
    pid: child.pid!,
    port,
    base: (host) => `http://127.0.0.${host}:${port}`,
    setMode: (path, mode) => call('mode', { path, mode }),
    setSecret: (path, secret) => call('secret', { path, secret }),
    count: () => call('count'),
    stats: () => call('stats'),
    take: () => call('take'),
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid!, 'SIGTERM');
      await exited;
    },
  };
}
