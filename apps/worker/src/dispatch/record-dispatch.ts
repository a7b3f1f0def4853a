import { preparedQuery } from '@herald/event-store';
import type { PendingDelivery } from '@herald/queues';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { WebhookTarget } from './webhook-targets';

/** Why a delivery was recorded `skipped` at dispatch: the webhook owner's API access is off. */
export const OWNER_API_ACCESS_OFF = 'owner_api_access_off';

export interface RecordedDispatch {
  /** Delivery rows this run created (0 on a re-run). */
  created: number;
  /** Of those, how many were recorded `skipped` (the owner's API access is off). */
  skipped: number;
  /** Every `pending` delivery of the event, new or not, oldest first, with its delay. */
  pending: PendingDelivery[];
}

interface DispatchRow {
  id: string;
  status: string;
  generation: number;
  created: boolean;
  delay_ms: string | null;
}

/**
 * One statement, so one round trip and atomic without an explicit transaction: inserts the delivery
 * rows that do not exist yet (`ON CONFLICT (event_id, webhook_id) DO NOTHING`), marks the event
 * dispatched, and lists the event's pending deliveries. Every part of a statement sees the same
 * snapshot, so the rows it inserts (`inserted`) and the rows that were already there (`existing`)
 * never overlap.
 */
const RECORD_DISPATCH = `
  WITH inserted AS (
    INSERT INTO deliveries (id, event_id, webhook_id, type, status, reason, next_attempt_at)
    SELECT t.id, $1, t.webhook_id, $2, t.status, t.reason,
           CASE WHEN t.status = 'pending' THEN now() END
      FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::text[])
           AS t(id, webhook_id, status, reason)
    ON CONFLICT (event_id, webhook_id) DO NOTHING
    RETURNING id, status, generation, next_attempt_at, created_at
  ), dispatched AS (
    INSERT INTO event_dispatches (event_id) VALUES ($1) ON CONFLICT (event_id) DO NOTHING
  ), existing AS (
    SELECT id, status, generation, next_attempt_at, created_at FROM deliveries WHERE event_id = $1
  )
  SELECT id, status, generation, created,
         GREATEST(0, CEIL(EXTRACT(EPOCH FROM (next_attempt_at - now())) * 1000))::bigint::text
           AS delay_ms
    FROM (SELECT *, true AS created FROM inserted
          UNION ALL
          SELECT *, false AS created FROM existing) AS rows
   ORDER BY created_at, id`;

/**
 * Records the fan-out of event `eventId` (its webhook event `type`) to `targets`: idempotent, so a
 * re-run creates nothing and returns the same pending deliveries (docs/delivery-contract.md).
 */
export async function recordDispatch(
  db: DataSource,
  eventId: string,
  type: string,
  targets: readonly WebhookTarget[],
): Promise<RecordedDispatch> {
  const rows = await preparedQuery<DispatchRow>(db, RECORD_DISPATCH, [
    eventId,
    type,
    targets.map(() => randomUUID()),
    targets.map((target) => target.webhookId),
    targets.map((target) => (target.ownerAccessOn ? 'pending' : 'skipped')),
    targets.map((target) => (target.ownerAccessOn ? null : OWNER_API_ACCESS_OFF)),
  ]);
  const created = rows.filter((row) => row.created);
  return {
    created: created.length,
    skipped: created.filter((row) => row.status === 'skipped').length,
    pending: rows
      .filter((row) => row.status === 'pending')
      .map((row) => ({
        id: row.id,
        generation: Number(row.generation),
        delayMs: Number(row.delay_ms ?? 0),
      })),
  };
}
