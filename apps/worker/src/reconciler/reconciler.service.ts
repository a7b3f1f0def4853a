import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { LostDeliveryJobs } from './lost-delivery-jobs';
import { RECONCILER_OPTIONS, type ReconcilerOptions } from './reconciler-options';
import { UndispatchedEvents } from './undispatched-events';

export interface ReconcileResult {
  /** Pending deliveries whose job was gone or finished, enqueued again. */
  deliveriesRequeued: number;
  /** Relayed events without deliveries whose dispatch job was gone or finished, queued again. */
  eventsRedispatched: number;
}

/**
 * PostgreSQL is the source of truth for what still has to be delivered; this makes Redis catch up
 * with it (docs/delivery-contract.md, "Reconciler"): every `intervalMs` after the previous pass
 * ended, it re-enqueues overdue pending deliveries without a live job (LostDeliveryJobs) and
 * re-dispatches relayed events that were never fanned out (UndispatchedEvents).
 *
 * Guarantees: passes never overlap in this process (single flight), every step is idempotent (job
 * ids), so several workers reconciling at once do no harm; a failing pass (Redis or PostgreSQL
 * away) is logged once per outage and retried at the next interval; shutdown waits for the pass in
 * flight, which Redis deadlines keep short.
 */
@Injectable()
export class ReconcilerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Reconciler');
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failing = false;
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deliveryJobs: LostDeliveryJobs,
    private readonly undispatched: UndispatchedEvents,
    @Inject(RECONCILER_OPTIONS) private readonly options: ReconcilerOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.turn;
  }

  /** One pass of both checks; rejects when one fails. Waits for a pass already running. */
  reconcileOnce(): Promise<ReconcileResult> {
    const pass = this.turn.then(() => this.reconcile());
    this.turn = pass.catch(() => undefined);
    return pass;
  }

  private async reconcile(): Promise<ReconcileResult> {
    const deliveriesRequeued = await this.deliveryJobs.requeue();
    const eventsRedispatched = await this.undispatched.redispatch();
    return { deliveriesRequeued, eventsRedispatched };
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.options.intervalMs);
  }

  private async tick(): Promise<void> {
    try {
      const result = await this.reconcileOnce();
      if (this.failing) this.logger.log('Reconciler recovered');
      this.failing = false;
      if (result.deliveriesRequeued > 0 || result.eventsRedispatched > 0) {
        this.logger.warn(
          `Re-enqueued ${result.deliveriesRequeued} deliveries and ${result.eventsRedispatched} dispatches whose jobs were lost or failed`,
        );
      }
    } catch (error) {
      if (!this.failing) {
        this.logger.warn(
          `Reconciler pass failed (${(error as Error).message}); retrying every ${this.options.intervalMs} ms`,
        );
      }
      this.failing = true;
    } finally {
      this.schedule();
    }
  }
}
