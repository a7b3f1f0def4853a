/**
 * `npm run test:soak` sets HERALD_SOAK=1 and runs the fault suites at soak size: the same tests and
 * pass criteria, with more events, more kills and longer runs. `npm test` runs the quick size.
 */
export const SOAK = process.env.HERALD_SOAK === '1';

/** `quick` under `npm test`, `soak` under `npm run test:soak`. */
export function soakSize<T>(quick: T, soak: T): T {
  return SOAK ? soak : quick;
}
