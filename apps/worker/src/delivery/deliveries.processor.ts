import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import {
  Inject,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { SecretBoxError, sendWebhook } from '@herald/delivery';
import type { RecordedEvent } from '@herald/event-store';
import { logEntry } from '@herald/observability';
import { DELIVERIES_QUEUE, type DeliveryJobData } from '@herald/queues';
import { DelayedError, type Job } from 'bullmq';
import type { Agent } from 'undici';
import { attemptOutcome, WorkerMetrics } from '../metrics/worker-metrics';
import { applyJobLock } from '../queues/job-lock';
import { deliveryBackoff } from './delivery-backoff';
import { DeliveryOutcomeRecorder, type FinishedAttempt } from './delivery-outcome.recorder';
import { DeliveryRetryScheduled } from './delivery-retry-scheduled';
import {
  decideSending,
  isDueForJob,
  type DeliveryTarget,
  type TargetWebhook,
} from './delivery-target';
import { DeliveryTargetLoader } from './delivery-target.loader';
import { DELIVERY_AGENT } from './delivery.tokens';
import { endpointKey, EndpointSlots } from './endpoint-slots';
import type { RecordedOutcome } from './recorded-outcome';
import { HERALD_USER_AGENT } from './user-agent';
import { buildWebhookRequest, type WebhookRequest } from './webhook-request';

/** A job started this much before the row's `next_attempt_at` is deferred to it. */
const EARLY_START_TOLERANCE_MS = 1000;
/** The longest a job over its endpoint's cap waits in this worker before it is deferred. */
export const MAX_SLOT_WAIT_MS = 250;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reasons of deliveries that can never be attempted: recorded as an attempt, then `exhausted`. */
export const EVENT_NOT_FOUND = 'event not found';
export const SECRET_UNREADABLE = 'secret cannot be decrypted (was HERALD_SECRET_KEY changed?)';

/** What taking a turn at an endpoint led to: a request sent, or one that can never be made. */
type Attempted =
  | { readonly kind: 'sent'; readonly event: RecordedEvent; readonly sent: FinishedAttempt }
  | { readonly kind: 'impossible'; readonly failure: string };

/**
 * Sends deliveries (the `deliveries` queue, job data `{deliveryId, generation}` only).
 *
 * Guarantees:
 * - Acts only on a row that is `pending` in the job's generation; any other job completes doing
 *   nothing. A webhook deleted or off, or an owner without API access, makes it `skipped` with the
 *   reason, and nothing is sent.
 * - Each attempt POSTs `webhookRequestBody(event)` with `webhook-id` = event id (the same on every
 *   retry), signed with every valid secret, with one overall deadline; then records the attempt and
 *   the delivery's new state in one transaction before the job finishes. A failure with a next
 *   attempt due throws `DeliveryRetryScheduled`, so BullMQ retries after exactly the recorded
 *   delay (`deliveryBackoff`); success, exhaustion, 410 and skips complete the job.
 * - Isolation: at most `maxInFlightPerEndpoint` attempts per endpoint (host name, any port) at
 *   once in this worker. The slot is taken right after the one query that reads the delivery, its
 *   webhook and its event, before anything is signed. A job over the cap waits here
 *   only while the endpoint is known to free a slot within MAX_SLOT_WAIT_MS (a fast endpoint's
 *   surplus would otherwise cycle through Redis and PostgreSQL over and over); otherwise it goes
 *   back to the delayed set at once (not counted as an attempt), for about one typical attempt
 *   of that endpoint, instead of waiting in one of the worker's slots.
 * - An attempt that can never be made — the event is missing (`EVENT_NOT_FOUND`), or the secret
 *   does not open (`SECRET_UNREADABLE`, e.g. after the key changed) — is recorded as an attempt
 *   with that error and ends the delivery `exhausted` with it as the reason; it is not retried.
 * - Unexpected errors are logged and rethrown (BullMQ retries the job; nothing recorded means the
 *   next run sends again, with the same `webhook-id` and body: at least once).
 * - Logs name delivery, webhook and event ids and the event's correlation id (as fields), never
 *   secrets, URLs or bodies. Every final outcome and every failed attempt is logged at info or warn.
 * - Shutdown: the worker stops taking jobs and waits for the attempts in flight (each bounded by
 *   the deadline) to be sent and recorded; only then is the HTTP agent closed.
 *
 * Concurrency and the job lock come from configuration, which decorators cannot see: the worker is
 * created without autorun, and started with them once the application has bootstrapped.
 */
@Processor(DELIVERIES_QUEUE, { autorun: false, settings: { backoffStrategy: deliveryBackoff } })
export class DeliveriesProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('Deliveries');
  private connectionErrorLogged = false;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly loader: DeliveryTargetLoader,
    private readonly recorder: DeliveryOutcomeRecorder,
    private readonly slots: EndpointSlots,
    @Inject(DELIVERY_AGENT) private readonly agent: Agent,
    private readonly metrics: WorkerMetrics,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.deliveryConcurrency;
    applyJobLock(this.worker, this.config.jobLockMs);
    this.worker.run().catch((error: unknown) => {
      this.logger.error(`Deliveries worker stopped: ${describe(error)}`);
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
    await this.agent.close();
  }

  /**
   * BullMQ's attempt limit is a backstop far beyond the schedule; a job reaching it leaves its row
   * `pending` in PostgreSQL, where the reconciler finds it again.
   */
  @OnWorkerEvent('failed')
  onFailed(job: Job<DeliveryJobData> | undefined, error: Error): void {
    if (job === undefined || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    this.logger.error(
      `Delivery ${job.data.deliveryId}: job gave up after ${job.attemptsMade} tries (${error.message}); the reconciler re-enqueues it`,
    );
  }

  /** Connection errors repeat while Redis is away: logged once until a job completes again. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    if (this.connectionErrorLogged) return;
    this.connectionErrorLogged = true;
    this.logger.warn(`deliveries worker: ${error.message}`);
  }

  @OnWorkerEvent('completed')
  onCompleted(): void {
    this.connectionErrorLogged = false;
  }

  async process(job: Job<DeliveryJobData>, token?: string): Promise<void> {
    const { deliveryId, generation } = job.data ?? {};
    if (typeof deliveryId !== 'string' || !UUID.test(deliveryId) || !Number.isInteger(generation)) {
      this.logger.warn(`Job ${job.id} has malformed data; ignored`);
      return;
    }
    try {
      await this.deliver(job, token, deliveryId, generation);
    } catch (error) {
      if (!(error instanceof DelayedError || error instanceof DeliveryRetryScheduled)) {
        this.logger.error(
          `Delivery ${deliveryId}: unexpected error, will retry: ${describe(error)}`,
        );
      }
      throw error;
    }
  }

  private async deliver(
    job: Job<DeliveryJobData>,
    token: string | undefined,
    deliveryId: string,
    generation: number,
  ): Promise<void> {
    const target = await this.loader.load(deliveryId);
    if (target === null || !isDueForJob(target, generation)) {
      this.logger.debug(
        `Delivery ${deliveryId} generation ${generation}: not pending; job ignored`,
      );
      return;
    }
    const { send: webhook, skip } = decideSending(target);
    if (webhook === undefined) {
      if (await this.recorder.recordSkip(deliveryId, generation, skip)) {
        this.metrics.deliveries.inc({ outcome: 'skipped' });
        this.logger.log(logEntry(`${about(target)}: skipped (${skip})`, fieldsOf(target)));
      }
      return;
    }
    const dueAt = target.nextAttemptAt?.getTime() ?? 0;
    if (dueAt > Date.now() + EARLY_START_TOLERANCE_MS) {
      this.logger.debug(`${about(target)}: started early; deferred to its next_attempt_at`);
      await defer(job, token, dueAt);
    }

    const endpoint = endpointKey(webhook.url);
    if (!(await this.slots.acquire(endpoint, MAX_SLOT_WAIT_MS))) {
      await defer(job, token, Date.now() + this.slots.busyDelayMs(endpoint));
    }
    let attempted: Attempted | undefined;
    try {
      attempted = await this.attempt(target, webhook);
    } finally {
      const durationMs = attempted?.kind === 'sent' ? attempted.sent.result.durationMs : undefined;
      this.slots.release(endpoint, durationMs);
    }
    if (attempted.kind === 'impossible') {
      const outcome = await this.recorder.recordPermanentFailure(target, attempted.failure);
      if (outcome.kind === 'exhausted') this.metrics.deliveries.inc({ outcome: 'exhausted' });
      this.report(target, outcome);
      return;
    }
    const { event, sent } = attempted;
    const outcome = await this.recorder.recordAttempt(target, sent);
    this.measure(target, event, sent, outcome);
    this.report(target, outcome);
    if (outcome.kind === 'retry') {
      throw new DeliveryRetryScheduled(
        deliveryId,
        outcome.attemptNumber,
        outcome.failure,
        outcome.delayMs,
      );
    }
  }

  /** Signs and sends the event read with the target, the endpoint's slot held by the caller. */
  private async attempt(target: DeliveryTarget, webhook: TargetWebhook): Promise<Attempted> {
    const { event } = target;
    if (event === null) return { kind: 'impossible', failure: EVENT_NOT_FOUND };
    const startedAt = new Date();
    let request: WebhookRequest;
    try {
      request = buildWebhookRequest({
        event,
        webhook,
        secretKey: this.config.secretKey,
        now: startedAt,
        userAgent: HERALD_USER_AGENT,
      });
    } catch (error) {
      if (error instanceof SecretBoxError)
        return { kind: 'impossible', failure: SECRET_UNREADABLE };
      throw error;
    }
    return { kind: 'sent', event, sent: await this.send(request, webhook, startedAt) };
  }

  /** One signed POST. Never rejects for network reasons. */
  private async send(
    request: WebhookRequest,
    webhook: TargetWebhook,
    startedAt: Date,
  ): Promise<FinishedAttempt> {
    const result = await sendWebhook({
      url: webhook.url,
      headers: request.headers,
      body: request.body,
      deadlineMs: this.config.deliveryTimeoutMs,
      dispatcher: this.agent,
    });
    return { startedAt, result };
  }

  /**
   * Counts the attempt and, once the delivery is final, the delivery. Latency (event commit →
   * the receiver's answer) is observed for a delivery's first round only: a redelivery's would
   * measure how long an operator waited.
   */
  private measure(
    target: DeliveryTarget,
    event: RecordedEvent,
    sent: FinishedAttempt,
    outcome: RecordedOutcome,
  ): void {
    const { result } = sent;
    this.metrics.attempts.inc({ outcome: attemptOutcome(result) });
    this.metrics.attemptDuration.observe(result.durationMs / 1000);
    if (outcome.kind === 'succeeded' || outcome.kind === 'exhausted')
      this.metrics.deliveries.inc({ outcome: outcome.kind });
    if (outcome.kind === 'succeeded' && target.generation === 1) {
      const answeredAt = sent.startedAt.getTime() + result.durationMs;
      this.metrics.deliveryLatency.observe(
        Math.max(0, answeredAt - event.recordedAt.getTime()) / 1000,
      );
    }
    if (outcome.webhookTurnedOff !== null)
      this.metrics.webhooksDisabled.inc({ reason: outcome.webhookTurnedOff });
  }

  private report(target: DeliveryTarget, outcome: RecordedOutcome): void {
    const attempt = `${about(target)} attempt ${outcome.attemptNumber}`;
    const fields = { ...fieldsOf(target), attempt: outcome.attemptNumber, outcome: outcome.kind };
    switch (outcome.kind) {
      case 'succeeded':
        this.logger.log(logEntry(`${attempt}: succeeded`, fields));
        break;
      case 'retry':
        this.logger.warn(
          logEntry(`${attempt}: ${outcome.failure}; next attempt in ${outcome.delayMs} ms`, fields),
        );
        break;
      case 'exhausted':
        this.logger.warn(logEntry(`${attempt}: exhausted (${outcome.reason})`, fields));
        break;
      case 'superseded':
        this.logger.log(
          logEntry(`${attempt}: recorded; the delivery had moved on meanwhile`, fields),
        );
        break;
    }
    if (outcome.webhookTurnedOff !== null) {
      this.logger.warn(
        logEntry(`${about(target)}: webhook turned off (${outcome.webhookTurnedOff})`, {
          ...fieldsOf(target),
          reason: outcome.webhookTurnedOff,
        }),
      );
    }
  }
}

/** Puts the job back in the delayed set until `timestamp` without counting an attempt. */
async function defer(job: Job, token: string | undefined, timestamp: number): Promise<never> {
  await job.moveToDelayed(Math.round(timestamp), token);
  throw new DelayedError();
}

function about(target: DeliveryTarget): string {
  return `Delivery ${target.deliveryId} (webhook ${target.webhook?.id ?? '?'}, event ${target.eventId})`;
}

/** The fields of a delivery's log lines: its ids and the correlation id of the request behind it. */
function fieldsOf(target: DeliveryTarget) {
  return {
    deliveryId: target.deliveryId,
    webhookId: target.webhook?.id ?? null,
    eventId: target.eventId,
    correlationId: target.correlationId,
  };
}

function describe(error: unknown): string {
  return error instanceof Error
    ? (error.stack ?? `${error.name}: ${error.message}`)
    : String(error);
}
