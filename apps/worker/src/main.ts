import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfigOrExit } from '@herald/config';
import { closeOnSignals } from '@herald/config/close-on-signals';
import { createWorker } from './create-worker';
import { startHealthServer } from './health/health-server';
import { WorkerReadiness } from './health/worker-readiness';
import { WorkerMetrics } from './metrics/worker-metrics';

const READY_TIMEOUT_MS = 60_000;

async function main(): Promise<void> {
  const logger = new Logger('Worker');
  const config = loadConfigOrExit();
  const app = await createWorker(config);
  const readiness = app.get(WorkerReadiness);
  const healthServer =
    config.workerPort > 0
      ? await startHealthServer(readiness, config.workerPort, {
          registry: app.get(WorkerMetrics).registry,
          token: config.metricsToken,
        })
      : null;
  closeOnSignals(logger, async () => {
    healthServer?.close();
    await app.close();
  });

  await readiness.warnAboutRedisPolicy();
  // The API applies migrations; a worker started alongside it waits for them instead of failing.
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (let report = await readiness.check(); !report.ready; report = await readiness.check()) {
    if (Date.now() > deadline)
      throw new Error(`not ready after ${READY_TIMEOUT_MS} ms: ${JSON.stringify(report.checks)}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  logger.log(
    `Worker ready${healthServer ? ` (health and metrics on port ${config.workerPort})` : ''}`,
  );
}

main().catch((error: unknown) => {
  new Logger('Worker').error(
    `Worker failed: ${error instanceof Error ? error.stack : String(error)}`,
  );
  process.exit(1);
});
