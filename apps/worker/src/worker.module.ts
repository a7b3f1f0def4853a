import { type DynamicModule, Module } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { DatabaseModule } from '@herald/projections';
import { WorkerReadiness } from './health/worker-readiness';
import { WorkerRedisModule } from './redis/worker-redis.module';

/** The worker: a headless Nest application context (no HTTP API). Its processors come with the relay and delivery. */
@Module({})
export class WorkerModule {
  static forRoot(config: HeraldConfig): DynamicModule {
    return {
      module: WorkerModule,
      global: true,
      imports: [DatabaseModule.forRoot({ runMigrations: false }), WorkerRedisModule],
      providers: [{ provide: HERALD_CONFIG, useValue: config }, WorkerReadiness],
      exports: [HERALD_CONFIG],
    };
  }
}
