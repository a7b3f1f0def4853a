import { isDatabaseUnavailable, preparedQuery } from '@herald/event-store';
import type { DataSource } from 'typeorm';
import { truncateUtf8 } from './response-body';

/** A 2xx attempt to record: its verdict needs nothing from the row, so it can be written blind. */
export interface SucceededAttempt {
  readonly deliveryId: string;
  /** The round the job was for; the row's state changes only if it is still this one. */
  readonly generation: number;
  /** The webhook whose failing run the success ends (null if the webhook row is gone). */
  readonly webhookId: string | null;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly statusCode: number;
  readonly responseBody: string;
}

export interface SuccessRecorded {
  readonly attemptNumber: number;
  /** False when the row had left this round meanwhile: the attempt is logged, the row's state kept. */
  readonly current: boolean;
}

/**
 * Records succeeded attempts in ONE statement, so it commits all of them or none. For each: the
 * attempt is numbered `attempt_count + 1` under the row's lock (numbers never collide); a row
 * still `pending` in the job's round becomes `succeeded` (round_attempts counts the attempt); a
 * row that left the round keeps its state and only counts the attempt; the webhook's failing run
 * ends. Many attempts, in one round trip.
 *
 * Rows are locked in id order, so concurrent batches cannot deadlock on each other; a statement
 * PostgreSQL refuses as a whole (a deadlock with another writer) is retried one attempt at a time.
 * A delivery whose row no longer exists gets an Error. Two attempts for one delivery go in separate
 * statements, in order (one statement cannot number both).
 */
export async function recordSucceededAttempts(
  db: DataSource,
  attempts: readonly SucceededAttempt[],
): Promise<(SuccessRecorded | Error)[]> {
  try {
    return await recordInOrder(db, attempts);
  } catch (error) {
    // PostgreSQL refused the statement as a whole and rolled it back (say, a deadlock with a
    // replay locking the same rows in another order): record each attempt on its own, so no
    // attempt fails because of its neighbours. A lost connection is no one's fault: all fail.
    if (attempts.length === 1 || isDatabaseUnavailable(error)) throw error;
    return Promise.all(
      attempts.map((attempt) =>
        recordInOrder(db, [attempt]).then(
          ([recorded]) => recorded,
          (failed: unknown) => (failed instanceof Error ? failed : new Error(String(failed))),
        ),
      ),
    );
  }
}

async function recordInOrder(
  db: DataSource,
  attempts: readonly SucceededAttempt[],
): Promise<(SuccessRecorded | Error)[]> {
  const seen = new Set<string>();
  const first = attempts.filter((a) => !seen.has(a.deliveryId) && seen.add(a.deliveryId));
  const recorded = await recordDistinct(db, first);
  const repeats = attempts.filter((a) => !first.includes(a));
  const repeated = repeats.length > 0 ? await recordInOrder(db, repeats) : [];
  return attempts.map((attempt) => {
    const index = repeats.indexOf(attempt);
    if (index >= 0) return repeated[index];
    return (
      recorded.get(attempt.deliveryId) ??
      new Error(`Delivery ${attempt.deliveryId} no longer exists`)
    );
  });
}

async function recordDistinct(
  db: DataSource,
  attempts: readonly SucceededAttempt[],
): Promise<Map<string, SuccessRecorded>> {
  const rows = await preparedQuery<{ id: string; attempt_count: number; current: boolean }>(
    db,
    `WITH input AS (
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::int[], $5::int[], $6::text[])
         AS i(delivery_id, generation, started_at, duration_ms, status_code, response_body)
     ), locked AS (
       SELECT d.id, d.status = 'pending' AND d.generation = i.generation AS current
         FROM deliveries d JOIN input i ON i.delivery_id = d.id
        WHERE d.id = ANY($1::uuid[])
        ORDER BY d.id
          FOR NO KEY UPDATE OF d
     ), updated AS (
       UPDATE deliveries d
          SET attempt_count = d.attempt_count + 1,
              status = CASE WHEN l.current THEN 'succeeded' ELSE d.status END,
              reason = CASE WHEN l.current THEN NULL ELSE d.reason END,
              round_attempts = d.round_attempts + CASE WHEN l.current THEN 1 ELSE 0 END,
              next_attempt_at = CASE WHEN l.current THEN NULL ELSE d.next_attempt_at END,
              updated_at = now()
         FROM locked l
        WHERE d.id = l.id AND d.id = ANY($1::uuid[])
       RETURNING d.id, d.attempt_count, l.current
     ), logged AS (
       INSERT INTO delivery_attempts
              (delivery_id, number, started_at, duration_ms, status_code, error, response_body)
       SELECT u.id, u.attempt_count, i.started_at, i.duration_ms, i.status_code, NULL, i.response_body
         FROM updated u JOIN input i ON i.delivery_id = u.id
     ), healed AS (
       DELETE FROM webhook_failures WHERE webhook_id = ANY($7::uuid[])
     )
     SELECT id, attempt_count, current FROM updated`,
    [
      attempts.map((a) => a.deliveryId),
      attempts.map((a) => a.generation),
      attempts.map((a) => a.startedAt),
      attempts.map((a) => a.durationMs),
      attempts.map((a) => a.statusCode),
      attempts.map((a) => truncateUtf8(a.responseBody)),
      [...new Set(attempts.flatMap((a) => (a.webhookId === null ? [] : [a.webhookId])))],
    ],
  );
  return new Map(
    rows.map((row) => [row.id, { attemptNumber: Number(row.attempt_count), current: row.current }]),
  );
}
