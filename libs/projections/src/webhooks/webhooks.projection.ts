import type {
  WebhookDeleted,
  WebhookSecretRotated,
  WebhookStatusChanged,
  WebhookSubscribed,
  WebhookUpdated,
} from '@herald/domain';
import type { RecordedEvent } from '@herald/event-store';
import type { EntityManager } from 'typeorm';
import type { RebuildableProjection } from '../rebuildable-projection';
import { WebhookRecord } from './webhook.record';

type ProjectedEvent =
  | RecordedEvent<'WebhookSubscribed', WebhookSubscribed['data']>
  | RecordedEvent<'WebhookUpdated', WebhookUpdated['data']>
  | RecordedEvent<'WebhookStatusChanged', WebhookStatusChanged['data']>
  | RecordedEvent<'WebhookSecretRotated', WebhookSecretRotated['data']>
  | RecordedEvent<'WebhookDeleted', WebhookDeleted['data']>;

/**
 * `webhooks`: one row per subscription, its current URL, filter, status and sealed secrets.
 * Timestamps come from the events' `recordedAt` only, so a rebuild produces identical rows.
 * `WebhookPinged` changes nothing here and is not handled.
 */
export const webhooksProjection: RebuildableProjection = {
  name: 'webhooks',
  tables: ['webhooks'],
  handles: [
    'WebhookSubscribed',
    'WebhookUpdated',
    'WebhookStatusChanged',
    'WebhookSecretRotated',
    'WebhookDeleted',
  ],
  async apply(events: readonly RecordedEvent[], tx: EntityManager): Promise<void> {
    const repository = tx.getRepository(WebhookRecord);
    for (const event of events as readonly ProjectedEvent[]) {
      const updatedAt = event.recordedAt;
      switch (event.type) {
        case 'WebhookSubscribed': {
          const { webhookId, ownerId, url, entity, operation, status, secretRef } = event.data;
          await repository.insert({
            id: webhookId,
            ownerId,
            url,
            entity,
            operation,
            status,
            statusReason: null,
            secretRef,
            previousSecretRef: null,
            previousValidUntil: null,
            createdAt: event.recordedAt,
            subscribedPosition: event.position.toString(),
            updatedAt,
            deletedAt: null,
          });
          break;
        }
        case 'WebhookUpdated': {
          const { url, entity, operation } = event.data.changes;
          await repository.update(
            { id: event.data.webhookId },
            {
              ...(url !== undefined && { url }),
              ...(entity !== undefined && { entity }),
              ...(operation !== undefined && { operation }),
              updatedAt,
            },
          );
          break;
        }
        case 'WebhookStatusChanged':
          await repository.update(
            { id: event.data.webhookId },
            { status: event.data.status, statusReason: event.data.reason, updatedAt },
          );
          break;
        case 'WebhookSecretRotated':
          await repository.update(
            { id: event.data.webhookId },
            {
              secretRef: event.data.secretRef,
              previousSecretRef: event.data.previousSecretRef,
              previousValidUntil: new Date(event.data.previousValidUntil),
              updatedAt,
            },
          );
          break;
        case 'WebhookDeleted':
          await repository.update(
            { id: event.data.webhookId },
            { deletedAt: event.recordedAt, updatedAt },
          );
          break;
      }
    }
  },
};
