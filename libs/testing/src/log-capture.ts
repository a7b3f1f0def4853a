import { format } from 'node:util';
import { startTestApi, type TestApi } from './test-api';

/** Everything the process wrote to stdout/stderr (and the console) while capturing. */
export interface LogCapture {
  text(): string;
  stop(): void;
}

/**
 * Captures (and swallows) process.stdout/stderr writes and console output, which is where Nest's
 * ConsoleLogger and anything else in the app write their logs.
 */
export function captureLogs(): LogCapture {
  const chunks: string[] = [];
  const record = (chunk: unknown): void => {
    chunks.push(
      typeof chunk === 'string'
        ? chunk
        : Buffer.isBuffer(chunk)
          ? chunk.toString('utf8')
          : String(chunk),
    );
  };
  const streams = [process.stdout, process.stderr];
  const originalWrites = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
      record(chunk);
      const callback = rest.find((arg) => typeof arg === 'function');
      if (typeof callback === 'function') callback();
      return true;
    }) as typeof stream.write;
  }
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const originalConsole = methods.map((method) => console[method]);
  for (const method of methods)
    console[method] = (...args: unknown[]) => record(`${format(...args)}\n`);
  let stopped = false;
  return {
    text: () => chunks.join(''),
    stop() {
      if (stopped) return;
      stopped = true;
      streams.forEach((stream, index) => (stream.write = originalWrites[index]));
      methods.forEach((method, index) => (console[method] = originalConsole[index]));
    },
  };
}

/**
 * Like createTestApi, but the app logs as in production (JSON lines through pino, not silenced) and
 * every log line from its start to its close is captured.
 */
export async function createLoggingTestApi(
  env: Record<string, string> = {},
): Promise<{ api: TestApi; logs: LogCapture }> {
  const logs = captureLogs();
  try {
    const api = await startTestApi(env, {}, () => logs.stop());
    return { api, logs };
  } catch (error) {
    logs.stop();
    throw error;
  }
}
