import { Injectable } from '@nestjs/common';
import {
  preparedQuery,
  toRecordedEvent,
  type EventRow,
  type RecordedEvent,
} from '@herald/event-store';
import { DataSource } from 'typeorm';
import { groupCommit } from '@herald/event-store';
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
  event_position: string | null;
  event_stream: string | null;
  event_version: number | null;
  event_type: string | null;
  event_data: unknown;
  event_metadata: EventRow['metadata'];
  event_recorded_at: Date | null;
  event_transaction_id: string | null;
}

/** Most deliveries one query reads (see groupCommit). */
const TARGETS_PER_QUERY = 100;

/**
 * Reads what a delivery job needs from PostgreSQL, the source of truth; never from job data. One
 * query per job, or one for the jobs starting together (`groupCommit`): the delivery, its webhook,
 * the owner's access and the event to send.
 */
@Injectable()
export class DeliveryTargetLoader {
  private readonly loadBatched: (deliveryId: string) => Promise<DeliveryTarget | null>;

  constructor(private readonly dataSource: DataSource) {
    this.loadBatched = groupCommit((ids) => this.loadMany(ids), TARGETS_PER_QUERY);
  }

  /** The delivery with its webhook and its owner's API access as they are now; null if no such row. */
  async load(deliveryId: string): Promise<DeliveryTarget | null> {
    // PostgreSQL answers ids in lower case; the batch is matched by id.
    return this.loadBatched(deliveryId.toLowerCase());
  }

  private async loadMany(deliveryIds: readonly string[]): Promise<(DeliveryTarget | null)[]> {
    const rows = await preparedQuery<TargetRow>(
      this.dataSource,
      `SELECT d.id AS delivery_id, d.event_id, d.status, d.generation, d.attempt_count,
              d.next_attempt_at, w.id AS webhook_id, w.owner_id, w.url, w.status AS webhook_status,
              w.deleted_at, w.secret_ref, w.previous_secret_ref, w.previous_valid_until,
              k.enabled AS owner_api_access, e.metadata->>'correlationId' AS correlation_id,
              e.position AS event_position, e.stream AS event_stream, e.version AS event_version,
              e.type AS event_type, e.data AS event_data, e.metadata AS event_metadata,
              e.recorded_at AS event_recorded_at, e.transaction_id AS event_transaction_id
         FROM deliveries d
         LEFT JOIN webhooks w ON w.id = d.webhook_id
         LEFT JOIN api_key_states k ON k.user_id = w.owner_id
         LEFT JOIN events e ON e.id = d.event_id
        WHERE d.id = ANY($1::uuid[])`,
      [deliveryIds],
    );
    const byId = new Map(rows.map((row) => [row.delivery_id, targetOf(row)]));
    return deliveryIds.map((id) => byId.get(id) ?? null);
  }
}

function targetOf(row: TargetRow): DeliveryTarget {
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
    event: eventOf(row),
  };
}

/** The event as recorded (its id is the request's `webhook-id`); null if the row is missing. */
function eventOf(row: TargetRow): RecordedEvent | null {
  if (row.event_position === null) return null;
  return toRecordedEvent({
    position: row.event_position,
    id: row.event_id,
    stream: row.event_stream as string,
    version: row.event_version as number,
    type: row.event_type as string,
    data: row.event_data,
    metadata: row.event_metadata,
    recorded_at: row.event_recorded_at as Date,
    transaction_id: row.event_transaction_id as string,
  });
}
