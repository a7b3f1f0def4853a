import { Injectable } from '@nestjs/common';
import type { GlobalCheckpoint } from '@herald/event-store';
import { DataSource } from 'typeorm';

/** The relay's own row: every event at or before it is on the `events` queue. */
export const RELAY_CHECKPOINT = 'relay';

/**
 * Named positions in the event log (`relay_checkpoints`). Guarantee: `advance` only ever moves a
 * checkpoint forward, so a slow or duplicate writer (two relays during a takeover, a pass that
 * finished late) can never move one back and make events be skipped by the reconciler's
 * bookkeeping; moving back would only re-send, never lose.
 */
@Injectable()
export class RelayCheckpoints {
  constructor(private readonly db: DataSource) {}

  async load(name: string): Promise<GlobalCheckpoint | null> {
    const rows = await this.db.query<{ transaction_id: string; position: string }[]>(
      `SELECT transaction_id::text AS transaction_id, position::text AS position
         FROM relay_checkpoints WHERE name = $1`,
      [name],
    );
    const row = rows[0];
    return row
      ? { transactionId: BigInt(row.transaction_id), position: BigInt(row.position) }
      : null;
  }

  /**
   * Are there committed events past `checkpoint` that readAll did not return yet? It holds back
   * events while an older transaction anywhere in the cluster is open; they become readable as soon
   * as it ends, without a NOTIFY of their own.
   */
  async hasEventsAfter(checkpoint: GlobalCheckpoint | null): Promise<boolean> {
    const rows = await this.db.query<unknown[]>(
      // In index order: with a bare LIMIT the planner may read the table from the start, and
      // the events after a checkpoint are the newest, at its end.
      `SELECT 1 FROM events WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
        ORDER BY transaction_id, position LIMIT 1`,
      [String(checkpoint?.transactionId ?? 0n), String(checkpoint?.position ?? 0n)],
    );
    return rows.length > 0;
  }

  async advance(name: string, checkpoint: GlobalCheckpoint): Promise<void> {
    await this.db.query(
      `INSERT INTO relay_checkpoints (name, transaction_id, position)
       VALUES ($1, $2::xid8, $3::bigint)
       ON CONFLICT (name) DO UPDATE
          SET transaction_id = EXCLUDED.transaction_id,
              position = EXCLUDED.position,
              updated_at = now()
        WHERE (relay_checkpoints.transaction_id, relay_checkpoints.position)
            < (EXCLUDED.transaction_id, EXCLUDED.position)`,
      [name, String(checkpoint.transactionId), String(checkpoint.position)],
    );
  }
}
