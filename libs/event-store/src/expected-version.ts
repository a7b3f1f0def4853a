import { ConcurrencyError } from './errors';
import type { ExpectedVersion } from './event-store';

/** Rejects expectations that can never hold (negative or fractional versions) as caller bugs. */
export function validateExpectedVersion(expected: ExpectedVersion): void {
  if (typeof expected === 'number' && !(Number.isInteger(expected) && expected >= 0)) {
    throw new RangeError(`expectedVersion must be a non-negative integer, got ${expected}`);
  }
}

export function isExpectedVersionMet(expected: ExpectedVersion, actual: number): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === 0;
    case 'stream_exists':
      return actual > 0;
    default:
      return actual === expected;
  }
}

/** Throws ConcurrencyError unless a stream at version `actual` meets `expected`. */
export function assertExpectedVersion(
  stream: string,
  expected: ExpectedVersion,
  actual: number,
): void {
  if (!isExpectedVersionMet(expected, actual)) {
    throw new ConcurrencyError(stream, String(expected), actual);
  }
}
