import { Inject, Injectable } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import type { SendWebhookResult } from '@herald/delivery';
import { SYSTEM_ACTOR_ID } from '@herald/domain';
import { ConcurrencyError, PostgresEventStore, type RecordedEvent } from '@herald/event-store';
import { EVENT_STORE } from '@herald/projections';
import { DataSource, type EntityManager } from 'typeorm';
import { judgeAttempt, type AttemptVerdict } from './attempt-verdict';
import type { DeliveryTarget, SkipReason } from './delivery-target';
import type { RecordedOutcome } from './recorded-outcome';
import { truncateUtf8 } from './response-body';
import { turnWebhookOff, type ShutoffReason } from './webhook-shutoff';

export interface FinishedAttempt {
  readonly startedAt: Date;
  readonly result: SendWebhookResult;
  /**
   * 1 + the failed tries BullMQ counted for this job. Each round (first dispatch, every redeliver
   * or replay) has a job of its own, so this restarts the schedule for a new round.
   */
  readonly jobAttempt: number;
}

interface LockedDelivery {
  status: string;
  generation: number;
  attempt_count: number;
}

/**
 * Writes what happened to a delivery. PostgreSQL is the source of truth: once `recordAttempt`
 * returns, the attempt is in the log and the delivery's new state (and the webhook's, if this
 * attempt turned it off) is committed, all in one transaction or not at all.
 */
@Injectable()
export class DeliveryOutcomeRecorder {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(EVENT_STORE) private readonly eventStore: PostgresEventStore,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

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
   * and applies its verdict. The position in the retry schedule is the smaller of that number and
   * `jobAttempt`: attempts are numbered across rounds but a redelivered delivery gets the whole
   * schedule again, and neither count can make a round longer than the schedule (an error that
   * recorded nothing advances only BullMQ's count; a job re-created after Redis lost it, only
   * PostgreSQL's). A webhook changed concurrently (ConcurrencyError while turning it
   * off) rolls everything back; it is then recorded once more against the new state.
   */
  async recordAttempt(
    target: DeliveryTarget,
    event: RecordedEvent,
    attempt: FinishedAttempt,
  ): Promise<RecordedOutcome> {
    for (let tries = 1; ; tries += 1) {
      try {
        const outcome = await this.dataSource.transaction((tx) =>
          this.recordIn(tx, target, event, attempt, new Date()),
        );
        if (outcome.webhookTurnedOff !== null) await this.eventStore.notifyAppended();
        return outcome;
      } catch (error) {
        if (error instanceof ConcurrencyError && tries < 2) continue;
        throw error;
      }
    }
  }

  private async recordIn(
    tx: EntityManager,
    target: DeliveryTarget,
    event: RecordedEvent,
    attempt: FinishedAttempt,
    now: Date,
  ): Promise<RecordedOutcome> {
    const { deliveryId } = target;
    const [row] = await tx.query<LockedDelivery[]>(
      'SELECT status, generation, attempt_count FROM deliveries WHERE id = $1 FOR UPDATE',
      [deliveryId],
    );
    if (row === undefined) throw new Error(`Delivery ${deliveryId} no longer exists`);
    const attemptNumber = Number(row.attempt_count) + 1;
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

    const verdict = judgeAttempt(
      result,
      Math.min(attemptNumber, attempt.jobAttempt),
      this.config.retryScheduleSeconds,
    );
    const webhookTurnedOff = await this.trackWebhookHealth(tx, target, event, verdict, now);
    const current = row.status === 'pending' && Number(row.generation) === target.generation;
    if (!current) {
      await tx.query('UPDATE deliveries SET attempt_count = $2, updated_at = now() WHERE id = $1', [
        deliveryId,
        attemptNumber,
      ]);
      return { kind: 'superseded', attemptNumber, webhookTurnedOff };
    }

    const update = (status: string, reason: string | null, nextAttemptAt: Date | null) =>
      tx.query(
        `UPDATE deliveries
            SET status = $2, reason = $3, attempt_count = $4, next_attempt_at = $5, updated_at = now()
          WHERE id = $1`,
        [deliveryId, status, reason, attemptNumber, nextAttemptAt],
      );
    switch (verdict.kind) {
      case 'succeeded':
        await update('succeeded', null, null);
        return { kind: 'succeeded', attemptNumber, webhookTurnedOff };
      case 'gone':
        await update('exhausted', 'endpoint_gone', null);
        return { kind: 'exhausted', reason: 'endpoint_gone', attemptNumber, webhookTurnedOff };
      case 'exhausted':
        await update('exhausted', verdict.failure, null);
        return { kind: 'exhausted', reason: verdict.failure, attemptNumber, webhookTurnedOff };
      case 'retry':
        await update('pending', null, new Date(now.getTime() + verdict.delayMs));
        return { ...verdict, attemptNumber, webhookTurnedOff };
    }
  }

  /**
   * The webhook's side of an attempt, whatever round it belonged to: a 2xx ends its failing run;
   * a 410 turns it off (`endpoint_gone`); any other failure starts or continues the run
   * (`failing_since` keeps the first failure) and turns it off (`failing`) once the run has lasted
   * `failingDisableAfterSeconds`. Turning it off also ends the run, so a webhook switched on again
   * gets a full window.
   */
  private async trackWebhookHealth(
    tx: EntityManager,
    target: DeliveryTarget,
    event: RecordedEvent,
    verdict: AttemptVerdict,
    now: Date,
  ): Promise<ShutoffReason | null> {
    const webhookId = target.webhook?.id;
    if (webhookId === undefined) return null;
    const endRun = () =>
      tx.query('DELETE FROM webhook_failures WHERE webhook_id = $1', [webhookId]);
    if (verdict.kind === 'succeeded') {
      await endRun();
      return null;
    }
    let reason: ShutoffReason = 'endpoint_gone';
    if (verdict.kind !== 'gone') {
      const [run] = await tx.query<{ failing_since: Date }[]>(
        `INSERT INTO webhook_failures (webhook_id, failing_since) VALUES ($1, $2)
         ON CONFLICT (webhook_id) DO UPDATE SET failing_since = webhook_failures.failing_since
         RETURNING failing_since`,
        [webhookId, now],
      );
      const failingForMs = now.getTime() - new Date(run.failing_since).getTime();
      if (failingForMs < this.config.failingDisableAfterSeconds * 1000) return null;
      reason = 'failing';
    }
    const turnedOff = await turnWebhookOff(this.eventStore, tx, {
      webhookId,
      reason,
      metadata: {
        actorId: SYSTEM_ACTOR_ID,
        correlationId: event.metadata.correlationId,
        causationId: event.id,
        deliveryId: target.deliveryId,
      },
    });
    await endRun();
    return turnedOff ? reason : null;
  }
}
