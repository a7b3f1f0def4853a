import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BULL_BOARD_ADAPTER, BULL_BOARD_INSTANCE, BullBoardModule } from '@bull-board/nestjs';
import { BullModule, InjectQueue } from '@nestjs/bullmq';
import { Inject, Logger, Module } from '@nestjs/common';
import { DELIVERIES_QUEUE, EVENTS_QUEUE } from '@herald/queues';
import type { Queue } from 'bullmq';
import { AdminSessionMiddleware } from './admin-session.middleware';
import { queueBoardErrorHandler } from './queue-board-errors';

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
  constructor(
    @InjectQueue(EVENTS_QUEUE) events: Queue,
    @Inject(BULL_BOARD_ADAPTER) adapter: ExpressAdapter,
    // Injected so that the board exists (it installs its own error handler) before this replaces it.
    @Inject(BULL_BOARD_INSTANCE) _board: unknown,
  ) {
    // While Redis is away the board's data routes answer 503, not a 500 (RFC 9110: a temporary
    // condition of a dependency). Bull Board's HTTPStatus type lacks 503; Express sends any status.
    adapter.setErrorHandler(
      queueBoardErrorHandler as Parameters<ExpressAdapter['setErrorHandler']>[0],
    );
    // Without a listener BullMQ prints every connection error; the board shows Redis trouble itself.
    const logger = new Logger(QueueBoardModule.name);
    events.on('error', (error: Error) => logger.debug(`events queue connection: ${error.message}`));
  }
}
