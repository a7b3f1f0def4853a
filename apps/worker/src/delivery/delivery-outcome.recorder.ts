import { Inject, Injectable } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { classifyResponse, type SendWebhookResult } from '@herald/delivery';
import { SYSTEM_ACTOR_ID } from '@herald/domain';
import { DataSource, type EntityManager } from 'typeorm';
import { groupCommit } from '@herald/event-store';
import { judgeAttempt, type AttemptVerdict } from './attempt-verdict';
import type { DeliveryTarget, SkipReason } from './delivery-target';
import { endFailingRun, longestRetryGapMs, recordFailure } from './failing-run';
import {
  recordSucceededAttempts,
  type SucceededAttempt,
  type SuccessRecorded,
} from './record-successes';
import type { DeliveryOutcome, RecordedOutcome } from './recorded-outcome';
import { truncateUtf8 } from './response-body';
import type { ShutoffReason } from './webhook-shutoff';
import { WebhookShutoffRunner, type PendingShutoff } from './webhook-shutoff.runner';

export interface FinishedAttempt {
  readonly startedAt: Date;
  readonly result: SendWebhookResult;
}

interface LockedDelivery {
  status: string;
  generation: number;
  attempt_count: number;
  round_attempts: number;
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
 * `groupCommit`), with the same guarantees. Every other result reads the row first.
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
    if (classifyResponse(result.statusCode, result.error) === 'success') {
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
    const judge: Judge = (roundAttempt) =>
      judgeAttempt(attempt.result, roundAttempt, this.config.retryScheduleSeconds);
    const now = new Date();
    const { outcome, shutoff } = await this.dataSource.transaction((tx) =>
      this.recordIn(tx, target, attempt, judge, now, true),
    );
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
    const { outcome } = await this.dataSource.transaction((tx) =>
      this.recordIn(
        tx,
        target,
        { startedAt: new Date(), result },
        () => ({ kind: 'exhausted', failure: error }),
        new Date(),
        false,
      ),
    );
    return { ...outcome, webhookTurnedOff: null };
  }

  private async recordIn(
    tx: EntityManager,
    target: DeliveryTarget,
    attempt: FinishedAttempt,
    judge: Judge,
    now: Date,
    affectsHealth: boolean,
  ): Promise<{ outcome: DeliveryOutcome; shutoff: Shutoff | null }> {
    const { deliveryId } = target;
    const [row] = await tx.query<LockedDelivery[]>(
      `SELECT status, generation, attempt_count, round_attempts
         FROM deliveries WHERE id = $1 FOR UPDATE`,
      [deliveryId],
    );
    if (row === undefined) throw new Error(`Delivery ${deliveryId} no longer exists`);
    const attemptNumber = Number(row.attempt_count) + 1;
    const roundAttempt = Number(row.round_attempts) + 1;
    const { result } = attempt;
    await tx.query(
      `INSERT INTO delivery_attempts
         (delivery_id, number, started_at, duration_ms, status_code, error, response_body)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        deliveryId,
        attemptNumber,
        attempt.startedAt,
        result.durationMs,
        result.statusCode,
        result.error,
        truncateUtf8(result.responseBody),
      ],
    );

    const verdict = judge(roundAttempt);
    const shutoff = affectsHealth ? await this.trackWebhookHealth(tx, target, verdict, now) : null;
    const current = row.status === 'pending' && Number(row.generation) === target.generation;
    if (!current) {
      // The round moved on: log the attempt, leave the new round (and its counter) alone.
      await tx.query('UPDATE deliveries SET attempt_count = $2, updated_at = now() WHERE id = $1', [
        deliveryId,
        attemptNumber,
      ]);
      return { outcome: { kind: 'superseded', attemptNumber }, shutoff };
    }

    const update = (status: string, reason: string | null, nextAttemptAt: Date | null) =>
      tx.query(
        `UPDATE deliveries
            SET status = $2, reason = $3, attempt_count = $4, round_attempts = $5,
                next_attempt_at = $6, updated_at = now()
          WHERE id = $1`,
        [deliveryId, status, reason, attemptNumber, roundAttempt, nextAttemptAt],
      );
    switch (verdict.kind) {
      case 'succeeded':
        await update('succeeded', null, null);
        return { outcome: { kind: 'succeeded', attemptNumber }, shutoff };
      case 'gone':
        await update('exhausted', 'endpoint_gone', null);
        return { outcome: { kind: 'exhausted', reason: 'endpoint_gone', attemptNumber }, shutoff };
      case 'exhausted':
        await update('exhausted', verdict.failure, null);
        return { outcome: { kind: 'exhausted', reason: verdict.failure, attemptNumber }, shutoff };
      case 'retry':
        await update('pending', null, new Date(now.getTime() + verdict.delayMs));
        return { outcome: { ...verdict, attemptNumber }, shutoff };
    }
  }

  /**
   * The webhook's side of an attempt, whatever round it belonged to: a 2xx ends its failing run;
   * a 410 calls for turning it off (`endpoint_gone`); any other failure starts or continues the
   * run (`recordFailure`: a failure after an idle gap longer than the schedule allows starts a new
   * one) and calls for turning it off (`failing`) once the run has lasted
   * `failingDisableAfterSeconds`. The turn-off itself happens after commit.
   */
  private async trackWebhookHealth(
    tx: EntityManager,
    target: DeliveryTarget,
    verdict: AttemptVerdict,
    now: Date,
  ): Promise<Shutoff | null> {
    const webhookId = target.webhook?.id;
    if (webhookId === undefined) return null;
    if (verdict.kind === 'succeeded') {
      await endFailingRun(tx, webhookId);
      return null;
    }
    if (verdict.kind === 'gone') return { webhookId, reason: 'endpoint_gone' };
    const failingSince = await recordFailure(tx, webhookId, now, this.runGapMs);
    const limit = new Date(now.getTime() - this.config.failingDisableAfterSeconds * 1000);
    if (failingSince > limit) return null;
    return { webhookId, reason: 'failing', failingSinceAtMost: limit };
  }
}

type Shutoff = Omit<PendingShutoff, 'metadata'> & { readonly reason: ShutoffReason };
