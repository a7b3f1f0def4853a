import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { bullmqOptions, DELIVERIES_QUEUE, EVENTS_QUEUE } from '@herald/queues';
import { QueueConnectionLog } from './queue-connection-log';

/**
 * BullMQ on the configured Redis, with Herald's two queues registered for injection (`@InjectQueue`)
 * and their Redis outages logged once (QueueConnectionLog).
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [HERALD_CONFIG],
      useFactory: (config: HeraldConfig) => bullmqOptions(config),
    }),
    BullModule.registerQueue({ name: EVENTS_QUEUE }, { name: DELIVERIES_QUEUE }),
  ],
  providers: [QueueConnectionLog],
  exports: [BullModule],
})
export class QueuesModule {}
