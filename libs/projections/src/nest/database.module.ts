import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { PostgresEventStore } from '@herald/event-store';
import { DataSource } from 'typeorm';
import { allProjections } from '../all-projections';
import { heraldDataSourceOptions } from '../data-source-options';
import { EVENT_STORE } from './database.tokens';

/**
 * PostgreSQL for both apps: the TypeORM DataSource (migrated at start when HERALD_MIGRATE is true
 * and `runMigrations` is asked for) and the event store on it, with every inline projection.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: { runMigrations: boolean }) {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [HERALD_CONFIG],
          useFactory: (config: HeraldConfig) => ({
            ...heraldDataSourceOptions(config.databaseUrl),
            migrationsRun: options.runMigrations && config.migrate,
            // Fail the start rather than retry for minutes: the start script or orchestrator retries.
            retryAttempts: 3,
            retryDelay: 1000,
          }),
        }),
      ],
      providers: [
        {
          provide: EVENT_STORE,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) =>
            new PostgresEventStore(dataSource, [...allProjections]),
        },
      ],
      exports: [EVENT_STORE],
    };
  }
}
