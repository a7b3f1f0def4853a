import { preparedQuery } from '@herald/event-store';
import { Injectable } from '@nestjs/common';
import { constantTimeEqualHex, hasValidApiKeyShape, hashApiKey } from '@herald/domain';
import { DataSource } from 'typeorm';
import type { Principal } from './principal';

/**
 * Resolves an API key to its owner. Only the SHA-256 is stored and looked up; the key is valid only
 * while it is the owner's current one and API access is enabled — the projection behind this query
 * is written in the same transaction as each regeneration or clear, so the answer is never stale.
 */
@Injectable()
export class ApiKeyAuthenticator {
  constructor(private readonly db: DataSource) {}

  async authenticate(apiKey: string): Promise<Principal | null> {
    if (!hasValidApiKeyShape(apiKey)) return null;
    const keyHash = hashApiKey(apiKey);
    const rows: { user_id: string; email: string; role: 'admin' | 'user'; key_hash: string }[] =
      await preparedQuery(
        this.db,
        `SELECT k.user_id, k.key_hash, u.email, u.role FROM api_key_states k JOIN users u ON u.id = k.user_id
        WHERE k.key_hash = $1 AND k.enabled`,
        [keyHash],
      );
    const row = rows[0];
    if (!row || !constantTimeEqualHex(row.key_hash, keyHash)) return null;
    return { userId: row.user_id, email: row.email, role: row.role, via: 'api_key' };
  }
}
