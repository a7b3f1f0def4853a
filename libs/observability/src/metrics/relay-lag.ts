import { Gauge, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { withDeadline } from './deadline';

/** The relay's checkpoint row (docs/delivery-contract.md, `relay_checkpoints`). */
export const RELAY_CHECKPOINT_NAME = 'relay';

/** Lag counts stop here: the query stays cheap however far behind the relay is. */
export const RELAY_LAG_COUNT_CAP = 100_000;

interface LagRow {
  events: string | number;
  oldest_age_seconds: string | number | null;
}

/**
 * `herald_relay_lag_events` and `herald_relay_lag_seconds`, computed at scrape time: the events
 * committed but not yet past the relay's checkpoint (in commit order, as the relay reads them;
 * counted up to RELAY_LAG_COUNT_CAP), and the age of the oldest of them (0 when there are none).
 * Two small queries: the checkpoint, then an indexed range read on `events (transaction_id, position)`. When PostgreSQL does not answer
 * within `timeoutMs`, both gauges have no value in that scrape.
 */
export function registerRelayLag(
  registry: Registry,
  db: Pick<DataSource, 'query'>,
  timeoutMs = 1000,
): { events: Gauge; seconds: Gauge } {
  let pending: Promise<LagRow | null> | null = null;
  // At most one query in flight, however often /metrics is scraped: a hung PostgreSQL must not
  // make every scrape take another pool connection. The deadline bounds only the scrape's wait.
  let inFlight: Promise<LagRow> | null = null;
  // Both gauges are collected in one scrape: one query serves them both.
  const read = (): Promise<LagRow | null> => {
    inFlight ??= queryLag(db).finally(() => (inFlight = null));
    pending ??= withDeadline(inFlight, timeoutMs, 'PostgreSQL (relay lag)')
      .catch(() => null)
      .finally(() => setImmediate(() => (pending = null)));
    return pending;
  };
  const events = new Gauge({
    name: 'herald_relay_lag_events',
    help: `Events committed but not yet relayed to the events queue (counted up to ${RELAY_LAG_COUNT_CAP})`,
    registers: [registry],
    async collect() {
      this.reset();
      const row = await read();
      if (row) this.set(Number(row.events));
    },
  });
  const seconds = new Gauge({
    name: 'herald_relay_lag_seconds',
    help: 'Age of the oldest event not yet relayed to the events queue (0 when none waits)',
    registers: [registry],
    async collect() {
      this.reset();
      const row = await read();
      if (row) this.set(Math.max(0, Number(row.oldest_age_seconds ?? 0)));
    },
  });
  return { events, seconds };
}

async function queryLag(db: Pick<DataSource, 'query'>): Promise<LagRow> {
  const [checkpoint] = await db.query<{ transaction_id: string; position: string }[]>(
    `SELECT transaction_id::text AS transaction_id, position::text AS position
       FROM relay_checkpoints WHERE name = $1`,
    [RELAY_CHECKPOINT_NAME],
  );
  const rows = await db.query<LagRow[]>(
    `SELECT count(*) AS events,
            EXTRACT(EPOCH FROM (now() - min(unrelayed.recorded_at))) AS oldest_age_seconds
       FROM (SELECT recorded_at FROM events
              WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
              ORDER BY transaction_id, position
              LIMIT $3) unrelayed`,
    [checkpoint?.transaction_id ?? '0', checkpoint?.position ?? '0', RELAY_LAG_COUNT_CAP],
  );
  return rows[0];
}
