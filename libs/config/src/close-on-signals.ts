import type { LoggerService } from '@nestjs/common';

const SHUTDOWN_TIMEOUT_MS = 30_000;

/**
 * Graceful shutdown for both apps: on SIGTERM or SIGINT run `close` once (stop taking work, let
 * in-flight work finish, close connections) and exit 0; a second signal or a close that hangs past
 * the timeout exits 1 at once. Nest's own shutdown hooks re-raise the signal, which makes a clean
 * stop look like a crash to process supervisors; this does not.
 */
export function closeOnSignals(logger: LoggerService, close: () => Promise<void>): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn?.(`${signal} again: exiting now`);
      process.exit(1);
    }
    closing = true;
    logger.log(`${signal} received: shutting down`);
    setTimeout(() => {
      logger.error(`shutdown took longer than ${SHUTDOWN_TIMEOUT_MS} ms: exiting`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${error instanceof Error ? error.stack : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
