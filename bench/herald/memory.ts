import { Queue } from 'bullmq';
import { sampleChange } from '../references/sample-event';
import { RECEIVER_HOSTS } from '../receiver/receiver-client';
import { usedMemory } from '../references/r2-bullmq';
import { type BenchWebhook, subscribe } from './api-client';
import { type BenchContext, hookPath, settle } from './context';
import { BenchLedger } from './ledger';
import { closedLoop } from './load-generator';

export interface MemoryResult {
  queuedDeliveries: number;
  redisBytesPerQueuedDelivery: number;
  workerRssBytesPer1000Queued: number;
}

/**
 * Figure 5: the `deliveries` queue is paused (BullMQ's global pause: the worker keeps
 * dispatching, sends nothing), events fan out to 10 webhooks, and once every delivery job waits in
 * Redis we read Redis `used_memory` and the worker's RSS against before. Then it resumes and
 * everything is delivered (ledger). RSS moves with the garbage collector: a rough figure.
 */
export async function measureMemory(context: BenchContext, apiKey: string): Promise<MemoryResult> {
  const { system, receiver, sizes } = context;
  const connection = system.redisClient.duplicate();
  const queue = new Queue('deliveries', { connection, prefix: 'herald' });
  const hooks: BenchWebhook[] = [];
  for (let n = 0; n < 10; n += 1) {
    const path = hookPath(context, `memory-${n}`);
    const url = `${receiver.base((n % RECEIVER_HOSTS) + 1)}${path}`;
    hooks.push(await subscribe(system.client, apiKey, url, 'Activity', 'Create'));
  }
  await queue.pause();
  const redisBefore = await usedMemory(system.redisClient);
  const rssBefore = system.worker.rssBytes();
  const load = await closedLoop(
    system.client,
    apiKey,
    (index) => sampleChange(index, 'Activity', 'Create'),
    8,
    600_000,
    sizes.memoryEvents,
  );
  const expected = load.eventIds.length * hooks.length;
  const deadline = Date.now() + 60_000;
  let queued = 0;
  while (Date.now() < deadline) {
    const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed');
    queued = Object.values(counts).reduce((a, b) => a + b, 0);
    if (queued >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const redisAfter = await usedMemory(system.redisClient);
  const rssAfter = system.worker.rssBytes();
  await queue.resume();
  const ledger = new BenchLedger();
  for (const eventId of load.eventIds)
    for (const hook of hooks) ledger.expect(hook.path, hook.id, eventId);
  await settle(context, 'memory', ledger, 120_000);
  for (const hook of hooks)
    await system.client.call('PATCH', `/v1/webhooks/${hook.id}`, apiKey, { status: 'off' });
  await queue.close();
  connection.disconnect(); // BullMQ leaves connections it was given open
  return {
    queuedDeliveries: queued,
    redisBytesPerQueuedDelivery: (redisAfter - redisBefore) / Math.max(1, queued),
    workerRssBytesPer1000Queued: ((rssAfter - rssBefore) / Math.max(1, queued)) * 1000,
  };
}
