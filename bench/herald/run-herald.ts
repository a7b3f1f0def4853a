import { newBenchUser } from './api-client';
import { BENCH_ADMIN } from './bench-system';
import type { BenchContext } from './context';
import { measureThroughput, type ThroughputResult } from './e2e-throughput';
import { measureFanout, type FanoutResult } from './fanout';
import { measureGrowth, type GrowthLevel } from './growth';
import { measureIsolation, type IsolationResult } from './isolation';
import { measureLatency, type LatencyResult } from './latency-under-load';
import { measureMemory, type MemoryResult } from './memory';

export interface HeraldResults {
  e2e: ThroughputResult;
  latency: { quarter: LatencyResult; half: LatencyResult; high: LatencyResult };
  fanout: FanoutResult[];
  growth: GrowthLevel[];
  memory: MemoryResult;
  isolation: IsolationResult;
}

/** Figures 1–6, in one round, with a fresh user. */
export async function runHerald(context: BenchContext, deadlineMs: number): Promise<HeraldResults> {
  const { system, sizes, log } = context;
  const user = await newBenchUser(system.client, BENCH_ADMIN);
  log('  figure 1: end-to-end throughput');
  const e2e = await measureThroughput(context, 'e2e', user.apiKey, 'Contact', sizes.e2eMs);
  log(
    `  e2e ${e2e.eventsPerSecond.toFixed(0)} events/s (API accepted ${e2e.acceptedPerSecond.toFixed(0)}/s)`,
  );
  log('  figure 2: latency at 25/50/80%');
  const at = (fraction: number, label: string) =>
    measureLatency(context, user.apiKey, label, Math.max(1, e2e.eventsPerSecond * fraction));
  const latency = {
    quarter: await at(0.25, '25'),
    half: await at(0.5, '50'),
    high: await at(0.8, '80'),
  };
  log('  figure 3: fan-out');
  const fanout = await measureFanout(context, user.apiKey, sizes.fanoutLevels);
  log('  figure 4: subscription growth');
  const growth = await measureGrowth(context, user.apiKey, sizes.growthLevels);
  log('  figure 5: memory per queued delivery');
  const memory = await measureMemory(context, user.apiKey);
  log('  figure 6: isolation storm');
  const ten = fanout.find((f) => f.webhooks === 10);
  // Half of what 10 endpoints took in the fan-out figure: a load the healthy 9 can carry.
  const rate = ten ? (ten.deliveriesPerSecond * 0.5) / 10 : e2e.eventsPerSecond * 0.25;
  const isolation = await measureIsolation(context, user.apiKey, Math.max(1, rate), deadlineMs);
  return { e2e, latency, fanout, growth, memory, isolation };
}
