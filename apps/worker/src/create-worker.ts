import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { HeraldConfig } from '@herald/config';
import { startupLogger } from '@herald/observability';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from './worker.module';

export interface CreateWorkerOptions {
  /** false: log nothing at all (tests). Otherwise JSON lines on stdout (nestjs-pino). */
  logger?: false | undefined;
}

/**
 * The worker exactly as it runs in production (a headless Nest application context, its
 * processors started); main.ts and the tests both build it here.
 */
export async function createWorker(
  config: HeraldConfig,
  options: CreateWorkerOptions = {},
): Promise<INestApplicationContext> {
  const logging = options.logger !== false;
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot(config),
    logging ? { logger: startupLogger(config), bufferLogs: true } : { logger: false },
  );
  if (logging) app.useLogger(app.get(Logger));
  return app;
}
