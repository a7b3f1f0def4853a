import type { UserCreated } from '@herald/domain';
import type { RecordedEvent } from '@herald/event-store';
import type { EntityManager } from 'typeorm';
import type { RebuildableProjection } from '../rebuildable-projection';
import { UserRecord } from './user.record';

/** The `users` table: one row per UserCreated. A duplicate email violates its unique index and rolls the append back. */
export const usersProjection: RebuildableProjection = {
  name: 'users',
  tables: ['users'],
  handles: ['UserCreated'],
  async apply(events: readonly RecordedEvent[], tx: EntityManager): Promise<void> {
    const rows = events.map((event) => {
      const { data } = event as RecordedEvent<'UserCreated', UserCreated['data']>;
      return {
        id: data.userId,
        email: data.email,
        name: data.name,
        role: data.role,
        passwordHash: data.passwordHash,
        createdAt: event.recordedAt,
      };
    });
    await tx.insert(UserRecord, rows);
  },
};
