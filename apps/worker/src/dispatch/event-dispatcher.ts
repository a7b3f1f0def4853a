import { preparedQuery } from '@herald/event-store';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { toMatchable, webhookEventType, type WebhookPingedData } from '@herald/domain';
import { logEntry } from '@herald/observability';
import { DELIVERIES_QUEUE, enqueueDeliveries, type DeliveryJobData } from '@herald/queues';
import { UnrecoverableError, type Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { isDeliverableEvent } from './deliverable-event';
import { recordDispatch } from './record-dispatch';
import { matchingWebhooks, pingedWebhook, type WebhookTarget } from './webhook-targets';

export { OWNER_API_ACCESS_OFF } from './record-dispatch';

export interface DispatchResult {
  /** Delivery rows this run created (0 on a re-run). */
  created: number;
  /** Pending deliveries of the event handed to the `deliveries` queue (new or not). */
  enqueued: number;
}

interface StoredEvent {
  id: string;
  /** Global position, a decimal string (int8). */
  position: string;
  type: string;
  data: unknown;
  /** `metadata.correlationId`: the request that caused the event, for the logs. */
  correlation_id: string | null;
}

/**
 * Fans one event out into deliveries (docs/delivery-contract.md, "Dispatch").
 *
 * Guarantees:
 * - One delivery row per matching webhook and event, never two (unique (event_id, webhook_id),
 *   inserted with ON CONFLICT DO NOTHING); the rows and the `event_dispatches` mark commit together,
 *   so a dispatched event has all its rows.
 * - Every pending delivery of the event is then (re-)enqueued with its fixed job id, and with the
 *   delay still left until its `next_attempt_at`: running dispatch again creates and sends nothing
 *   new, and it recovers jobs lost between the commit and the enqueue.
 */
@Injectable()
export class EventDispatcher {
  private readonly logger = new Logger('Dispatch');

  constructor(
    private readonly db: DataSource,
    @InjectQueue(DELIVERIES_QUEUE) private readonly deliveries: Queue<DeliveryJobData>,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly metrics: WorkerMetrics,
  ) {}

  async dispatch(eventId: string): Promise<DispatchResult> {
    const event = await this.loadEvent(eventId);
    const type = webhookEventType(event);
    const targets = isDeliverableEvent(event) && type !== null ? await this.targetsOf(event) : [];
    // An event with nothing to send (no targets) is still marked dispatched.
    const { created, skipped, pending } = await recordDispatch(
      this.db,
      event.id,
      type ?? event.type,
      targets,
    );
    this.metrics.deliveriesCreated.inc(created);
    if (skipped > 0) this.metrics.deliveries.inc({ outcome: 'skipped' }, skipped);
    await enqueueDeliveries(this.deliveries, pending, this.config.retryScheduleSeconds.length);
    if (created > 0 || pending.length > 0) {
      this.logger.log(
        logEntry(
          `Event ${event.id} (${type}): ${created} deliveries created${skipped > 0 ? ` (${skipped} skipped: owner's API access off)` : ''}, ${pending.length} enqueued`,
          {
            eventId: event.id,
            correlationId: event.correlation_id,
            created,
            enqueued: pending.length,
          },
        ),
      );
    } else {
      this.logger.debug(
        logEntry(`Event ${event.id} (${event.type}): no webhook to deliver to`, {
          eventId: event.id,
          correlationId: event.correlation_id,
        }),
      );
    }
    return { created, enqueued: pending.length };
  }

  private async loadEvent(eventId: string): Promise<StoredEvent> {
    const rows = await preparedQuery<StoredEvent>(
      this.db,
      `SELECT id, position, type, data, metadata->>'correlationId' AS correlation_id
         FROM events WHERE id = $1`,
      [eventId],
    );
    // Only the relay and the reconciler queue dispatches, for recorded events; retrying cannot help.
    if (!rows[0]) throw new UnrecoverableError(`event ${eventId} does not exist`);
    return rows[0];
  }

  private targetsOf(event: StoredEvent): Promise<WebhookTarget[]> {
    if (event.type === 'WebhookPinged') {
      return pingedWebhook(this.db, (event.data as WebhookPingedData).webhookId);
    }
    const matchable = toMatchable(event);
    return matchable ? matchingWebhooks(this.db, matchable, event.position) : Promise.resolve([]);
  }
}
