import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Per-user API key state, written in the same transaction as the key events, so a regenerated or
 * cleared key fails on the very next request. Only the SHA-256 of the key is kept.
 */
@Entity({ name: 'api_key_states' })
export class ApiKeyStateRecord {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  @Column('boolean')
  enabled!: boolean;

  @Column('uuid', { name: 'key_id', nullable: true })
  keyId!: string | null;

  @Index({ unique: true, where: 'key_hash IS NOT NULL' })
  @Column('text', { name: 'key_hash', nullable: true })
  keyHash!: string | null;

  @Column('text', { name: 'key_prefix', nullable: true })
  keyPrefix!: string | null;

  @Column('timestamptz', { name: 'last_regenerated_at', nullable: true })
  lastRegeneratedAt!: Date | null;

  @Column('timestamptz', { name: 'cleared_at', nullable: true })
  clearedAt!: Date | null;

  @Column('uuid', { name: 'cleared_by', nullable: true })
  clearedBy!: string | null;

  @Column('text', { name: 'clear_reason', nullable: true })
  clearReason!: 'admin' | 'self' | null;
}
