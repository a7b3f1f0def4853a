import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A webhook subscription as matching and the API read it, written in the same transaction as its
 * events, so a webhook turned off sends nothing more. A deleted webhook keeps its row (with
 * `deletedAt`) for deliveries and the audit trail; matching and listings skip it. The schema is the
 * migration's (`WebhooksAndDeliveries`); the check and indexes are declared here only to document it.
 */
@Entity({ name: 'webhooks' })
@Check('webhooks_status_check', `status IN ('on', 'off')`)
@Index('webhooks_matching', ['entity', 'operation'], {
  where: `status = 'on' AND deleted_at IS NULL`,
})
@Index('webhooks_owner', ['ownerId', 'createdAt', 'id'], { where: 'deleted_at IS NULL' })
export class WebhookRecord {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'owner_id' })
  ownerId!: string;

  @Column('text')
  url!: string;

  /** A catalog entity, `ApiKey` or `*`. */
  @Column('text')
  entity!: string;

  /** A catalog operation, an `ApiKey` operation or `*`. */
  @Column('text')
  operation!: string;

  @Column('text')
  status!: 'on' | 'off';

  @Column('text', { name: 'status_reason', nullable: true })
  statusReason!: 'admin' | 'owner' | 'endpoint_gone' | 'failing' | null;

  /** The signing secret, sealed (AES-256-GCM); never the plaintext. */
  @Column('text', { name: 'secret_ref' })
  secretRef!: string;

  @Column('text', { name: 'previous_secret_ref', nullable: true })
  previousSecretRef!: string | null;

  /** Until when `previousSecretRef` still signs. */
  @Column('timestamptz', { name: 'previous_valid_until', nullable: true })
  previousValidUntil!: Date | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  /** Global position of `WebhookSubscribed` (a decimal string): only later events are dispatched to it. */
  @Column('bigint', { name: 'subscribed_position' })
  subscribedPosition!: string;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;
}
