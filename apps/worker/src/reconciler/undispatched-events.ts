import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
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

/** Pages one call may read beyond the low-water mark's pages (see `scanOnward`). */
const MAX_SCAN_PAGES = 10;

/** Passes one overdue event may hold the low-water mark before it is reported (once). */
const STUCK_WARNING_PASSES = 5;

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
 * never the whole table again. An event that cannot be dispatched holds the mark back, visibly: a
 * warning names it (once) when it has done so for `STUCK_WARNING_PASSES` calls in a row.
 *
 * It does not hide the events after it: whenever a call stops short of the relay checkpoint, it
 * also reads up to `MAX_SCAN_PAGES` pages further on, from a cursor kept between calls (in memory,
 * like LostDeliveryJobs') that wraps back to the mark's pages when it reaches the relay checkpoint.
 * So, with M rows between the mark and the relay checkpoint, every overdue event is queued again
 * within ⌈M / (MAX_SCAN_PAGES × batchLimit)⌉ + 1 calls, as long as the relay adds fewer rows than
 * that per call.
 */
@Injectable()
export class UndispatchedEvents {
  private readonly logger = new Logger('Reconciler');
  /** Where `scanOnward` goes on at the next call; null: right after the low-water mark's pages. */
  private cursor: GlobalCheckpoint | null = null;
  /** The overdue event the low-water mark stopped at, and for how many calls in a row. */
  private held: { eventId: string; passes: number } | null = null;

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
    /** The last event this call has read. */
    let read = mark;
    let blocker: EventRow | null = null;
    let reachedRelay = false;
    for (let page = 0; page < MAX_SETTLED_PAGES; page++) {
      const rows = await this.readAfter(mark, relayed);
      const { settledUpTo, overdue, firstUnsettled } = sortOut(rows);
      redispatched += await this.requeue(overdue);
      if (settledUpTo) {
        await this.checkpoints.advance(RECONCILER_CHECKPOINT, settledUpTo);
        mark = settledUpTo;
      }
      const last = rows.at(-1);
      if (last) read = checkpointOf(last);
      blocker = firstUnsettled;
      reachedRelay = rows.length < this.options.batchLimit;
      if (reachedRelay || blocker) break;
    }
    this.watch(blocker);
    if (reachedRelay) this.cursor = null;
    else redispatched += await this.scanOnward(read, relayed);
    return redispatched;
  }

  /**
   * Reads on from the cursor (or from `from`, the end of the mark's pages, when the cursor is not
   * past it) up to `MAX_SCAN_PAGES` pages, queueing overdue events again; the cursor keeps where it
   * stopped, or wraps (null) when it reached the relay checkpoint.
   */
  private async scanOnward(from: GlobalCheckpoint, relayed: GlobalCheckpoint): Promise<number> {
    let at = this.cursor && isAfter(this.cursor, from) ? this.cursor : from;
    let redispatched = 0;
    for (let page = 0; page < MAX_SCAN_PAGES; page++) {
      const rows = await this.readAfter(at, relayed);
      redispatched += await this.requeue(sortOut(rows).overdue);
      const last = rows.at(-1);
      if (rows.length < this.options.batchLimit || !last) {
        this.cursor = null;
        return redispatched;
      }
      at = checkpointOf(last);
    }
    this.cursor = at;
    return redispatched;
  }

  /** Warns once when the same overdue event has held the low-water mark for several calls. */
  private watch(blocker: EventRow | null): void {
    const eventId = blocker?.past_grace ? blocker.id : null;
    if (this.held && this.held.eventId !== eventId) {
      if (this.held.passes >= STUCK_WARNING_PASSES) {
        this.logger.log(`Event ${this.held.eventId} no longer holds the low-water mark`);
      }
      this.held = null;
    }
    if (!eventId) return;
    this.held ??= { eventId, passes: 0 };
    this.held.passes++;
    if (this.held.passes === STUCK_WARNING_PASSES) {
      this.logger.warn(
        `Event ${eventId} (${blocker?.type}) has held the reconciler's low-water mark for ${STUCK_WARNING_PASSES} passes: relayed and overdue, but not dispatched (see its dispatch job ${dispatchJobId(eventId)}); the events after it are still checked`,
      );
    }
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
  /** The event that ends the leading run of settled ones; null when the whole page is settled. */
  firstUnsettled: EventRow | null;
} {
  let settledUpTo: GlobalCheckpoint | null = null;
  let firstUnsettled: EventRow | null = null;
  const overdue: string[] = [];
  for (const row of rows) {
    const settled = row.dispatched || !isDeliverableEvent(row);
    if (settled && !firstUnsettled) settledUpTo = checkpointOf(row);
    if (settled) continue;
    firstUnsettled ??= row;
    if (row.past_grace) overdue.push(row.id);
  }
  return { settledUpTo, overdue, firstUnsettled };
}

function checkpointOf(row: EventRow): GlobalCheckpoint {
  return { transactionId: BigInt(row.transaction_id), position: BigInt(row.position) };
}

function isAfter(a: GlobalCheckpoint, b: GlobalCheckpoint): boolean {
  return (
    a.transactionId > b.transactionId ||
    (a.transactionId === b.transactionId && a.position > b.position)
  );
}
