import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook subscriptions (an inline projection, indexed for matching), deliveries and their attempts
 * (the source of truth for what still has to be delivered), idempotency records of entity-change
 * requests, and the dispatcher's record of which events it has fanned out.
 */
export class WebhooksAndDeliveries1795695500000 implements MigrationInterface {
  name = 'WebhooksAndDeliveries1795695500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY,
        owner_id uuid NOT NULL,
        url text NOT NULL,
        entity text NOT NULL,
        operation text NOT NULL,
        status text NOT NULL CHECK (status IN ('on', 'off')),
        status_reason text,
        secret_ref text NOT NULL,
        previous_secret_ref text,
        previous_valid_until timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        deleted_at timestamptz
      )`);
    // Matching reads only subscriptions that are on, by (entity, operation) with '*' as a wildcard:
    // its cost follows the number of matches, not the number of subscriptions.
    await queryRunner.query(
      `CREATE INDEX webhooks_matching ON webhooks (entity, operation) WHERE status = 'on' AND deleted_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX webhooks_owner ON webhooks (owner_id, created_at, id) WHERE deleted_at IS NULL`,
    );

    await queryRunner.query(`
      CREATE TABLE deliveries (
        id uuid PRIMARY KEY,
        event_id uuid NOT NULL REFERENCES events (id),
        webhook_id uuid NOT NULL,
        type text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'exhausted', 'skipped')),
        reason text,
        attempt_count integer NOT NULL DEFAULT 0,
        generation integer NOT NULL DEFAULT 1,
        -- Attempts recorded in the current round (generation): the position in the retry schedule.
        -- Survives a job re-created in Redis; reset to 0 by whatever starts a new round.
        round_attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT deliveries_event_webhook_key UNIQUE (event_id, webhook_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX deliveries_webhook ON deliveries (webhook_id, created_at DESC, id DESC)`,
    );

    await queryRunner.query(`
      CREATE TABLE delivery_attempts (
        delivery_id uuid NOT NULL REFERENCES deliveries (id),
        number integer NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms integer NOT NULL,
        status_code integer,
        error text,
        response_body text NOT NULL DEFAULT '',
        PRIMARY KEY (delivery_id, number)
      )`);

    await queryRunner.query(`
      CREATE TABLE webhook_failures (
        webhook_id uuid PRIMARY KEY,
        failing_since timestamptz NOT NULL,
        -- The latest failure: a failure later than the retry schedule's longest gap starts a new run.
        last_failed_at timestamptz NOT NULL
      )`);

    await queryRunner.query(`
      CREATE TABLE idempotency_keys (
        user_id uuid NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`);
    await queryRunner.query(
      `CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at)`,
    );

    await queryRunner.query(`
      CREATE TABLE event_dispatches (
        event_id uuid PRIMARY KEY REFERENCES events (id),
        dispatched_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'event_dispatches',
      'idempotency_keys',
      'webhook_failures',
      'delivery_attempts',
      'deliveries',
      'webhooks',
    ]) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
