import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `webhooks.subscribed_position`: the global position of the webhook's `WebhookSubscribed` event.
 * Dispatch sends an event only to webhooks subscribed before it, so a webhook created while the
 * relay lags (Redis down, a backlog) does not receive events recorded before it existed. Existing
 * rows are filled from their streams' first event.
 */
export class WebhookSubscribedPosition1795695600000 implements MigrationInterface {
  name = 'WebhookSubscribedPosition1795695600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE webhooks ADD COLUMN subscribed_position bigint`);
    await queryRunner.query(`
      UPDATE webhooks w SET subscribed_position = e.position
        FROM events e
       WHERE e.stream = 'webhook-' || w.id::text AND e.version = 1`);
    await queryRunner.query(`ALTER TABLE webhooks ALTER COLUMN subscribed_position SET NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE webhooks DROP COLUMN subscribed_position`);
  }
}
