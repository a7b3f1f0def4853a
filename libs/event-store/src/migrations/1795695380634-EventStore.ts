import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event log, the per-stream version table that serialises appends to one stream, and the
 * relay's checkpoint table.
 *
 * `events.transaction_id` (xid8, 64-bit so it never wraps) is what lets readAll return events in
 * commit order without skipping late committers; `position` alone has gaps and is handed out
 * before commit. Constraint names are fixed because the store maps violations by name.
 */
export class EventStore1795695380634 implements MigrationInterface {
  name = 'EventStore1795695380634';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE events (
        position       bigserial   NOT NULL,
        id             uuid        NOT NULL,
        stream         text        NOT NULL,
        version        integer     NOT NULL,
        type           text        NOT NULL,
        data           jsonb       NOT NULL,
        metadata       jsonb       NOT NULL,
        recorded_at    timestamptz NOT NULL DEFAULT now(),
        transaction_id xid8        NOT NULL DEFAULT pg_current_xact_id(),
        CONSTRAINT events_pkey PRIMARY KEY (position),
        CONSTRAINT events_id_key UNIQUE (id),
        CONSTRAINT events_stream_version_key UNIQUE (stream, version),
        CONSTRAINT events_version_positive CHECK (version > 0)
      )`);
    await queryRunner.query(
      `CREATE INDEX events_transaction_id_position_idx ON events (transaction_id, position)`,
    );
    await queryRunner.query(`CREATE INDEX events_recorded_at_idx ON events (recorded_at)`);
    await queryRunner.query(`CREATE INDEX events_type_idx ON events (type)`);

    await queryRunner.query(`
      CREATE TABLE streams (
        stream  text    NOT NULL,
        version integer NOT NULL,
        CONSTRAINT streams_pkey PRIMARY KEY (stream),
        CONSTRAINT streams_version_not_negative CHECK (version >= 0)
      )`);

    await queryRunner.query(`
      CREATE TABLE relay_checkpoints (
        name           text        NOT NULL,
        transaction_id xid8        NOT NULL,
        position       bigint      NOT NULL,
        updated_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT relay_checkpoints_pkey PRIMARY KEY (name)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE relay_checkpoints`);
    await queryRunner.query(`DROP TABLE streams`);
    await queryRunner.query(`DROP TABLE events`);
  }
}
