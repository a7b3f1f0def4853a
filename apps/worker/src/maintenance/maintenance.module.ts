import { Module } from '@nestjs/common';
import { IdempotencyKeyRetention } from './idempotency-key-retention';

/** Housekeeping of operational tables. */
@Module({ providers: [IdempotencyKeyRetention], exports: [IdempotencyKeyRetention] })
export class MaintenanceModule {}
