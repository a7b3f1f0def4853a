import { sampleChange } from '../references/sample-event';
import { subscribe } from './api-client';
import { type BenchContext, hookPath, settle } from './context';
import { commitToReceipt, percentiles, type Percentiles } from './latency';
import { BenchLedger } from './ledger';
import { openLoop } from './load-generator';

export interface LatencyResult extends Percentiles {
  offeredPerSecond: number;
  apiP99Ms: number;
}

/** Figure 2: commit → receipt at `fraction` of the figure-1 rate, open loop, one webhook. */
export async function measureLatency(
  context: BenchContext,
  apiKey: string,
  label: string,
  rate: number,
): Promise<LatencyResult> {
  const { system, receiver } = context;
  const path = hookPath(context, `latency-${label}`);
  const hook = await subscribe(
    system.client,
    apiKey,
    `${receiver.base(2)}${path}`,
    'Application',
    'Update',
  );
  // Only this webhook matches Application.Update from this figure's user in this round.
  const ledger = new BenchLedger();
  const load = await openLoop(
    system.client,
    apiKey,
    (index) => sampleChange(index, 'Application', 'Update'),
    rate,
    context.sizes.latencyMs,
  );
  for (const eventId of load.eventIds) ledger.expect(path, hook.id, eventId);
  await settle(context, `latency-${label}`, ledger);
  // Turned off so the next level's events do not reach it too.
  await system.client.call('PATCH', `/v1/webhooks/${hook.id}`, apiKey, { status: 'off' });
  const histogram = await commitToReceipt(
    system.db,
    ledger.arrivalsOf((p) => p === path),
  );
  return {
    ...percentiles(histogram),
    offeredPerSecond: rate,
    apiP99Ms: percentiles(load.api).p99Ms,
  };
}
