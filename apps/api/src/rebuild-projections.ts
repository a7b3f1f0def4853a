import 'reflect-metadata';
import { loadConfigOrExit } from '@herald/config';
import { allProjections, heraldDataSourceOptions, rebuildProjections } from '@herald/projections';
import { DataSource } from 'typeorm';

/** `npm run projections:rebuild`: replays every event into freshly emptied read models. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const dataSource = new DataSource(heraldDataSourceOptions(config.databaseUrl));
  await dataSource.initialize();
  try {
    const started = Date.now();
    const { events } = await rebuildProjections(dataSource, allProjections);
    const names = allProjections.map((projection) => projection.name).join(', ');
    process.stdout.write(`Rebuilt ${names} from ${events} events in ${Date.now() - started} ms\n`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Rebuild failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
