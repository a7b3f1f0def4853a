import { measureReceiverCapacity } from '../receiver/receiver-capacity';
import { RECEIVER_HOSTS, type Receiver } from '../receiver/receiver-client';
import type { BenchSizes } from '../sizes';
import { runR1 } from './r1-undici';
import { runR2, type R2Result } from './r2-bullmq';
import { runR3, type R3Result } from './r3-pg';

export interface ReferenceResults {
  /** Requests/s the receiver answers with a near-free client. */
  receiverPerSecond: number;
  /** R1 to one endpoint at Herald's per-endpoint in-flight cap: what one webhook could get. */
  r1PerSecond: number;
  /** R1 over the 10 endpoints at Herald's delivery concurrency: the fan-out reference. */
  r1WidePerSecond: number;
  r2: R2Result;
  r3: R3Result;
  /** C = 1 / (1/R1 + 1/R2 + 1/R3 single-row): the parts sharing one CPU, one event each. */
  compositePerSecond: number;
  /**
   * The receiver sustains < 3 × R1 (the R1, one endpoint): it, not the sender, may be what
   * R1 measures. R1 wide is compared in the results only (receiverPerSecond / r1WidePerSecond).
   */
  receiverIsBottleneck: boolean;
}

export interface HeraldLimits {
  deliveryConcurrency: number;
  maxInFlightPerEndpoint: number;
}

export async function runReferences(
  receiver: Receiver,
  urls: { redis: string; postgres: string },
  limits: HeraldLimits,
  sizes: BenchSizes,
): Promise<ReferenceResults> {
  const receiverPerSecond = await measureReceiverCapacity(receiver.port, sizes.referenceMs);
  const hosts = Array.from({ length: RECEIVER_HOSTS }, (_, i) => receiver.base(i + 1));
  const r1PerSecond = await runR1(
    hosts.slice(0, 1),
    limits.maxInFlightPerEndpoint,
    sizes.referenceMs,
  );
  const r1WidePerSecond = await runR1(
    hosts,
    Math.min(limits.deliveryConcurrency, RECEIVER_HOSTS * limits.maxInFlightPerEndpoint),
    sizes.referenceMs,
  );
  const r2 = await runR2(
    urls.redis,
    sizes.r2Jobs,
    limits.deliveryConcurrency,
    sizes.r2FootprintJobs,
  );
  const r3 = await runR3(urls.postgres, sizes.referenceMs * 2);
  return {
    receiverPerSecond,
    r1PerSecond,
    r1WidePerSecond,
    r2,
    r3,
    compositePerSecond: 1 / (1 / r1PerSecond + 1 / r2.jobsPerSecond + 1 / r3.singleRowPerSecond),
    receiverIsBottleneck: receiverPerSecond < 3 * r1PerSecond,
  };
}
