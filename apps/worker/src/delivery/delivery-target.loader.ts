import { Injectable } from '@nestjs/common';
import {
  EVENT_COLUMNS,
  toRecordedEvent,
  type EventRow,
  type RecordedEvent,
} from '@herald/event-store';
import { DataSource } from 'typeorm';
import type { DeliveryStatus, DeliveryTarget } from './delivery-target';

interface TargetRow {
  delivery_id: string;
  event_id: string;
  status: DeliveryStatus;
  generation: number;
  attempt_count: number;
  next_attempt_at: Date | null;
  webhook_id: string | null;
  owner_id: string | null;
  url: string | null;
  webhook_status: 'on' | 'off' | null;
  deleted_at: Date | null;
  secret_ref: string | null;
  previous_secret_ref: string | null;
  previous_valid_until: Date | null;
  owner_api_access: boolean | null;
  correlation_id: string | null;
}

/** Reads what a delivery job needs from PostgreSQL, the source of truth; never from job data. */
@Injectable()
export class DeliveryTargetLoader {
  constructor(private readonly dataSource: DataSource) {}

  /** The delivery with its webhook and its owner's API access as they are now; null if no such row. */
  async load(deliveryId: string): Promise<DeliveryTarget | null> {
    const rows = await this.dataSource.query<TargetRow[]>(
      `SELECT d.id AS delivery_id, d.event_id, d.status, d.generation, d.attempt_count,
              d.next_attempt_at, w.id AS webhook_id, w.owner_id, w.url, w.status AS webhook_status,
              w.deleted_at, w.secret_ref, w.previous_secret_ref, w.previous_valid_until,
              k.enabled AS owner_api_access, e.metadata->>'correlationId' AS correlation_id
         FROM deliveries d
         LEFT JOIN webhooks w ON w.id = d.webhook_id
         LEFT JOIN api_key_states k ON k.user_id = w.owner_id
         LEFT JOIN events e ON e.id = d.event_id
        WHERE d.id = $1`,
      [deliveryId],
    );
    const row = rows[0];
    if (row === undefined) return null;
    return {
      deliveryId: row.delivery_id,
      eventId: row.event_id,
      status: row.status,
      generation: Number(row.generation),
      attemptCount: Number(row.attempt_count),
      nextAttemptAt: row.next_attempt_at,
      webhook:
        row.webhook_id === null
          ? null
          : {
              id: row.webhook_id,
              ownerId: row.owner_id as string,
              url: row.url as string,
              status: row.webhook_status as 'on' | 'off',
              deletedAt: row.deleted_at,
              secretRef: row.secret_ref as string,
              previousSecretRef: row.previous_secret_ref,
              previousValidUntil: row.previous_valid_until,
            },
      ownerApiAccess: row.owner_api_access === true,
      correlationId: row.correlation_id,
    };
  }

  /** The delivered event as recorded (its id is the request's `webhook-id`). */
  async loadEvent(eventId: string): Promise<RecordedEvent | null> {
    const rows = await this.dataSource.query<EventRow[]>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE id = $1`,
      [eventId],
    );
    return rows[0] === undefined ? null : toRecordedEvent(rows[0]);
  }
}
