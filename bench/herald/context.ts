import type { Receiver } from '../receiver/receiver-client';
import type { BenchSizes } from '../sizes';
import type { BenchSystem } from './bench-system';
import { BenchLedger, type LedgerCounts } from './ledger';

/** What every Herald figure runs against, and where it reports its ledger. */
export interface BenchContext {
  system: BenchSystem;
  receiver: Receiver;
  sizes: BenchSizes;
  round: number;
  log(line: string): void;
  /** Each figure's ledger counts, added into the run's ledger. */
  addLedger(figure: string, counts: LedgerCounts): void;
}

/** Webhook paths are unique per figure and round, so figures never count each other's arrivals. */
export const hookPath = (context: BenchContext, name: string) => `/h/r${context.round}-${name}`;

/** Waits for the figure's pairs (up to `timeoutMs`), then settles its ledger into the run's. */
export async function settle(
  context: BenchContext,
  figure: string,
  ledger: BenchLedger,
  timeoutMs = 60_000,
): Promise<void> {
  const complete = await ledger.collect(context.receiver, timeoutMs);
  const counts = await ledger.counts(context.system.db);
  if (!complete)
    context.log(`  ${figure}: ${ledger.missing} pairs not arrived after ${timeoutMs} ms`);
  context.addLedger(figure, counts);
}
