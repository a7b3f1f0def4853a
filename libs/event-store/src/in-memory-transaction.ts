/**
 * Handle of one InMemoryEventStore transaction: what `transaction` passes to its work and what
 * inline projections receive as `tx`. It carries no behaviour; its identity tells which calls
 * belonged to the same transaction.
 */
export class InMemoryTransaction {
  private static nextSerial = 1;
  /** For diagnostics only. */
  readonly serial = InMemoryTransaction.nextSerial++;
}
