import { InjectQueue } from '@nestjs/bullmq';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import type { EventStore, GlobalCheckpoint } from '@herald/event-store';
import { EVENT_STORE } from '@herald/projections';
import { enqueueDispatches, EVENTS_QUEUE, type DispatchJobData } from '@herald/queues';
import type { Queue } from 'bullmq';
import { isDeliverableEvent } from '../dispatch/deliverable-event';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { withRedisDeadline } from '../queues/redis-deadline';
import { RELAY_CHECKPOINT, RelayCheckpoints } from './relay-checkpoints';
import { RelayLeadership } from './relay-leadership';
import { RELAY_OPTIONS, type RelayOptions } from './relay-options';

/**
 * How soon to look again while committed events are held back behind an older transaction: the
 * first look comes soon (most such transactions are single statements, over in a few ms), then
 * the wait doubles up to the last value while passes move nothing.
 */
const HELD_BACK_FIRST_RECHECK_MS = 2;
const HELD_BACK_LAST_RECHECK_MS = 50;

/**
 * Moves committed events to the `events` queue, in commit order (`readAll`), one dispatch job per
 * deliverable event (job id `dispatch-<eventId>`).
 *
 * Guarantees:
 * - No event is skipped: the checkpoint is saved only after the page's enqueue succeeded, and only
 *   ever forward. A crash between the two re-sends a page, which adds nothing (fixed job ids).
 * - While Redis is down, enqueues fail after `enqueueTimeoutMs`, the checkpoint stays, passes back
 *   off exponentially up to `maxBackoffMs`, and the outage is logged once: events wait in PostgreSQL
 *   and flow when Redis is back.
 * - In the background only the leader (RelayLeadership) works; a NOTIFY wakes it, the poll timer
 *   covers lost wake-ups, and passes in this process never overlap (single flight).
 */
