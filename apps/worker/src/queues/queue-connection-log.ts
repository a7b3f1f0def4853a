import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DELIVERIES_QUEUE, EVENTS_QUEUE } from '@herald/queues';
import type { Queue } from 'bullmq';

/**
 * Logs a Redis outage of the worker's queues once when it starts and once when it ends, instead of
 * BullMQ's default of printing every failed reconnect to the console. Jobs are not lost meanwhile:
 * their work waits in PostgreSQL (relay checkpoint, pending deliveries).
 */
@Injectable()
export class QueueConnectionLog implements OnModuleInit {
  private readonly logger = new Logger('Queues');

  constructor(
    @InjectQueue(EVENTS_QUEUE) private readonly events: Queue,
    @InjectQueue(DELIVERIES_QUEUE) private readonly deliveries: Queue,
  ) {}

  onModuleInit(): void {
    for (const queue of [this.events, this.deliveries]) this.watch(queue);
  }

  private watch(queue: Queue): void {
    let down = false;
    queue.on('error', (error: Error) => {
      if (down) return;
      down = true;
      this.logger.warn(
        `Queue "${queue.name}" cannot reach Redis (${error.message}); reconnecting, work waits in PostgreSQL`,
      );
    });
    queue.getBackend().on('ready', () => {
      if (!down) return;
      down = false;
      this.logger.log(`Queue "${queue.name}" reconnected to Redis`);
    });
  }
}
