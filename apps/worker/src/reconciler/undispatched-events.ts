import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { GlobalCheckpoint } from '@herald/event-store';
import {
  dispatchJobId,
  enqueueDispatches,
  EVENTS_QUEUE,
  type DispatchJobData,
} from '@herald/queues';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { isDeliverableEvent } from '../dispatch/deliverable-event';
import { withRedisDeadline } from '../queues/redis-deadline';
import { RELAY_CHECKPOINT, RelayCheckpoints } from '../relay/relay-checkpoints';
import { RECONCILER_OPTIONS, type ReconcilerOptions } from './reconciler-options';
import { takeStaleJob } from './stale-job';

/** The reconciler's low-water mark in `relay_checkpoints`. */
export const RECONCILER_CHECKPOINT = 'reconciler';

/** Job states looked up at once. */
const STATE_CHUNK = 100;

/** Pages one call may read while everything it reads is settled (catching up on an old log). */
const MAX_SETTLED_PAGES = 10;

interface EventRow {
  id: string;
  type: string;
  /** Null when the event is dispatched: its data is not needed then. */
  data: unknown;
  transaction_id: string;
  position: string;
  dispatched: boolean;
  past_grace: boolean;
}

/**
 * Finds events the relay has queued (at or before its checkpoint) that were recorded longer ago than
 * the grace, are deliverable and have no `event_dispatches` row — their dispatch job was lost or
 * failed for good — and queues their dispatch again.
 *
 * Cost: it reads forward from the `reconciler` checkpoint, a low-water mark that only passes events
 * known to be settled (dispatched, or not deliverable), so each event is looked at until it settles,
 * never the whole table again. An event that cannot be dispatched holds the mark back, visibly.
 */
@Injectable()
export class UndispatchedEvents {
  constructor(
    private readonly db: DataSource,
    private readonly checkpoints: RelayCheckpoints,
    @InjectQueue(EVENTS_QUEUE) private readonly queue: Queue<DispatchJobData>,
    @Inject(RECONCILER_OPTIONS) private readonly options: ReconcilerOptions,
  ) {}

  /** Returns how many events it queued for dispatch again. */
  async redispatch(): Promise<number> {
    const relayed = await this.checkpoints.load(RELAY_CHECKPOINT);
    if (!relayed) return 0;
    let mark = (await this.checkpoints.load(RECONCILER_CHECKPOINT)) ?? {
      transactionId: 0n,
      position: 0n,
    };
    let redispatched = 0;
    for (let page = 0; page < MAX_SETTLED_PAGES; page++) {
      const rows = await this.readAfter(mark, relayed);
      const { settledUpTo, overdue, allSettled } = sortOut(rows);
      redispatched += await this.requeue(overdue);
      if (settledUpTo) {
        await this.checkpoints.advance(RECONCILER_CHECKPOINT, settledUpTo);
        mark = settledUpTo;
      }
      if (rows.length < this.options.batchLimit || !allSettled) break;
    }
    return redispatched;
  }

  private readAfter(after: GlobalCheckpoint, upTo: GlobalCheckpoint): Promise<EventRow[]> {
    return this.db.query<EventRow[]>(
      `SELECT e.id, e.type,
              CASE WHEN d.event_id IS NULL THEN e.data END AS data,
              e.transaction_id::text AS transaction_id, e.position::text AS position,
              d.event_id IS NOT NULL AS dispatched,
              e.recorded_at < now() - make_interval(secs => $5) AS past_grace
         FROM events e
         LEFT JOIN event_dispatches d ON d.event_id = e.id
        WHERE (e.transaction_id, e.position) > ($1::xid8, $2::bigint)
          AND (e.transaction_id, e.position) <= ($3::xid8, $4::bigint)
        ORDER BY e.transaction_id, e.position
        LIMIT $6`,
      [
        String(after.transactionId),
        String(after.position),
        String(upTo.transactionId),
        String(upTo.position),
        this.options.graceSeconds,
        this.options.batchLimit,
      ],
    );
  }

  private async requeue(eventIds: readonly string[]): Promise<number> {
    const { redisTimeoutMs } = this.options;
    const lost: string[] = [];
    for (let start = 0; start < eventIds.length; start += STATE_CHUNK) {
      const chunk = eventIds.slice(start, start + STATE_CHUNK);
      const stale = await Promise.all(
        chunk.map((id) => takeStaleJob(this.queue, dispatchJobId(id), redisTimeoutMs)),
      );
      lost.push(...chunk.filter((_, index) => stale[index]));
    }
    await withRedisDeadline(
      enqueueDispatches(this.queue, lost),
      redisTimeoutMs,
      `re-enqueueing ${lost.length} dispatches`,
    );
    return lost.length;
  }
}

/**
 * Walks the page in commit order: the mark may pass the leading run of settled events; deliverable,
 * undispatched events past the grace are overdue (whatever their place), younger ones just wait.
 */
function sortOut(rows: readonly EventRow[]): {
  settledUpTo: GlobalCheckpoint | null;
  overdue: string[];
  allSettled: boolean;
} {
  let settledUpTo: GlobalCheckpoint | null = null;
  let leading = true;
  const overdue: string[] = [];
  for (const row of rows) {
    const settled = row.dispatched || !isDeliverableEvent(row);
    if (settled && leading) settledUpTo = checkpointOf(row);
    if (settled) continue;
    leading = false;
    if (row.past_grace) overdue.push(row.id);
  }
  return { settledUpTo, overdue, allSettled: leading };
}

function checkpointOf(row: EventRow): GlobalCheckpoint {
  return { transactionId: BigInt(row.transaction_id), position: BigInt(row.position) };
}
