import { sampleChange } from '../references/sample-event';
import { type BenchWebhook, subscribe } from './api-client';
import { type BenchContext, hookPath, settle } from './context';
import { commitToReceipt, percentiles } from './latency';
import { BenchLedger } from './ledger';
import { openLoop } from './load-generator';

export interface IsolationResult {
  offeredEventsPerSecond: number;
  baseline: { healthyDeliveriesPerSecond: number; healthyP99Ms: number };
  storm: { healthyDeliveriesPerSecond: number; healthyP99Ms: number };
  healthyThroughputRatio: number;
  /** From the end of the storm (the bad endpoint answers again) to the last pair delivered. */
  drainMs: number;
  duplicates: number;
}

/**
 * Figure 6: 10 webhooks on 10 endpoints (host names) hear every event at a fixed open-loop rate.
 * Baseline, then a storm on endpoint 10: it answers 500 for the first half and sleeps past the
 * delivery deadline for the second half; then it recovers and the backlog drains. Healthy = the 9
 * other endpoints: their arrivals/s inside each phase's window, and the commit→receipt p99 of
 * the events sent in that phase.
 */
export async function measureIsolation(
  context: BenchContext,
  apiKey: string,
  rate: number,
  deadlineMs: number,
): Promise<IsolationResult> {
  const { system, receiver, sizes } = context;
  const hooks: BenchWebhook[] = [];
  for (let n = 1; n <= 10; n += 1)
    hooks.push(
      await subscribe(
        system.client,
        apiKey,
        `${receiver.base(n)}${hookPath(context, `isolation-${n}`)}`,
        'Activity',
        'Update',
      ),
    );
  const bad = hooks[9];
  const change = (index: number) => sampleChange(index, 'Activity', 'Update');
  const baseline = await openLoop(system.client, apiKey, change, rate, sizes.isolationBaselineMs);
  await receiver.setMode(bad.path, { kind: 'fail', status: 500 });
  const half = sizes.isolationStormMs / 2;
  const stormA = openLoop(system.client, apiKey, change, rate, sizes.isolationStormMs);
  await new Promise((resolve) => setTimeout(resolve, half));
  await receiver.setMode(bad.path, { kind: 'sleep', ms: deadlineMs + 1000 });
  const storm = await stormA;
  await receiver.setMode(bad.path, { kind: 'ok' });
  const stormEnded = Date.now();

  const ledger = new BenchLedger();
  for (const eventId of [...baseline.eventIds, ...storm.eventIds])
    for (const hook of hooks) ledger.expect(hook.path, hook.id, eventId);
  await settle(context, 'isolation', ledger, 180_000);
  const lastArrival = Math.max(...ledger.arrivalsOf(() => true).map((a) => a.at));
  const counts = await ledger.counts(system.db);
  for (const hook of hooks)
    await system.client.call('PATCH', `/v1/webhooks/${hook.id}`, apiKey, { status: 'off' });

  const healthy = (path: string) => path !== bad.path && hooks.some((h) => h.path === path);
  const healthyArrivals = ledger.arrivalsOf(healthy);
  // Throughput: healthy arrivals inside the phase's window; p99: of the events sent in the phase.
  const phase = async (load: typeof baseline) => {
    const ids = new Set(load.eventIds);
    const histogram = await commitToReceipt(
      system.db,
      healthyArrivals.filter((a) => ids.has(a.eventId)),
    );
    const inWindow = healthyArrivals.filter((a) => a.at >= load.startedAt && a.at <= load.endedAt);
    return {
      healthyDeliveriesPerSecond: inWindow.length / ((load.endedAt - load.startedAt) / 1000),
      healthyP99Ms: percentiles(histogram).p99Ms,
    };
  };
  const baselinePhase = await phase(baseline);
  const stormPhase = await phase(storm);
  return {
    offeredEventsPerSecond: rate,
    baseline: baselinePhase,
    storm: stormPhase,
    healthyThroughputRatio:
      stormPhase.healthyDeliveriesPerSecond / baselinePhase.healthyDeliveriesPerSecond,
    drainMs: Math.max(0, lastArrival - stormEnded),
    duplicates: counts.duplicates,
  };
}
