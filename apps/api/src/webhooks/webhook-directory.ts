import { Injectable } from '@nestjs/common';
import { canSeeWebhook, WebhookNotFound, type WebhookActor } from '@herald/domain';
import { DataSource, type EntityManager } from 'typeorm';
import {
  createdAtCursorColumn,
  createdAtCursorCondition,
  toPage,
  type Page,
} from '../common/pagination';
import type { WebhookView } from './webhook.view';

interface WebhookRow {
  id: string;
  owner_id: string;
  url: string;
  entity: string;
  operation: string;
  status: 'on' | 'off';
  status_reason: WebhookView['statusReason'];
  created_at: Date;
  updated_at: Date;
  cursor_created_at: string;
}

/** Never `secret_ref` or `previous_secret_ref`: sealed secrets stay in the table. */
const SELECT_WEBHOOKS = `
  SELECT id, owner_id, url, entity, operation, status, status_reason, created_at, updated_at,
         ${createdAtCursorColumn('created_at')} AS cursor_created_at
    FROM webhooks`;

/** Read side of webhooks: the `webhooks` projection. Deleted webhooks do not exist here. */
@Injectable()
export class WebhookDirectory {
  constructor(private readonly db: DataSource) {}

  /**
   * The webhook if it exists, is not deleted and `actor` may see it (owner or admin); else 404.
   * `db` may be a transaction's EntityManager, to read what that transaction wrote.
   */
  async getVisible(
    webhookId: string,
    actor: WebhookActor,
    db: DataSource | EntityManager = this.db,
  ): Promise<WebhookView> {
    const rows: WebhookRow[] = await db.query(
      `${SELECT_WEBHOOKS} WHERE id = $1 AND deleted_at IS NULL`,
      [webhookId],
    );
    const row = rows[0];
    if (!row || !canSeeWebhook(row.owner_id, actor)) throw new WebhookNotFound(webhookId);
    return toWebhookView(row);
  }

  /** One owner's webhooks, oldest first. */
  async listByOwner(
    ownerId: string,
    page: { limit: number; cursor?: string },
  ): Promise<Page<WebhookView>> {
    const params: unknown[] = [ownerId];
    let after = '';
    if (page.cursor) {
      after = `AND ${createdAtCursorCondition(page.cursor, params, { createdAt: 'created_at', id: 'id' }, '>')}`;
    }
    params.push(page.limit + 1);
    const rows: WebhookRow[] = await this.db.query(
      `${SELECT_WEBHOOKS} WHERE owner_id = $1 AND deleted_at IS NULL ${after}
        ORDER BY created_at, id LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, page.limit, toWebhookView, (row) => [row.cursor_created_at, row.id]);
  }
}

function toWebhookView(row: WebhookRow): WebhookView {
  return {
    id: row.id,
    ownerId: row.owner_id,
    url: row.url,
    entity: row.entity,
    operation: row.operation,
    status: row.status,
    statusReason: row.status_reason,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
