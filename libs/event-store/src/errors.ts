/** The stream was not at the version the writer expected: someone else appended first. */
export class ConcurrencyError extends Error {
  constructor(
    readonly stream: string,
    readonly expected: string,
    readonly actual: number,
  ) {
    super(`Stream ${stream} is at version ${actual}, expected ${expected}`);
    this.name = 'ConcurrencyError';
  }
}

/**
 * The connection to PostgreSQL was lost while it was committing: the transaction may have been
 * committed or not, and nobody can tell from here. A request that gets this must be retried in a
 * way that cannot apply twice (the same Idempotency-Key), or checked first.
 */
export class CommitOutcomeUnknown extends Error {
  constructor(override readonly cause: unknown) {
    super(`Connection lost while committing: ${cause instanceof Error ? cause.message : cause}`);
    this.name = 'CommitOutcomeUnknown';
  }
}
