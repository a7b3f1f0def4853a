import type { ReceivedRequest } from '../webhook-receiver';

/** The ledger's verdict over (event, webhook) pairs. A run passes only with lost = 0. */
export interface LedgerSummary {
  /** Pairs the test expected to arrive. */
  expected: number;
  /** Expected pairs that arrived at least once. */
  delivered: number;
  /** Expected pairs that never arrived. */
  lost: number;
  /** Pairs that arrived but were never expected. */
  unexpected: number;
  /** Pairs that arrived more than once (at-least-once delivery allows it). */
  duplicated: number;
  /** Extra arrivals beyond the first, summed over every pair. */
  extraArrivals: number;
  /** Duplicated pairs whose copies differ in body bytes — must be 0. */
  inconsistentDuplicates: number;
  /** Arrivals that no known secret verified — must be 0. */
  unverified: number;
}

/**
 * What every fault run must show, whatever else it allows (duplicates, under at-least-once):
 * nothing lost, nothing unexpected, duplicates byte-identical, every request verified. Match a
 * summary against it: `expect(summary).toMatchObject({ ...SOUND_DELIVERY, … })`.
 */
export const SOUND_DELIVERY = {
  lost: 0,
  unexpected: 0,
  inconsistentDuplicates: 0,
  unverified: 0,
} as const satisfies Partial<LedgerSummary>;

/**
 * Keeps (event, webhook) pairs: what the test expects to be delivered, and what receivers
 * accepted. A pair's webhook is the receiver path the webhook points at; its event is the
 * `webhook-id` header, which API.md guarantees is the event's id on every retry.
 */
export class DeliveryLedger {
  private readonly expectedPairs = new Set<string>();
  private readonly arrivals = new Map<string, ReceivedRequest[]>();

  private static key(webhookPath: string, eventId: string): string {
    return `${webhookPath} ${eventId}`;
  }

  /** The test expects `eventId` to reach the webhook whose URL path is `webhookPath`. */
  expect(webhookPath: string, eventId: string): void {
    this.expectedPairs.add(DeliveryLedger.key(webhookPath, eventId));
  }

  /** A request a receiver accepted (answered 2xx). */
  record(request: ReceivedRequest): void {
    const key = DeliveryLedger.key(request.path, request.headers['webhook-id'] ?? '');
    const list = this.arrivals.get(key) ?? [];
    list.push(request);
    this.arrivals.set(key, list);
  }

  /** Expected pairs that have not arrived yet. */
  missing(): string[] {
    return [...this.expectedPairs].filter((key) => !this.arrivals.has(key));
  }

  summary(): LedgerSummary {
    let delivered = 0;
    let unexpected = 0;
    let duplicated = 0;
    let extraArrivals = 0;
    let inconsistentDuplicates = 0;
    let unverified = 0;
    for (const [key, list] of this.arrivals) {
      if (this.expectedPairs.has(key)) delivered += 1;
      else unexpected += 1;
      if (list.length > 1) {
        duplicated += 1;
        extraArrivals += list.length - 1;
        if (list.some((copy) => !copy.rawBody.equals(list[0].rawBody))) inconsistentDuplicates += 1;
      }
      unverified += list.filter((copy) => !copy.verified).length;
    }
    return {
      expected: this.expectedPairs.size,
      delivered,
      lost: this.expectedPairs.size - delivered,
      unexpected,
      duplicated,
      extraArrivals,
      inconsistentDuplicates,
      unverified,
    };
  }
}