@Injectable()
export class RelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Relay');
  private leadership: RelayLeadership | null = null;
  private pollTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private recheckTimer: NodeJS.Timeout | undefined;
  private recheckDelayMs = HELD_BACK_FIRST_RECHECK_MS;
  /** Where the last pass ended (what it saved, or what it started from). */
  private reachedCheckpoint: GlobalCheckpoint | null = null;
  private draining: Promise<void> | null = null;
  private wakeAgain = false;
  private stopped = false;
  private failures = 0;
  private retryAt = 0;
  /** Serialises passes: `relayOnce` callers and the background loop take turns. */
  private turn: Promise<unknown> = Promise.resolve();
  /** An enqueue that missed its deadline and may still be waiting for Redis. */
  private unsettledEnqueue: Promise<void> | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly checkpoints: RelayCheckpoints,
    @InjectQueue(EVENTS_QUEUE) private readonly queue: Queue<DispatchJobData>,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(RELAY_OPTIONS) private readonly options: RelayOptions,
    private readonly metrics: WorkerMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.leadership = new RelayLeadership({
      databaseUrl: this.config.databaseUrl,
      standbyRetryMs: this.options.standbyRetryMs,
      onWake: () => this.wake(),
    });
    this.leadership.start();
    this.pollTimer = setInterval(() => this.wake(), this.options.pollIntervalMs);
  }

  /** Runs before the queues and the database close: no pass is running once this resolves. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.recheckTimer);
    await this.leadership?.stop();
    await this.draining;
    await this.turn;
  }

  /**
   * One catch-up: relays every committed event after the checkpoint, page by page, until a short
   * page, and returns how many events it put on the queue. Rejects (checkpoint kept) when Redis or
   * PostgreSQL fails. Works whether or not this process is the leader — safe, as enqueues are
   * idempotent and the checkpoint only moves forward — so tests can await "caught up".
   */
  relayOnce(): Promise<number> {
    const pass = this.turn.then(() => this.catchUp());
    this.turn = pass.catch(() => undefined);
    return pass;
  }

  /** Is this worker's relay the active one (holds the lock)? */
  get isLeader(): boolean {
    return this.leadership?.isLeader ?? false;
  }

  private wake(): void {
    if (this.stopped || !this.isLeader || Date.now() < this.retryAt) return;
    if (this.draining) {
      this.wakeAgain = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = null;
    });
  }

  private async drain(): Promise<void> {
    do {
      this.wakeAgain = false;
      try {
        const moved = await this.relayOnce();
        await this.recheckHeldBackEvents(moved > 0);
      } catch (error) {
        this.passFailed(error);
        return;
      }
      this.passSucceeded();
    } while (this.wakeAgain && !this.stopped);
  }

  /**
   * A NOTIFY can arrive while an older, unrelated transaction still holds the event back from
   * readAll; nothing else would wake the relay when that transaction ends but the poll. So while
   * committed events wait past the checkpoint, look again shortly instead of a poll interval later
   * (sooner again whenever the pass moved events: the holding transaction is a new one).
   */
  private async recheckHeldBackEvents(moved: boolean): Promise<void> {
    if (moved) this.recheckDelayMs = HELD_BACK_FIRST_RECHECK_MS;
    if (this.stopped || !(await this.checkpoints.hasEventsAfter(this.reachedCheckpoint))) {
      this.recheckDelayMs = HELD_BACK_FIRST_RECHECK_MS;
      return;
    }
    clearTimeout(this.recheckTimer);
    this.recheckTimer = setTimeout(() => this.wake(), this.recheckDelayMs);
    this.recheckDelayMs = Math.min(this.recheckDelayMs * 2, HELD_BACK_LAST_RECHECK_MS);
  }

  private async catchUp(): Promise<number> {
    let after = await this.checkpoints.load(RELAY_CHECKPOINT);
    let moved = 0;
    for (;;) {
      const page = await this.store.readAll({ after, limit: this.options.batchSize });
      const ids = page.events.filter(isDeliverableEvent).map((event) => event.id);
      await this.enqueue(ids);
      this.metrics.eventsRelayed.inc(ids.length);
      if (page.checkpoint && page.events.length > 0) {
        await this.checkpoints.advance(RELAY_CHECKPOINT, page.checkpoint);
      }
      moved += ids.length;
      after = page.checkpoint;
      this.reachedCheckpoint = after;
      if (page.events.length < this.options.batchSize || this.stopped) return moved;
    }
  }

  /**
   * Adds the dispatch jobs within the deadline. An earlier enqueue that missed its deadline is
   * waited for first, so an outage does not pile up calls that all flush when Redis returns.
   */
  private async enqueue(eventIds: string[]): Promise<void> {
    const timeout = this.options.enqueueTimeoutMs;
    if (this.unsettledEnqueue) {
      await withRedisDeadline(this.unsettledEnqueue, timeout, 'Relay (earlier enqueue)');
    }
    if (eventIds.length === 0) return;
    const adding = enqueueDispatches(this.queue, eventIds);
    const settled = adding.then(
      () => undefined,
      () => undefined,
    );
    this.unsettledEnqueue = settled;
    void settled.then(() => {
      if (this.unsettledEnqueue === settled) this.unsettledEnqueue = null;
    });
    await withRedisDeadline(adding, timeout, `Relay (enqueue of ${eventIds.length} events)`);
  }

  private passFailed(error: unknown): void {
    this.failures += 1;
    const delay = Math.min(
      this.options.minBackoffMs * 2 ** (this.failures - 1),
      this.options.maxBackoffMs,
    );
    this.retryAt = Date.now() + delay;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryAt = 0;
      this.wake();
    }, delay);
    if (this.failures === 1) {
      this.logger.warn(
        `Relay paused: ${(error as Error).message}. Events wait in PostgreSQL; retrying with backoff (up to ${this.options.maxBackoffMs} ms)`,
      );
    }
  }

  private passSucceeded(): void {
    if (this.failures > 0) this.logger.log(`Relay resumed after ${this.failures} failed passes`);
    this.failures = 0;
    this.retryAt = 0;
  }
}
