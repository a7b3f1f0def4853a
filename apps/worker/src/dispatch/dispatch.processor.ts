import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { EVENTS_QUEUE, type DispatchJobData } from '@herald/queues';
import type { Job } from 'bullmq';
import { applyJobLock } from '../queues/job-lock';
import { EventDispatcher } from './event-dispatcher';

/** Dispatch jobs one worker runs at once; each is a few short queries and one enqueue. */
export const DISPATCH_CONCURRENCY = 8;

/**
 * The `events` queue's processor: one job per event (`{ eventId }`), fanned out by EventDispatcher.
 * Returns nothing (return values would be stored in Redis). A failure throws, so BullMQ retries
 * the job with the backoff the relay gave it; dispatch is idempotent, so retries are safe.
 * Created without autorun: it starts once the application has bootstrapped, with the configured
 * job lock (`applyJobLock`).
 */
@Processor(EVENTS_QUEUE, { concurrency: DISPATCH_CONCURRENCY, autorun: false })
export class DispatchProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('Dispatch');
  private connectionErrorLogged = false;

  constructor(
    private readonly dispatcher: EventDispatcher,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    applyJobLock(this.worker, this.config.jobLockMs);
    this.worker.run().catch((error: unknown) => {
      this.logger.error(
        `Events worker stopped: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }

  async process(job: Job<DispatchJobData>): Promise<void> {
    await this.dispatcher.dispatch(job.data.eventId);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<DispatchJobData> | undefined, error: Error): void {
    this.logger.warn(
      `Dispatch of event ${job?.data.eventId ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${error.message}`,
    );
  }

  /** Connection errors repeat while Redis is away: logged once until a job completes again. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    if (this.connectionErrorLogged) return;
    this.connectionErrorLogged = true;
    this.logger.warn(`events worker: ${error.message}`);
  }

  @OnWorkerEvent('completed')
  onCompleted(): void {
    this.connectionErrorLogged = false;
  }
}
