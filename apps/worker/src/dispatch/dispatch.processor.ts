import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { EVENTS_QUEUE, type DispatchJobData } from '@herald/queues';
import type { Job } from 'bullmq';
import { EventDispatcher } from './event-dispatcher';

/** Dispatch jobs one worker runs at once; each is a few short queries and one enqueue. */
export const DISPATCH_CONCURRENCY = 8;

/**
 * The `events` queue's processor: one job per event (`{ eventId }`), fanned out by EventDispatcher.
 * Returns nothing (return values would be stored in Redis). A failure throws, so BullMQ retries
 * the job with the backoff the relay gave it; dispatch is idempotent, so retries are safe.
 */
@Processor(EVENTS_QUEUE, { concurrency: DISPATCH_CONCURRENCY })
export class DispatchProcessor extends WorkerHost {
  private readonly logger = new Logger('Dispatch');
  private connectionErrorLogged = false;

  constructor(private readonly dispatcher: EventDispatcher) {
    super();
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
