import type { KeyCleared, KeyRegenerated, UserCreated } from '@herald/domain';
import type { RecordedEvent } from '@herald/event-store';
import type { EntityManager } from 'typeorm';
import type { RebuildableProjection } from '../rebuildable-projection';
import { ApiKeyStateRecord } from './api-key-state.record';

type KeyEvent =
  | RecordedEvent<'UserCreated', UserCreated['data']>
  | RecordedEvent<'KeyRegenerated', KeyRegenerated['data']>
  | RecordedEvent<'KeyCleared', KeyCleared['data']>;

/**
 * `api_key_states`: one row per user, the key that authenticates as them right now (if any). A
 * regeneration replaces the hash, so the previous key stops matching in the same transaction.
 */
export const apiKeyStateProjection: RebuildableProjection = {
  name: 'api_key_states',
  tables: ['api_key_states'],
  handles: ['UserCreated', 'KeyRegenerated', 'KeyCleared'],
  async apply(events: readonly RecordedEvent[], tx: EntityManager): Promise<void> {
    const repository = tx.getRepository(ApiKeyStateRecord);
    for (const event of events as readonly KeyEvent[]) {
      switch (event.type) {
        case 'UserCreated':
          await repository.insert({ userId: event.data.userId, enabled: false });
          break;
        case 'KeyRegenerated':
          await repository.update(
            { userId: event.data.userId },
            {
              enabled: true,
              keyId: event.data.keyId,
              keyHash: event.data.keyHash,
              keyPrefix: event.data.keyPrefix,
              lastRegeneratedAt: event.recordedAt,
              clearedAt: null,
              clearedBy: null,
              clearReason: null,
            },
          );
          break;
        case 'KeyCleared':
          await repository.update(
            { userId: event.data.userId },
            {
              enabled: false,
              keyHash: null,
              clearedAt: event.recordedAt,
              clearedBy: event.data.clearedBy,
              clearReason: event.data.reason,
            },
          );
          break;
      }
    }
  },
};
