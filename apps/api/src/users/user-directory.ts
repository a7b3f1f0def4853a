import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  createdAtCursorColumn,
  createdAtCursorCondition,
  toPage,
  type Page,
} from '../common/pagination';
import type { UserView } from './user.view';

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'user';
  created_at: Date;
  cursor_created_at: string;
  enabled: boolean | null;
  key_prefix: string | null;
  last_regenerated_at: Date | null;
  cleared_at: Date | null;
}

const SELECT_USERS = `
  SELECT u.id, u.email, u.name, u.role, u.created_at,
         ${createdAtCursorColumn('u.created_at')} AS cursor_created_at,
         k.enabled, k.key_prefix, k.last_regenerated_at, k.cleared_at
    FROM users u LEFT JOIN api_key_states k ON k.user_id = u.id`;

export interface UserListFilter {
  apiAccess?: 'enabled' | 'disabled';
  limit: number;
  cursor?: string;
}

/** Read side of users: the `users` and `api_key_states` projections joined into the API's user view. */
@Injectable()
export class UserDirectory {
  constructor(private readonly db: DataSource) {}

  async findById(userId: string): Promise<UserView | null> {
    const rows: UserRow[] = await this.db.query(`${SELECT_USERS} WHERE u.id = $1`, [userId]);
    return rows[0] ? toUserView(rows[0]) : null;
  }

  async list(filter: UserListFilter): Promise<Page<UserView>> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (filter.apiAccess) {
      params.push(filter.apiAccess === 'enabled');
      conditions.push(`coalesce(k.enabled, false) = $${params.length}`);
    }
    if (filter.cursor) {
      conditions.push(
        createdAtCursorCondition(
          filter.cursor,
          params,
          { createdAt: 'u.created_at', id: 'u.id' },
          '>',
        ),
      );
    }
    params.push(filter.limit + 1);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows: UserRow[] = await this.db.query(
      `${SELECT_USERS} ${where} ORDER BY u.created_at, u.id LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, filter.limit, toUserView, (row) => [row.cursor_created_at, row.id]);
  }

  async emailTaken(email: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM users WHERE email = $1`, [email]);
    return rows.length > 0;
  }
}

function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    apiAccess: {
      enabled: row.enabled ?? false,
      keyPrefix: row.enabled ? row.key_prefix : null,
      lastRegeneratedAt: row.last_regenerated_at?.toISOString() ?? null,
      clearedAt: row.cleared_at?.toISOString() ?? null,
    },
    createdAt: row.created_at.toISOString(),
  };
}
