import { randomUUID } from 'node:crypto';
import { subscribe } from './api-client';
import type { BenchContext } from './context';
import { measureThroughput, type ThroughputResult } from './e2e-throughput';

export interface GrowthLevel extends ThroughputResult {
  /** Registered subscriptions that do not match the probe's events (all of them, any owner). */
  nonMatching: number;
}

/**
 * Figure 4: the end-to-end rate with one matching webhook while the number of registered
 * non-matching subscriptions grows. The filler subscriptions are written straight into the
 * `webhooks` projection (copies of one real subscription, entity `Note`/`Delete`, status on):
 * creating 100,000 through the API would take longer than the whole benchmark, and matching reads
 * only that projection. They are removed afterwards.
 */
export async function measureGrowth(
  context: BenchContext,
  apiKey: string,
  levels: number[],
): Promise<GrowthLevel[]> {
  const { system, receiver } = context;
  const template = await subscribe(
    system.client,
    apiKey,
    `${receiver.base(3)}/h/r${context.round}-growth-filler`,
    'Note',
    'Delete',
  );
  const results: GrowthLevel[] = [];
  try {
    for (const level of levels) {
      const { rows } = await system.db.query(
        `SELECT count(*)::int AS n FROM webhooks WHERE entity = 'Note' AND operation = 'Delete'`,
      );
      const missing = level - rows[0].n;
      if (missing > 0)
        await system.db.query(
          `INSERT INTO webhooks (id, owner_id, url, entity, operation, status, secret_ref, created_at, updated_at, subscribed_position)
           SELECT gen_random_uuid(), owner_id, url, entity, operation, status, secret_ref, now(), now(), subscribed_position
             FROM webhooks, generate_series(1, $2) WHERE id = $1`,
          [template.id, missing],
        );
      // Vacuumed now, so that autovacuum does not take its turn on the filler rows mid-figure.
      await system.db.query('VACUUM ANALYZE webhooks');
      const { rows: counted } = await system.db.query(
        `SELECT count(*)::int AS n FROM webhooks WHERE NOT (entity IN ('Job', '*') AND operation IN ('Update', '*'))`,
      );
      const probe = await measureThroughput(
        context,
        `growth-${level}-${randomUUID().slice(0, 4)}`,
        apiKey,
        'Job',
        context.sizes.growthMs,
      );
      results.push({ ...probe, nonMatching: counted[0].n });
      context.log(
        `  growth ${counted[0].n} non-matching: ${probe.eventsPerSecond.toFixed(0)} events/s`,
      );
    }
  } finally {
    await system.db.query(
      `DELETE FROM webhooks WHERE entity = 'Note' AND operation = 'Delete' AND id <> $1`,
      [template.id],
    );
    await system.db.query('VACUUM ANALYZE webhooks'); // nor on their removal, in the next figure
    await system.client.call('PATCH', `/v1/webhooks/${template.id}`, apiKey, { status: 'off' });
  }
  return results;
}
