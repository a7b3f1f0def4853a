import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from '@herald/event-store';
import type { DataSource, EntityManager } from 'typeorm';
import type { RebuildableProjection } from './rebuildable-projection';

const BATCH_SIZE = 1000;

/**
 * Empties every projection's tables and replays all events into them, in one transaction, so
 * readers see either the old rows or the rebuilt ones. Appends wait meanwhile (the streams table is
 * locked), so no event can slip in between the replay and the commit.
 */
export async function rebuildProjections(
  dataSource: DataSource,
  projections: readonly RebuildableProjection[],
): Promise<{ events: number }> {
  return dataSource.transaction(async (tx: EntityManager) => {
    await tx.query('LOCK TABLE streams IN EXCLUSIVE MODE');
    const tables = projections.flatMap((projection) => projection.tables);
    // No CASCADE: a foreign key from an operational table into a projection is a schema bug, and
    // the rebuild should fail on it rather than silently empty that table too.
    await tx.query(`TRUNCATE ${tables.map((table) => `"${table}"`).join(', ')}`);
    let after = '0';
    let count = 0;
    for (;;) {
      const rows: EventRow[] = await tx.query(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2`,
        [after, BATCH_SIZE],
      );
      if (rows.length === 0) break;
      const events = rows.map(toRecordedEvent);
      for (const projection of projections) {
        const handled = events.filter((event) => projection.handles.includes(event.type));
        if (handled.length > 0) await projection.apply(handled, tx);
      }
      count += rows.length;
      after = String(rows[rows.length - 1].position);
    }
    return { events: count };
  });
}
