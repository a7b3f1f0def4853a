import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  createdAtCursorColumn,
  createdAtCursorCondition,
  toPage,
  type Page,
} from '../common/pagination';
import { ProblemException } from '../common/problem.exception';
import type {
  DeliveryAttemptView,
  DeliveryDetailView,
  DeliveryStatus,
  DeliveryView,
} from './delivery.view';

interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_id: string;
  type: string;
  status: DeliveryStatus;
  reason: string | null;
  attempt_count: number;
  next_attempt_at: Date | null;
  created_at: Date;
  updated_at: Date;
  cursor_created_at: string;
}

interface AttemptRow {
  number: number;
  started_at: Date;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  response_body: string;
}

const SELECT_DELIVERIES = `
  SELECT id, webhook_id, event_id, type, status, reason, attempt_count, next_attempt_at,
         created_at, updated_at,
         ${createdAtCursorColumn('created_at')} AS cursor_created_at
    FROM deliveries`;

/** Read side of deliveries and their attempts. The caller has checked it may see the webhook. */
@Injectable()
export class DeliveryDirectory {
  constructor(private readonly db: DataSource) {}

  /** A webhook's deliveries, newest first. */
  async list(
    webhookId: string,
    filter: { status?: DeliveryStatus; limit: number; cursor?: string },
  ): Promise<Page<DeliveryView>> {
    const params: unknown[] = [webhookId];
    const conditions = ['webhook_id = $1'];
    if (filter.status) {
      params.push(filter.status);
      conditions.push(`status = $${params.length}`);
    }
    if (filter.cursor) {
      conditions.push(
        createdAtCursorCondition(filter.cursor, params, { createdAt: 'created_at', id: 'id' }, '<'),
      );
    }
    params.push(filter.limit + 1);
    const rows: DeliveryRow[] = await this.db.query(
      `${SELECT_DELIVERIES} WHERE ${conditions.join(' AND ')}
        ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, filter.limit, toDeliveryView, (row) => [row.cursor_created_at, row.id]);
  }

  /** One delivery of the webhook with its attempts (oldest first); 404 when it is not the webhook's. */
  async get(webhookId: string, deliveryId: string): Promise<DeliveryDetailView> {
    const rows: DeliveryRow[] = await this.db.query(
      `${SELECT_DELIVERIES} WHERE id = $1 AND webhook_id = $2`,
      [deliveryId, webhookId],
    );
    if (!rows[0]) throw deliveryNotFound(deliveryId);
    const attempts: AttemptRow[] = await this.db.query(
      `SELECT * FROM (
         SELECT number, started_at, duration_ms, status_code, error, response_body
           FROM delivery_attempts WHERE delivery_id = $1 ORDER BY number DESC LIMIT $2
       ) latest ORDER BY number`,
      [deliveryId, MAX_ATTEMPTS_SHOWN],
    );
    return { ...toDeliveryView(rows[0]), attempts: attempts.map(toAttemptView) };
  }
}

/** Attempts shown with a delivery: the latest ones (each keeps up to 64 KiB of response). */
export const MAX_ATTEMPTS_SHOWN = 50;

export function deliveryNotFound(deliveryId: string): ProblemException {
  return ProblemException.notFound(`No delivery ${deliveryId} for this webhook`);
}

function toDeliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    type: row.type,
    status: row.status,
    reason: row.reason,
    attemptCount: row.attempt_count,
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toAttemptView(row: AttemptRow): DeliveryAttemptView {
  return {
    number: row.number,
    startedAt: row.started_at.toISOString(),
    durationMs: row.duration_ms,
    statusCode: row.status_code,
    error: row.error,
    responseBody: row.response_body,
  };
}
