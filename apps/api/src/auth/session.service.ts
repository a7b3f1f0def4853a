import { Inject, Injectable } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';

export const SESSION_TOKEN_PREFIX = 'hrs_';

export interface IssuedSession {
  token: string;
  expiresAt: Date;
}

export interface SessionOwner {
  tokenHash: string;
  userId: string;
  email: string;
  role: 'admin' | 'user';
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Console sessions: opaque 256-bit tokens, stored only as SHA-256, valid until they expire or the
 * user logs out. Sessions are not domain events: they are short-lived credentials, not history.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly db: DataSource,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  async issue(userId: string): Promise<IssuedSession> {
    const token = SESSION_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.sessionTtlSeconds * 1000);
    await this.db.query(
      `INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)`,
      [hashSessionToken(token), userId, expiresAt],
    );
    // Expired sessions are useless; sweeping a few on each login keeps the table small without a cron.
    await this.db.query(
      `DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM sessions WHERE expires_at < now() LIMIT 100)`,
    );
    return { token, expiresAt };
  }

  async resolve(token: string): Promise<SessionOwner | null> {
    if (!token.startsWith(SESSION_TOKEN_PREFIX) || token.length > 100) return null;
    const tokenHash = hashSessionToken(token);
    const rows: { user_id: string; email: string; role: 'admin' | 'user' }[] = await this.db.query(
      `SELECT s.user_id, u.email, u.role FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.expires_at > now()`,
      [tokenHash],
    );
    const row = rows[0];
    return row ? { tokenHash, userId: row.user_id, email: row.email, role: row.role } : null;
  }

  async revoke(tokenHash: string): Promise<void> {
    await this.db.query(`DELETE FROM sessions WHERE token_hash = $1`, [tokenHash]);
  }
}
