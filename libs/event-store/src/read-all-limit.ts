export const DEFAULT_READ_ALL_LIMIT = 1000;

export function validateReadAllLimit(limit: number): void {
  if (!(Number.isInteger(limit) && limit > 0)) {
    throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }
}
