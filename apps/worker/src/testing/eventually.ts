import { dispatchJobId } from '@herald/queues';
import type { Queue } from 'bullmq';
import type { RelayService } from '../relay/relay.service';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` (errors count as "not yet") until it returns something other than undefined/null/false. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * Relays until every given event has its dispatch job. One pass is not always enough: readAll
 * holds back events while any transaction in the PostgreSQL cluster older than them is open, and
 * other suites share the cluster.
 */
export async function relayPast(
  relay: RelayService,
  eventsQueue: Queue,
  eventIds: readonly string[],
): Promise<void> {
  await eventually(async () => {
    await relay.relayOnce();
    const jobs = await Promise.all(eventIds.map((id) => eventsQueue.getJob(dispatchJobId(id))));
    return jobs.every(Boolean);
  });
}
