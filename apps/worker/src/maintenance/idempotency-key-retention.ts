import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource } from 'typeorm';

/** How long an Idempotency-Key is remembered: a retry within this window answers the first result. */
export const IDEMPOTENCY_KEY_RETENTION_HOURS = 24;
const SWEEP_INTERVAL_MS = 15 * 60 * 1000;
const BATCH = 10_000;

/**
 * Forgets entity-change idempotency keys older than the retention window, in small batches so a
 * sweep never holds long locks. Every worker sweeps; deleting the same rows twice is harmless.
 */
@Injectable()
export class IdempotencyKeyRetention implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('IdempotencyKeys');
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | null = null;

  constructor(private readonly db: DataSource) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweepOnce().catch(() => undefined), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping?.catch(() => undefined);
  }

  /** Deletes every expired key; returns how many. */
  sweepOnce(): Promise<number> {
    this.sweeping ??= this.sweep().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweep(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const [, count] = (await this.db.query(
        `DELETE FROM idempotency_keys WHERE ctid IN (
           SELECT ctid FROM idempotency_keys
            WHERE created_at < now() - make_interval(hours => $1) LIMIT $2)`,
        [IDEMPOTENCY_KEY_RETENTION_HOURS, BATCH],
      )) as [unknown[], number];
      deleted += count;
      if (count < BATCH) break;
    }
    if (deleted > 0)
      this.logger.log(
        `forgot ${deleted} idempotency keys older than ${IDEMPOTENCY_KEY_RETENTION_HOURS} h`,
      );
    return deleted;
  }
}
