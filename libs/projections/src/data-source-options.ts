import { migrations } from '@herald/event-store/migrations';
import type { DataSourceOptions } from 'typeorm';
import { ApiKeyStateRecord } from './api-keys/api-key-state.record';
import { UserRecord } from './users/user.record';
import { WebhookRecord } from './webhooks/webhook.record';

export const projectionEntities = [UserRecord, ApiKeyStateRecord, WebhookRecord];

/** TypeORM options shared by the apps, the CLI and the tests: schema by migrations only, never synchronize. */
export function heraldDataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: projectionEntities,
    migrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    // A pool that cannot hand out a connection fails the caller after 10 s instead of hanging it.
    extra: { max: 20, application_name: 'herald', connectionTimeoutMillis: 10_000 },
  };
}
