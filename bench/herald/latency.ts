import * as hdr from 'hdr-histogram-js';
import type { Pool } from 'pg';

export interface Percentiles {
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  count: number;
}

/** An HDR histogram in microseconds (1 µs … 10 min, 3 significant digits). */
export function newHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

export function recordMs(histogram: hdr.Histogram, ms: number): void {
  histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
}

export function percentiles(histogram: hdr.Histogram): Percentiles {
  const at = (p: number) => Math.round(histogram.getValueAtPercentile(p) / 10) / 100;
  return { p50Ms: at(50), p99Ms: at(99), p999Ms: at(99.9), count: histogram.totalCount };
}

/**
 * Commit → receipt, per arrival: the receiver's first-arrival time minus the event's
 * `recorded_at`. `recorded_at` is `now()` of the appending transaction — its start, a little
 * before its commit — so this overstates the latency by the append transaction's duration (under
 * a millisecond to a few); the events table keeps no commit timestamp.
 */
export async function commitToReceipt(
  db: Pool,
  arrivals: { eventId: string; at: number }[],
): Promise<hdr.Histogram> {
  const histogram = newHistogram();
  for (let i = 0; i < arrivals.length; i += 5000) {
    const slice = arrivals.slice(i, i + 5000);
    const { rows } = await db.query(
      `SELECT id, extract(epoch FROM recorded_at) * 1000 AS ms FROM events WHERE id = ANY($1::uuid[])`,
      [slice.map((a) => a.eventId)],
    );
    const committed = new Map<string, number>(rows.map((r) => [r.id, Number(r.ms)]));
    for (const arrival of slice) {
      const at = committed.get(arrival.eventId);
      if (at !== undefined) recordMs(histogram, arrival.at - at);
    }
  }
  return histogram;
}
