import { Inject, Injectable } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { classifyResponse, type SendWebhookResult } from '@herald/delivery';
import { SYSTEM_ACTOR_ID } from '@herald/domain';
import { DataSource } from 'typeorm';
import { groupCommit } from '@herald/event-store';
import { judgeAttempt, type AttemptVerdict } from './attempt-verdict';
import type { DeliveryTarget, SkipReason } from './delivery-target';
import { recordFailedAttempt, type UnsuccessfulAttempt } from './record-failure';
import { longestRetryGapMs } from './failing-run';
import {
  recordSucceededAttempts,
  type SucceededAttempt,
  type SuccessRecorded,
} from './record-successes';
import type { DeliveryOutcome, RecordedOutcome } from './recorded-outcome';
import type { ShutoffReason } from './webhook-shutoff';
import { WebhookShutoffRunner, type PendingShutoff } from './webhook-shutoff.runner';

export interface FinishedAttempt {
  readonly startedAt: Date;
  readonly result: SendWebhookResult;
}

type Judge = (roundAttempt: number) => AttemptVerdict;

/** Most succeeded attempts one statement records (see groupCommit). */
const SUCCESSES_PER_STATEMENT = 100;

/**
 * Writes what happened to a delivery. PostgreSQL is the source of truth: once `recordAttempt`
 * returns, the attempt is in the log and the delivery's new state is committed, in one
 * transaction. A turn-off of the webhook that the attempt calls for runs afterwards, in a
 * transaction of its own (`WebhookShutoffRunner`): however it goes, the attempt stays recorded
 * and is never sent again because of it.
 *
 * A 2xx, the common case, needs nothing from the row to be judged: it is written with other
 * attempts finishing at the same time in one statement (`recordSucceededAttempts`, batched by
 * `groupCommit`), with the same guarantees. Every other result is one statement of its own
 * (`recordFailedAttempt`), whose verdict depends on the round position read under the row's lock.
 */
