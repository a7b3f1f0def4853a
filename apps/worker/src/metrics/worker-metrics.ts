import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { SendWebhookResult } from '@herald/delivery';
import { createMetricsRegistry, registerQueueDepth, registerRelayLag } from '@herald/observability';
import { DELIVERIES_QUEUE, EVENTS_QUEUE } from '@herald/queues';
import type { Queue } from 'bullmq';
import { Counter, Histogram, type Registry } from 'prom-client';
import { DataSource } from 'typeorm';

/** How one attempt went, as `herald_delivery_attempts_total{outcome}` counts it. */
export type AttemptOutcome =
  'success' | 'gone' | 'http_error' | 'timeout' | 'network_error' | 'blocked';

/** Where a delivery ended, as `herald_deliveries_total{outcome}` counts it. */
export type DeliveryOutcome = 'succeeded' | 'exhausted' | 'skipped';

/** Why the worker turned a webhook off (`herald_webhooks_disabled_total{reason}`). */
export type DisableReason = 'endpoint_gone' | 'failing';

/** The attempt's outcome label: the receiver's answer class, or what kept it from answering. */
export function attemptOutcome(
  result: Pick<SendWebhookResult, 'statusCode' | 'error'>,
): AttemptOutcome {
  const { statusCode, error } = result;
  if (error !== null || statusCode === null) {
    if (error === null) return 'network_error';
    if (error === 'timeout' || error === 'connect timeout') return 'timeout';
    if (error.startsWith('ssrf:')) return 'blocked';
    return 'network_error';
  }
  if (statusCode >= 200 && statusCode < 300) return 'success';
  return statusCode === 410 ? 'gone' : 'http_error';
}

/**
 * The worker's Prometheus metrics, served on its health port (`GET /metrics`): what the relay,
 * dispatch and delivery did (counters and the delivery latency histogram), plus the same queue
 * depths and relay lag as the API's and Node.js process metrics. One registry per worker instance.
 */
@Injectable()
export class WorkerMetrics {
  readonly registry: Registry = createMetricsRegistry();

  readonly eventsRelayed = new Counter({
    name: 'herald_events_relayed_total',
    help: 'Deliverable events the relay put on the events queue',
    registers: [this.registry],
  });

  readonly deliveriesCreated = new Counter({
    name: 'herald_deliveries_created_total',
    help: 'Delivery rows dispatch created (one per matching webhook and event; those of owners without API access are created skipped)',
    registers: [this.registry],
  });

  readonly deliveries = new Counter({
    name: 'herald_deliveries_total',
    help: 'Deliveries that reached a final state, by outcome (succeeded, exhausted, skipped)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly attempts = new Counter({
    name: 'herald_delivery_attempts_total',
    help: 'Delivery attempts by outcome (success, gone, http_error, timeout, network_error, blocked)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly attemptDuration = new Histogram({
    name: 'herald_delivery_attempt_duration_seconds',
    help: 'Duration of one delivery attempt, from the request to the end of the answer or the failure',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60],
    registers: [this.registry],
  });

  readonly deliveryLatency = new Histogram({
    name: 'herald_delivery_latency_seconds',
    help: "Time from an event's commit to the receiver's successful answer (first round of each delivery, retries included)",
    buckets: [
      0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200, 21600, 86400,
    ],
    registers: [this.registry],
  });

  readonly webhooksDisabled = new Counter({
    name: 'herald_webhooks_disabled_total',
    help: 'Webhooks the worker turned off, by reason (endpoint_gone: 410; failing: failed for too long)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor(
    @InjectQueue(EVENTS_QUEUE) events: Queue,
    @InjectQueue(DELIVERIES_QUEUE) deliveries: Queue,
    db: DataSource,
  ) {
    registerQueueDepth(this.registry, [events, deliveries]);
    registerRelayLag(this.registry, db);
  }
}
