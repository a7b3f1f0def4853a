import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { heraldLoggerParams } from '@herald/observability';
import { LoggerModule } from 'nestjs-pino';
import { AdminModule } from './admin/admin.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuthModule } from './auth/auth.module';
import { AuthGuard } from './auth/auth.guard';
import { ConsoleModule } from './console/console.module';
import { LoginModule } from './auth/login.module';
import { ProblemDetailsFilter } from './common/problem-details.filter';
import { DatabaseModule } from '@herald/projections';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { EntityChangesModule } from './entity-changes/entity-changes.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { QueueBoardModule } from './queue-board/queue-board.module';
import { QueuesModule } from './queues/queues.module';
import { RedisModule } from './redis/redis.module';
import { UsersModule } from './users/users.module';
import { WebhooksModule } from './webhooks/webhooks.module';

export interface AppModuleOptions {
  /**
   * false: no logger module at all (tests that pass `logger: false`), so no request is logged and
   * nestjs-pino's process-wide root logger is left to an app that logs.
   */
  logging?: boolean;
}

@Module({})
export class AppModule {
  static forRoot(config: HeraldConfig, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        // createApp mounts the request logger itself, first (see createRequestLogger).
        ...(options.logging === false
          ? []
          : [LoggerModule.forRoot(heraldLoggerParams(config, { requestLoggerMounted: true }))]),
        CqrsModule.forRoot(),
        DatabaseModule.forRoot({ runMigrations: true }),
        RedisModule,
        QueuesModule,
        AuthModule,
        LoginModule,
        UsersModule,
        ApiKeysModule,
        WebhooksModule,
        DeliveriesModule,
        EntityChangesModule,
        AdminModule,
        HealthModule,
        MetricsModule,
        ConsoleModule,
        QueueBoardModule,
      ],
      providers: [
        { provide: HERALD_CONFIG, useValue: config },
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
      exports: [HERALD_CONFIG],
    };
  }
}
