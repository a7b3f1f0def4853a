import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { sampleChange } from './sample-event';

export interface R3Result {
  /** Rows/s, one row per commit, `concurrency` connections. */
  singleRowPerSecond: number;
  /** Rows/s, `batchSize` rows per commit. */
  batchedPerSecond: number;
}

/**
 * R3: raw `pg` inserts of Herald's event rows (an `EntityChanged` row as the store writes it) into
 * a copy of the `events` table (same columns, defaults, constraints and indexes) on the same,
 * durable PostgreSQL. Single-row commits are what one `POST /v1/entity-changes` costs at least;
 * batches show what the disk allows when commits are shared.
 */
export async function runR3(
  databaseUrl: string,
  durationMs: number,
  concurrency = 8,
  batchSize = 100,
): Promise<R3Result> {
  const pool = new Pool({ connectionString: databaseUrl, max: concurrency });
  const table = `bench_r3_events_${randomUUID().slice(0, 8)}`;
  await pool.query(`CREATE TABLE ${table} (LIKE events INCLUDING ALL)`);
  let stream = 0;
  const row = () => {
    stream += 1;
    const change = sampleChange(stream);
    return [
      randomUUID(),
      `entity-Contact-${stream}-${randomUUID().slice(0, 8)}`,
      1,
      'EntityChanged',
      JSON.stringify({ ...change, actorUserId: randomUUID(), occurredAt: new Date() }),
      JSON.stringify({ correlationId: randomUUID(), causationId: null, actorId: randomUUID() }),
    ];
  };
  const insert = (rows: unknown[][]) => {
    const values = rows
      .map(
        (_, r) =>
          `($${r * 6 + 1},$${r * 6 + 2},$${r * 6 + 3},$${r * 6 + 4},$${r * 6 + 5},$${r * 6 + 6})`,
      )
      .join(',');
    return pool.query(
      `INSERT INTO ${table} (id, stream, version, type, data, metadata) VALUES ${values}`,
      rows.flat(),
    );
  };
  const measure = async (rowsPerCommit: number) => {
    let rows = 0;
    const deadline = Date.now() + durationMs / 2;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < deadline) {
          await insert(Array.from({ length: rowsPerCommit }, row));
          rows += rowsPerCommit;
        }
      }),
    );
    return rows / ((Date.now() - started) / 1000);
  };
  try {
    return { singleRowPerSecond: await measure(1), batchedPerSecond: await measure(batchSize) };
  } finally {
    await pool.query(`DROP TABLE ${table}`);
    await pool.end();
  }
}
