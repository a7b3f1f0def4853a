import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of users and their API keys (inline projections), and console sessions. */
export class UsersAndKeys1795695400000 implements MigrationInterface {
  name = 'UsersAndKeys1795695400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        email text NOT NULL UNIQUE,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'user')),
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX users_created_at_id ON users (created_at, id)`);
    await queryRunner.query(`
      CREATE TABLE api_key_states (
        user_id uuid PRIMARY KEY REFERENCES users (id),
        enabled boolean NOT NULL,
        key_id uuid,
        key_hash text,
        key_prefix text,
        last_regenerated_at timestamptz,
        cleared_at timestamptz,
        cleared_by uuid,
        clear_reason text CHECK (clear_reason IN ('admin', 'self'))
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX api_key_states_key_hash ON api_key_states (key_hash) WHERE key_hash IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE sessions (
        token_hash text PRIMARY KEY,
        user_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX sessions_expires_at ON sessions (expires_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE sessions`);
    await queryRunner.query(`DROP TABLE api_key_states`);
    await queryRunner.query(`DROP TABLE users`);
  }
}
