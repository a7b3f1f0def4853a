import { readFileSync } from 'node:fs';
import { sampleChange } from '../references/sample-event';
import { subscribe } from './api-client';
import { type BenchContext, hookPath, settle } from './context';
import { percentiles } from './latency';
import { BenchLedger } from './ledger';
import { closedLoop } from './load-generator';

export interface ThroughputResult {
  /** Events delivered per second while the API was saturated (the sustainable rate). */
  eventsPerSecond: number;
  acceptedPerSecond: number;
  apiP99Ms: number;
  /** Committed PostgreSQL transactions (all sessions) per delivered event: the cost model. */
  pgTransactionsPerEvent: number;
  /** Redis commands processed per delivered event (commands inside Lua scripts count too). */
  redisCommandsPerEvent: number;
  /** CPU time (user + system) of the API and of the worker process per delivered event. */
  apiCpuMsPerEvent: number;
  workerCpuMsPerEvent: number;
}

/** User + system CPU time of a process, in ms, from /proc (clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** Server-wide counters, to turn a figure into per-event costs. */
async function serverCounters(context: BenchContext) {
  const { rows } = await context.system.db.query(
    `SELECT sum(xact_commit)::bigint AS commits FROM pg_stat_database`,
  );
  const info = await context.system.redisClient.info('stats');
  return {
    apiCpuMs: cpuMs(context.system.api.pid),
    workerCpuMs: cpuMs(context.system.worker.pid),
    pgCommits: Number(rows[0].commits),
    redisCommands: Number(/total_commands_processed:(\d+)/.exec(info)![1]),
  };
}

/**
 * Figure 1 (and 4's probe): a closed loop saturates `POST /v1/entity-changes`, one matching
 * webhook; the rate is the events the receiver got 2xx for inside the loaded window (after 20%
 * warm-up). When the API outruns delivery the backlog is delivered after the window and does not
 * count, so the figure is what Herald keeps up with, not what it accepts.
 */
export async function measureThroughput(
  context: BenchContext,
  name: string,
  apiKey: string,
  entity: string,
  durationMs: number,
): Promise<ThroughputResult> {
  const { system, receiver } = context;
  const path = hookPath(context, name);
  const hook = await subscribe(
    system.client,
    apiKey,
    `${receiver.base(1)}${path}`,
    entity,
    'Update',
  );
  await receiver.setSecret(path, hook.secret);
  const ledger = new BenchLedger();
  const before = await serverCounters(context);
  const load = await closedLoop(
    system.client,
    apiKey,
    (index) => sampleChange(index, entity, 'Update'),
    context.sizes.e2eConcurrency,
    durationMs,
  );
  for (const eventId of load.eventIds) ledger.expect(path, hook.id, eventId);
  await settle(context, name, ledger);
  const after = await serverCounters(context);
  const delivered = Math.max(1, ledger.firstArrival.size);
  // Off, so that later figures' events of this entity do not reach it.
  await system.client.call('PATCH', `/v1/webhooks/${hook.id}`, apiKey, { status: 'off' });
  const windowStart = load.startedAt + durationMs * 0.2;
  const inWindow = ledger
    .arrivalsOf((p) => p === path)
    .filter((a) => a.at >= windowStart && a.at <= load.endedAt).length;
  return {
    eventsPerSecond: inWindow / ((load.endedAt - windowStart) / 1000),
    acceptedPerSecond: load.acceptedPerSecond,
    apiP99Ms: percentiles(load.api).p99Ms,
    // pg_stat_database is updated with a delay of up to a second (stats flush): an approximation.
    pgTransactionsPerEvent: (after.pgCommits - before.pgCommits) / delivered,
    redisCommandsPerEvent: (after.redisCommands - before.redisCommands) / delivered,
    apiCpuMsPerEvent: (after.apiCpuMs - before.apiCpuMs) / delivered,
    workerCpuMsPerEvent: (after.workerCpuMs - before.workerCpuMs) / delivered,
  };
}
