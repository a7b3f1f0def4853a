/** Redis did not answer in time: it is down, or BullMQ's connection is still (re)connecting. */
export class RedisDeadlineError extends Error {
  override readonly name = 'RedisDeadlineError';
}

/**
 * Waits for a BullMQ call for at most `ms`. BullMQ's connections retry forever
 * (`maxRetriesPerRequest: null`), so while Redis is away a call neither succeeds nor fails; loops
 * that must notice the outage (and stay stoppable) bound the wait with this. The call itself is not
 * cancelled: it may still complete later, which is why only idempotent calls (fixed job ids) go
 * through here.
 */
export async function withRedisDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RedisDeadlineError(`${what}: Redis did not answer within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
