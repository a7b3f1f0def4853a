import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfigOrExit } from '@herald/config';
import { closeOnSignals } from '@herald/config/close-on-signals';
import { createApp } from './create-app';

async function main(): Promise<void> {
  const logger = new Logger('Herald');
  const config = loadConfigOrExit();
  const app = await createApp(config);
  closeOnSignals(logger, () => app.close());
  await app.listen(config.port, '0.0.0.0');
  logger.log(`API listening on port ${config.port}`);
}

main().catch((error: unknown) => {
  new Logger('Herald').error(
    `API failed to start: ${error instanceof Error ? error.stack : String(error)}`,
  );
  process.exit(1);
});
