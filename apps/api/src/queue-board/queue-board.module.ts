import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { BullModule, InjectQueue } from '@nestjs/bullmq';
import { Logger, Module } from '@nestjs/common';
import { DELIVERIES_QUEUE, EVENTS_QUEUE } from '@herald/queues';
import type { Queue } from 'bullmq';
import { AdminSessionMiddleware } from './admin-session.middleware';

export const QUEUE_BOARD_ROUTE = '/admin/queues';

/**
 * Bull Board at /admin/queues for admins (console session): Herald's two queues. The `deliveries`
 * queue is the one QueuesModule registers; `events` is registered here only so the board can read
 * it (the API never adds to it — the worker's relay does). Both use QueuesModule's fail-fast
 * connection settings, so a Redis outage shows as an error on the board, never a hanging request.
 */
@Module({
  imports: [
    BullModule.registerQueue({ name: EVENTS_QUEUE }),
    BullBoardModule.forRoot({
      route: QUEUE_BOARD_ROUTE,
      adapter: ExpressAdapter,
      middleware: AdminSessionMiddleware,
      boardOptions: {
        uiConfig: {
          boardTitle: 'Herald queues',
          miscLinks: [{ text: 'Herald console', url: '/console' }],
        },
      },
    }),
    BullBoardModule.forFeature(
      { name: EVENTS_QUEUE, adapter: BullMQAdapter },
      { name: DELIVERIES_QUEUE, adapter: BullMQAdapter },
    ),
  ],
})
export class QueueBoardModule {
  constructor(@InjectQueue(EVENTS_QUEUE) events: Queue) {
    // Without a listener BullMQ prints every connection error; the board shows Redis trouble itself.
    const logger = new Logger(QueueBoardModule.name);
    events.on('error', (error: Error) => logger.debug(`events queue connection: ${error.message}`));
  }
}
