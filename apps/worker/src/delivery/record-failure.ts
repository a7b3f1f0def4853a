import { preparedQuery } from '@herald/event-store';
import type { DataSource } from 'typeorm';
import type { AttemptVerdict } from './attempt-verdict';
import { truncateUtf8 } from './response-body';

/** An attempt that did not succeed, with its verdict for every position it can have in its round. */
export interface UnsuccessfulAttempt {
  readonly deliveryId: string;
  /** The round the job was for; the row's state changes only if it is still this one. */
  readonly generation: number;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly responseBody: string;
  /**
   * `verdicts[n - 1]`: the verdict if this is attempt `n` of the round (`round_attempts + 1`, read
   * under the row's lock). Judged in TypeScript beforehand (`judgeAttempt`), so no rule lives here.
   * The last verdict must be final (exhausted or gone): a round past the end takes its status and
   * reason. `judgeAttempt` over positions 1 … schedule + 1 always ends so.
   */
  readonly verdicts: readonly AttemptVerdict[];
  /** Whether the failure counts against the webhook's health (starts or continues its failing run). */
  readonly failingRun: { readonly webhookId: string; readonly gapMs: number } | null;
  readonly now: Date;
}

export interface FailureRecorded {
  readonly attemptNumber: number;
  /** The attempt's position in its round: its verdict is `verdicts[roundAttempt - 1]`. */
  readonly roundAttempt: number;
  /** False when the row had left this round meanwhile: the attempt is logged, the row's state kept. */
  readonly current: boolean;
  /** When the webhook's failing run started (null when `failingRun` was null). */
  readonly failingSince: Date | null;
}

/**
 * Records an attempt that did not succeed in ONE statement (atomic, one round trip): the attempt
 * is numbered `attempt_count + 1` under the row's lock; a row still `pending` in the job's round
 * takes the verdict of its position (`pending` with `next_attempt_at` for a retry, `exhausted`
 * with its reason otherwise) and counts the attempt in `round_attempts`; a row that left the round
 * keeps its state and only counts the attempt; the webhook's failing run starts or continues
 * (`failingRun`: a failure more than `gapMs` after the previous one starts a new run). Returns null
 * if the delivery row no longer exists.
 */
export async function recordFailedAttempt(
  db: DataSource,
  attempt: UnsuccessfulAttempt,
): Promise<FailureRecorded | null> {
  const { verdicts, failingRun, now } = attempt;
  const rows = await preparedQuery<{
    attempt_count: number;
    round_attempt: number;
    current: boolean;
    failing_since: Date | null;
  }>(db, RECORD_FAILED_ATTEMPT, [
    attempt.deliveryId,
    attempt.generation,
    attempt.startedAt,
    attempt.durationMs,
    attempt.statusCode,
    attempt.error,
    truncateUtf8(attempt.responseBody),
    verdicts.map(statusOf),
    verdicts.map(reasonOf),
    verdicts.map((verdict) =>
      verdict.kind === 'retry' ? new Date(now.getTime() + verdict.delayMs) : null,
    ),
    now,
    failingRun?.webhookId ?? null,
    failingRun === null ? now : new Date(now.getTime() - failingRun.gapMs),
  ]);
  const row = rows[0];
  if (row === undefined) return null;
  return {
    attemptNumber: Number(row.attempt_count),
    roundAttempt: Number(row.round_attempt),
    current: row.current,
    failingSince: row.failing_since === null ? null : new Date(row.failing_since),
  };
}

/** Successes never come here (recordSucceededAttempts); anything but a retry ends the delivery. */
function statusOf(verdict: AttemptVerdict): string {
  return verdict.kind === 'retry' ? 'pending' : 'exhausted';
}

function reasonOf(verdict: AttemptVerdict): string | null {
  switch (verdict.kind) {
    case 'gone':
      return 'endpoint_gone';
    case 'exhausted':
      return verdict.failure;
    default:
      return null;
  }
}

/**
 * $8–$10: the verdict of each round position (status, reason, next_attempt_at), picked by
 * `round_attempts + 1`. $12 (webhook id) null: no failing run is touched; $13: failures before it
 * are too old to continue a run.
 */
const RECORD_FAILED_ATTEMPT = `
  WITH locked AS (
    SELECT id, status = 'pending' AND generation = $2 AS current, round_attempts + 1 AS round_attempt
      FROM deliveries WHERE id = $1
       FOR NO KEY UPDATE
  ), verdict AS (
    SELECT l.id, l.current, l.round_attempt,
           COALESCE(v.status, 'exhausted') AS status,
           CASE WHEN v.status IS NULL THEN ($9::text[])[cardinality($9::text[])] ELSE v.reason END AS reason,
           v.next_attempt_at
      FROM locked l
      LEFT JOIN unnest($8::text[], $9::text[], $10::timestamptz[])
                WITH ORDINALITY AS v(status, reason, next_attempt_at, n) ON v.n = l.round_attempt
  ), updated AS (
    UPDATE deliveries d
       SET attempt_count = d.attempt_count + 1,
           status = CASE WHEN v.current THEN v.status ELSE d.status END,
           reason = CASE WHEN v.current THEN v.reason ELSE d.reason END,
           round_attempts = d.round_attempts + CASE WHEN v.current THEN 1 ELSE 0 END,
           next_attempt_at = CASE WHEN v.current THEN v.next_attempt_at ELSE d.next_attempt_at END,
           updated_at = now()
      FROM verdict v
     WHERE d.id = v.id AND d.id = $1
    RETURNING d.id, d.attempt_count, v.round_attempt, v.current
  ), logged AS (
    INSERT INTO delivery_attempts
           (delivery_id, number, started_at, duration_ms, status_code, error, response_body)
    SELECT id, attempt_count, $3, $4, $5, $6, $7 FROM updated
  ), failing AS (
    INSERT INTO webhook_failures (webhook_id, failing_since, last_failed_at)
    SELECT $12::uuid, $11, $11 FROM updated WHERE $12::uuid IS NOT NULL
    ON CONFLICT (webhook_id) DO UPDATE
       SET failing_since = CASE WHEN webhook_failures.last_failed_at < $13
                                THEN EXCLUDED.failing_since
                                ELSE webhook_failures.failing_since END,
           last_failed_at = GREATEST(webhook_failures.last_failed_at, EXCLUDED.last_failed_at)
    RETURNING failing_since
  )
  SELECT u.attempt_count, u.round_attempt, u.current, (SELECT failing_since FROM failing) AS failing_since
    FROM updated u`;