@Injectable()
export class DeliveryOutcomeRecorder {
  private readonly runGapMs: number;
  private readonly recordSuccess: (attempt: SucceededAttempt) => Promise<SuccessRecorded>;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly shutoff: WebhookShutoffRunner,
  ) {
    this.runGapMs = longestRetryGapMs(config);
    this.recordSuccess = groupCommit(
      (attempts) => recordSucceededAttempts(dataSource, attempts),
      SUCCESSES_PER_STATEMENT,
    );
  }

  /** Marks the delivery skipped if it is still pending in this round; returns whether it did. */
  async recordSkip(deliveryId: string, generation: number, reason: SkipReason): Promise<boolean> {
    const [, affected] = await this.dataSource.query<[unknown, number]>(
      `UPDATE deliveries
          SET status = 'skipped', reason = $3, next_attempt_at = NULL, updated_at = now()
        WHERE id = $1 AND status = 'pending' AND generation = $2`,
      [deliveryId, generation, reason],
    );
    return affected > 0;
  }

  /**
   * Records attempt number `attempt_count + 1` (read under a row lock, so numbers never collide)
   * and applies its verdict. The position in the retry schedule is `round_attempts + 1`, counted
   * in PostgreSQL per round (reset by redeliver and replay), so a job re-created in Redis goes on
   * with the schedule instead of starting it again.
   */
  async recordAttempt(target: DeliveryTarget, attempt: FinishedAttempt): Promise<RecordedOutcome> {
    const { result } = attempt;
    const responseClass = classifyResponse(result.statusCode, result.error);
    if (responseClass === 'success') {
      const { attemptNumber, current } = await this.recordSuccess({
        deliveryId: target.deliveryId,
        generation: target.generation,
        webhookId: target.webhook?.id ?? null,
        startedAt: attempt.startedAt,
        durationMs: result.durationMs,
        statusCode: result.statusCode!,
        responseBody: result.responseBody,
      });
      const kind = current ? 'succeeded' : 'superseded';
      return { kind, attemptNumber, webhookTurnedOff: null };
    }
    const webhookId = target.webhook?.id;
    const judge: Judge = (roundAttempt) =>
      judgeAttempt(result, roundAttempt, this.config.retryScheduleSeconds);
    const now = new Date();
    const { outcome, failingSince } = await this.recordFailure(target, attempt, judge, now, {
      // A 410 turns the webhook off below; it does not count as a failing run.
      failingRun:
        responseClass === 'gone' || webhookId === undefined
          ? null
          : { webhookId, gapMs: this.runGapMs },
    });
    const shutoff = this.shutoffFor(webhookId, responseClass === 'gone', failingSince, now);
    if (shutoff === null) return { ...outcome, webhookTurnedOff: null };
    const turnedOff = await this.shutoff.turnOff({
      ...shutoff,
      metadata: {
        actorId: SYSTEM_ACTOR_ID,
        correlationId: target.correlationId ?? undefined,
        causationId: target.eventId,
        deliveryId: target.deliveryId,
      },
    });
    return { ...outcome, webhookTurnedOff: turnedOff ? shutoff.reason : null };
  }

  /**
   * Records an attempt that could not be made and never will be (`error`: the event is missing, the
   * secret cannot be opened) and ends the delivery `exhausted` with `error` as its reason. Nothing
   * was sent, so the webhook's health is left alone.
   */
  async recordPermanentFailure(target: DeliveryTarget, error: string): Promise<RecordedOutcome> {
    const result: SendWebhookResult = {
      outcome: 'failed',
      statusCode: null,
      error,
      durationMs: 0,
      responseBody: '',
      retryAfterSeconds: null,
    };
    const now = new Date();
    const { outcome } = await this.recordFailure(
      target,
      { startedAt: now, result },
      () => ({ kind: 'exhausted', failure: error }),
      now,
      { failingRun: null },
    );
    return { ...outcome, webhookTurnedOff: null };
  }

  /**
   * One statement (`recordFailedAttempt`): the verdict of every position the attempt can have in
   * its round is judged here first, and PostgreSQL applies the one its locked row calls for.
   */
  private async recordFailure(
    target: DeliveryTarget,
    attempt: FinishedAttempt,
    judge: Judge,
    now: Date,
    health: Pick<UnsuccessfulAttempt, 'failingRun'>,
  ): Promise<{ outcome: DeliveryOutcome; failingSince: Date | null }> {
    const { result } = attempt;
    // Positions 1 … schedule + 1: the last one is always past the schedule (exhausted).
    const verdicts = Array.from({ length: this.config.retryScheduleSeconds.length + 1 }, (_, i) =>
      judge(i + 1),
    );
    const recorded = await recordFailedAttempt(this.dataSource, {
      deliveryId: target.deliveryId,
      generation: target.generation,
      startedAt: attempt.startedAt,
      durationMs: result.durationMs,
      statusCode: result.statusCode,
      error: result.error,
      responseBody: result.responseBody,
      verdicts,
      failingRun: health.failingRun,
      now,
    });
    if (recorded === null) throw new Error(`Delivery ${target.deliveryId} no longer exists`);
    const { attemptNumber, roundAttempt, current, failingSince } = recorded;
    if (!current) {
      // The round moved on: the attempt is logged, the new round (and its counter) left alone.
      return { outcome: { kind: 'superseded', attemptNumber }, failingSince };
    }
    const verdict = verdicts[roundAttempt - 1] ?? verdicts.at(-1)!;
    switch (verdict.kind) {
      case 'gone':
        return {
          outcome: { kind: 'exhausted', reason: 'endpoint_gone', attemptNumber },
          failingSince,
        };
      case 'retry':
        return { outcome: { ...verdict, attemptNumber }, failingSince };
      case 'exhausted':
        return {
          outcome: { kind: 'exhausted', reason: verdict.failure, attemptNumber },
          failingSince,
        };
      case 'succeeded':
        throw new Error('A failed attempt was judged a success');
    }
  }

  /**
   * The webhook's side of a failed attempt, whatever round it belonged to: a 410 calls for turning
   * it off (`endpoint_gone`); any other failure has started or continued its failing run, and once
   * the run has lasted `failingDisableAfterSeconds` it calls for turning it off (`failing`). The
   * turn-off itself happens after the attempt is committed.
   */
  private shutoffFor(
    webhookId: string | undefined,
    gone: boolean,
    failingSince: Date | null,
    now: Date,
  ): Shutoff | null {
    if (webhookId === undefined) return null;
    if (gone) return { webhookId, reason: 'endpoint_gone' };
    if (failingSince === null) return null;
    const limit = new Date(now.getTime() - this.config.failingDisableAfterSeconds * 1000);
    if (failingSince > limit) return null;
    return { webhookId, reason: 'failing', failingSinceAtMost: limit };
  }
}

type Shutoff = Omit<PendingShutoff, 'metadata'> & { readonly reason: ShutoffReason };
