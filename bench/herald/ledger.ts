import type { Pool } from 'pg';
import type { Arrivals, Receiver } from '../receiver/receiver-client';

export interface LedgerCounts {
  sent: number;
  delivered: number;
  /** Not arrived yet, and Herald still owes it (delivery `pending`, or event not dispatched yet). */
  pending: number;
  /** Neither arrived nor owed: the run is void when this is not 0. */
  lost: number;
  /** Arrivals beyond the first of a pair (at-least-once allows them; counted, not hidden). */
  duplicates: number;
  /** Arrivals of pairs nobody sent. */
  unexpected: number;
}

const key = (path: string, eventId: string) => `${path} ${eventId}`;

/**
 * (event, webhook) pairs one figure sent, and what the receiver got. Sent = delivered + pending,
 * or the run is void. Also keeps each pair's first arrival time for latency.
 */
export class BenchLedger {
  private readonly expected = new Map<string, { eventId: string; webhookId: string }>();
  readonly firstArrival = new Map<string, number>();
  private arrivalsSeen = 0;
  private unexpected = 0;

  expect(path: string, webhookId: string, eventId: string): void {
    this.expected.set(key(path, eventId), { eventId, webhookId });
  }

  record(arrivals: Arrivals): void {
    for (let i = 0; i < arrivals.ids.length; i += 1) {
      const pair = key(arrivals.paths[i], arrivals.ids[i]);
      this.arrivalsSeen += 1;
      if (!this.expected.has(pair)) this.unexpected += 1;
      else if (!this.firstArrival.has(pair)) this.firstArrival.set(pair, arrivals.times[i]);
    }
  }

  get missing(): number {
    return this.expected.size - this.firstArrival.size;
  }

  /** Takes arrivals from the receiver until every pair arrived or `timeoutMs` passed. */
  async collect(receiver: Receiver, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.record(await receiver.take());
      if (this.missing === 0) return true;
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** First-arrival times of the pairs whose webhook path satisfies `filter`, with their event. */
  arrivalsOf(filter: (path: string) => boolean): { eventId: string; at: number }[] {
    const out: { eventId: string; at: number }[] = [];
    for (const [pair, at] of this.firstArrival) {
      const [path, eventId] = pair.split(' ');
      if (filter(path)) out.push({ eventId, at });
    }
    return out;
  }

  async counts(db: Pool): Promise<LedgerCounts> {
    const notArrived = [...this.expected].filter(([pair]) => !this.firstArrival.has(pair));
    let pending = 0;
    if (notArrived.length > 0) {
      const { rows } = await db.query(
        `SELECT count(*)::int AS owed
           FROM unnest($1::uuid[], $2::uuid[]) AS pair(event_id, webhook_id)
           LEFT JOIN deliveries d USING (event_id, webhook_id)
          WHERE d.status = 'pending'
             OR (d.id IS NULL AND NOT EXISTS
                  (SELECT 1 FROM event_dispatches x WHERE x.event_id = pair.event_id))`,
        [notArrived.map(([, p]) => p.eventId), notArrived.map(([, p]) => p.webhookId)],
      );
      pending = rows[0].owed;
    }
    const delivered = this.firstArrival.size;
    return {
      sent: this.expected.size,
      delivered,
      pending,
      lost: this.expected.size - delivered - pending,
      duplicates: this.arrivalsSeen - this.unexpected - delivered,
      unexpected: this.unexpected,
    };
  }
}

export function addCounts(a: LedgerCounts, b: LedgerCounts): LedgerCounts {
  return {
    sent: a.sent + b.sent,
    delivered: a.delivered + b.delivered,
    pending: a.pending + b.pending,
    lost: a.lost + b.lost,
    duplicates: a.duplicates + b.duplicates,
    unexpected: a.unexpected + b.unexpected,
  };
}

export const EMPTY_COUNTS: LedgerCounts = {
  sent: 0,
  delivered: 0,
  pending: 0,
  lost: 0,
  duplicates: 0,
  unexpected: 0,
};
