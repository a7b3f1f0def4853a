import DataLoader from 'dataloader';

/** Batches that may run at once: one stuck statement does not hold back every later call. */
const DEFAULT_MAX_IN_FLIGHT = 4;

/**
 * Turns a statement that handles many items into a call per item, batched the way databases
 * group commits: the first call goes out on the next turn of the event loop, and calls made while
 * `maxInFlight` batches are already running wait for one of them to end and go out together.
 * Under light load a call waits one event-loop turn at most; under heavy load one round trip
 * carries many calls, so the number of statements falls as the load rises.
 *
 * Guarantees: every call settles with its own result or its own error (`run` returns one entry
 * per key, in order, an Error for a key that failed); a batch that throws rejects only its calls;
 * no batch holds more than `maxBatchSize` keys. Keys are not cached or de-duplicated.
 */
export function groupCommit<K, V>(
  run: (keys: readonly K[]) => Promise<(V | Error)[]>,
  maxBatchSize: number,
  maxInFlight = DEFAULT_MAX_IN_FLIGHT,
): (key: K) => Promise<V> {
  const running = new Set<Promise<unknown>>();
  const roomForABatch = async () => {
    while (running.size >= maxInFlight) await Promise.race(running);
  };
  const loader = new DataLoader<K, V>(
    (keys) => {
      const batch = run(keys);
      const settled = batch.then(noop, noop);
      running.add(settled);
      void settled.then(() => running.delete(settled));
      return batch;
    },
    {
      cache: false,
      maxBatchSize,
      batchScheduleFn: (dispatch) => {
        void roomForABatch().then(() => setImmediate(dispatch));
      },
    },
  );
  return async (key) => loader.load(key);
}

function noop(): void {}
