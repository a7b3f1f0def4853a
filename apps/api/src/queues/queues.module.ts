import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { bullmqOptions, DELIVERIES_QUEUE } from '@herald/queues';
import { DeliveryEnqueuer } from './delivery-enqueuer';

/**
 * BullMQ in the API, which only adds jobs (redeliver, replay). Unlike the worker's blocking
 * connections, the API's fails fast while Redis is away (no offline queue, one retry), so a request
 * never waits on Redis: PostgreSQL holds the work and the worker's reconciler enqueues it later.
 */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [HERALD_CONFIG],
      useFactory: (config: HeraldConfig) => {
        const options = bullmqOptions(config);
        return {
          ...options,
          connection: {
            ...options.connection,
            maxRetriesPerRequest: 1,
            enableOfflineQueue: false,
            connectTimeout: 2000,
          },
        };
      },
    }),
    BullModule.registerQueue({ name: DELIVERIES_QUEUE }),
  ],
  providers: [DeliveryEnqueuer],
  exports: [DeliveryEnqueuer],
})
export class QueuesModule {}
