import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import {
  DELIVERIES_QUEUE,
  deliveryJobId,
  enqueueDeliveries,
  type DeliveryJobData,
} from '@herald/queues';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { withRedisDeadline } from '../queues/redis-deadline';
import { RECONCILER_OPTIONS, type ReconcilerOptions } from './reconciler-options';
import { takeStaleJob } from './stale-job';

/** Job states looked up at once. */
const STATE_CHUNK = 100;

interface DueRow {
  id: string;
  generation: number;
  /** `next_attempt_at` as text: keeps PostgreSQL's microseconds for the cursor. */
  due_at: string;
}

/**
 * Re-enqueues pending deliveries that are overdue (by more than the grace) and whose job
 * (`deliveryJobId(id, generation)`) is missing, completed or failed — Redis lost it, or BullMQ
 * failed it by the stalled limit. PostgreSQL stays the source of truth: nothing here changes a row.
 *
 * Each call looks at up to `batchLimit` overdue rows, continuing after the last row of the previous
 * call, so a backlog of deliveries whose jobs are merely waiting does not hide lost ones further on.
 */
@Injectable()
export class LostDeliveryJobs {
  private cursor: { at: string; id: string } | null = null;

  constructor(
    private readonly db: DataSource,
    @InjectQueue(DELIVERIES_QUEUE) private readonly queue: Queue<DeliveryJobData>,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(RECONCILER_OPTIONS) private readonly options: ReconcilerOptions,
  ) {}

  /** Returns how many deliveries it enqueued again. */
  async requeue(): Promise<number> {
    const { graceSeconds, batchLimit, redisTimeoutMs } = this.options;
    const due = await this.db.query<DueRow[]>(
      `SELECT id, generation, next_attempt_at::text AS due_at
         FROM deliveries
        WHERE status = 'pending'
          AND next_attempt_at < now() - make_interval(secs => $1)
          AND ($2::timestamptz IS NULL OR (next_attempt_at, id) > ($2::timestamptz, $3::uuid))
        ORDER BY next_attempt_at, id
        LIMIT $4`,
      [graceSeconds, this.cursor?.at ?? null, this.cursor?.id ?? null, batchLimit],
    );
    const last = due.at(-1);
    this.cursor = due.length === batchLimit && last ? { at: last.due_at, id: last.id } : null;

    const lost: DueRow[] = [];
    for (let start = 0; start < due.length; start += STATE_CHUNK) {
      const chunk = due.slice(start, start + STATE_CHUNK);
      const stale = await Promise.all(
        chunk.map((row) =>
          takeStaleJob(this.queue, deliveryJobId(row.id, row.generation), redisTimeoutMs),
        ),
      );
      lost.push(...chunk.filter((_, index) => stale[index]));
    }
    await withRedisDeadline(
      enqueueDeliveries(this.queue, lost, this.config.retryScheduleSeconds.length),
      redisTimeoutMs,
      `re-enqueueing ${lost.length} deliveries`,
    );
    return lost.length;
  }
}
