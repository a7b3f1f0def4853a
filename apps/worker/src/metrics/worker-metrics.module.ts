import { Global, Module } from '@nestjs/common';
import { WorkerMetrics } from './worker-metrics';

/** One WorkerMetrics for the whole worker (the relay, dispatch and delivery record into it). */
@Global()
@Module({ providers: [WorkerMetrics], exports: [WorkerMetrics] })
export class WorkerMetricsModule {}
