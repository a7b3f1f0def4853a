import type { EventMetadata, RecordedEvent } from './event-store';

/** The `events` columns every read selects, in the shape `toRecordedEvent` expects. */
export const EVENT_COLUMNS =
  'position, id, stream, version, type, data, metadata, recorded_at, transaction_id';

/**
 * A row of `events` as node-postgres returns it: int8 and xid8 arrive as strings (unless someone
 * installed a global type parser), jsonb parsed, timestamptz as a Date.
 */
export interface EventRow {
  position: string | number | bigint;
  id: string;
  stream: string;
  version: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date | string;
  transaction_id: string | number | bigint;
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.id,
    position: BigInt(row.position),
    transactionId: BigInt(row.transaction_id),
    stream: row.stream,
    version: Number(row.version),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at instanceof Date ? row.recorded_at : new Date(row.recorded_at),
  };
}
