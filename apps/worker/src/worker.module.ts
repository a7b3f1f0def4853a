import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { heraldLoggerParams } from '@herald/observability';
import { DatabaseModule } from '@herald/projections';
import { DeliveryModule } from './delivery/delivery.module';
import { DispatchModule } from './dispatch/dispatch.module';
import { WorkerReadiness } from './health/worker-readiness';
import { WorkerMetricsModule } from './metrics/worker-metrics.module';
import { QueueProcessors } from './queues/queue-processors';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { QueuesModule } from './queues/queues.module';
import { LoggerModule } from 'nestjs-pino';
import { ReconcilerModule } from './reconciler/reconciler.module';
import { WorkerRedisModule } from './redis/worker-redis.module';
import { RelayModule } from './relay/relay.module';

/**
 * The worker: a headless Nest application context (no HTTP API). The relay moves committed events
 * to the `events` queue, dispatch fans them out into deliveries, delivery sends them, and the
 * reconciler re-enqueues whatever Redis lost. QueueProcessors fails the start unless each queue has
 * exactly one processor, and closes the workers first at shutdown. Logs are JSON lines (nestjs-pino's
 * Logger, installed by createWorker) and metrics are served on the health port.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: HeraldConfig): DynamicModule {
    return {
      module: WorkerModule,
      global: true,
      imports: [
        LoggerModule.forRoot(heraldLoggerParams(config)),
        DiscoveryModule,
        DatabaseModule.forRoot({ runMigrations: false }),
        WorkerRedisModule,
        QueuesModule,
        WorkerMetricsModule,
        RelayModule,
        DispatchModule,
        DeliveryModule,
        ReconcilerModule,
        MaintenanceModule,
      ],
      providers: [{ provide: HERALD_CONFIG, useValue: config }, WorkerReadiness, QueueProcessors],
      exports: [HERALD_CONFIG],
    };
  }
}
