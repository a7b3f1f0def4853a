import { sampleChange } from '../references/sample-event';
import { RECEIVER_HOSTS } from '../receiver/receiver-client';
import { type BenchWebhook, subscribe } from './api-client';
import { type BenchContext, hookPath, settle } from './context';
import { BenchLedger } from './ledger';
import { closedLoop } from './load-generator';

export interface FanoutResult {
  webhooks: number;
  events: number;
  deliveriesPerSecond: number;
}

/**
 * Figure 3: deliveries/s with N matching webhooks per event (levels ascending; webhooks are added
 * to reach each level). The webhooks are spread over the receiver's 10 loopback host names, which
 * Herald treats as 10 endpoints (its per-endpoint in-flight cap is per host name). The rate is
 * deliveries over the time from the first request to the last arrival.
 */
export async function measureFanout(
  context: BenchContext,
  apiKey: string,
  levels: number[],
): Promise<FanoutResult[]> {
  const { system, receiver, sizes } = context;
  const hooks: BenchWebhook[] = [];
  const results: FanoutResult[] = [];
  for (const level of levels) {
    while (hooks.length < level) {
      const batch = Array.from({ length: Math.min(20, level - hooks.length) }, (_, i) => {
        const n = hooks.length + i;
        const path = hookPath(context, `fanout-${n}`);
        const url = `${receiver.base((n % RECEIVER_HOSTS) + 1)}${path}`;
        return subscribe(system.client, apiKey, url, 'Company', 'Create');
      });
      hooks.push(...(await Promise.all(batch)));
    }
    const events = Math.max(2, Math.round(sizes.fanoutDeliveries / level));
    const ledger = new BenchLedger();
    const load = await closedLoop(
      system.client,
      apiKey,
      (index) => sampleChange(index, 'Company', 'Create'),
      Math.min(8, events),
      600_000,
      events,
    );
    for (const eventId of load.eventIds)
      for (const hook of hooks) ledger.expect(hook.path, hook.id, eventId);
    await settle(context, `fanout-${level}`, ledger, 120_000);
    const last = Math.max(...ledger.arrivalsOf(() => true).map((a) => a.at));
    const deliveries = ledger.firstArrival.size;
    results.push({
      webhooks: level,
      events: load.eventIds.length,
      deliveriesPerSecond: deliveries / ((last - load.startedAt) / 1000),
    });
    context.log(
      `  fan-out ${level}: ${results.at(-1)!.deliveriesPerSecond.toFixed(0)} deliveries/s`,
    );
  }
  // Off, so that the next round's Company.Create events do not reach them too.
  for (let i = 0; i < hooks.length; i += 20)
    await Promise.all(
      hooks
        .slice(i, i + 20)
        .map((hook) =>
          system.client.call('PATCH', `/v1/webhooks/${hook.id}`, apiKey, { status: 'off' }),
        ),
    );
  return results;
}
