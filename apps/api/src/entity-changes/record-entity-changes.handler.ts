import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import {
  decideRecordEntityChange,
  entityStream,
  InvalidInput,
  type EntityChanged,
} from '@herald/domain';
import type { AppendResult, NewEvent, TransactionalEventStore } from '@herald/event-store';
import { EVENT_STORE } from '@herald/projections';
import type { EntityManager } from 'typeorm';
import { eventMetadata } from '../common/command-context';
import { problem, type FieldError } from '../common/problem';
import { ProblemException } from '../common/problem.exception';
import { configuredCatalog } from '../webhooks/webhook-rules';
import { joinField } from './entity-changes-body.pipe';
import type { RecordedEntityChangeView, RecordedEntityChangesView } from './entity-changes.view';
import { requestFingerprint } from './idempotency-key.decorator';
import {
  RecordEntityChangesCommand,
  type RecordedEntityChanges,
} from './record-entity-changes.command';

type Appender = (stream: string, events: NewEvent[]) => Promise<AppendResult>;

const ANY = { expectedVersion: 'any' } as const;

/** The indexes of the decided events, by the entity stream they go to. */
function groupByStream(decided: readonly EntityChanged[]): Map<string, number[]> {
  const byStream = new Map<string, number[]>();
  decided.forEach((event, index) => {
    const stream = entityStream(event.data.entity, event.data.entityId);
    byStream.set(stream, [...(byStream.get(stream) ?? []), index]);
  });
  return byStream;
}

/**
 * Appends one EntityChanged per reported change, all in ONE transaction: the whole batch is
 * recorded or nothing is.
 *
 * Idempotency: the `idempotency_keys` row is inserted first in that same transaction. Of two
 * requests racing with the same key, the second one's insert waits for the first to commit, then
 * conflicts and reads the stored response; so a key appends at most one set of events, and a
 * request whose transaction fails leaves its key unused.
 *
 * A request without a key whose changes all go to one entity is a single append (one statement,
 * `EventStore.append`): there is nothing else to commit with it.
 *
 * Streams are written in name order, so concurrent batches lock `streams` rows in one order and
 * cannot deadlock; within one stream the request's order is kept.
 */
@CommandHandler(RecordEntityChangesCommand)
export class RecordEntityChangesHandler implements ICommandHandler<RecordEntityChangesCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly events: TransactionalEventStore<EntityManager>,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  async execute(command: RecordEntityChangesCommand): Promise<RecordedEntityChanges> {
    const decided = this.decide(command);
    const { userId, idempotencyKey: key } = command;
    const byStream = groupByStream(decided);
    if (key === null && byStream.size === 1) {
      // Nothing else to write with it: one append, committed as one statement.
      const append: Appender = (stream, events) => this.events.append(stream, events, ANY);
      return { response: await this.append(append, decided, byStream, command), replayed: false };
    }

    return this.events.transaction(async (tx) => {
      if (key !== null) {
        // Only a keyed request is compared with an earlier one.
        const fingerprint = requestFingerprint(command.batch.raw);
        const claimed: unknown[] = await tx.query(
          `INSERT INTO idempotency_keys (user_id, key, request_hash, response)
           VALUES ($1, $2, $3, '{}'::jsonb)
           ON CONFLICT (user_id, key) DO NOTHING RETURNING key`,
          [userId, key, fingerprint],
        );
        if (claimed.length === 0) return this.storedResponse(tx, userId, key, fingerprint);
      }
      const append: Appender = (stream, events) =>
        this.events.appendInTransaction(tx, stream, events, ANY);
      const response = await this.append(append, decided, byStream, command);
      if (key !== null) {
        await tx.query(
          `UPDATE idempotency_keys SET response = $3 WHERE user_id = $1 AND key = $2`,
          [userId, key, JSON.stringify(response)],
        );
      }
      return { response, replayed: false };
    });
  }

  /** Every item decided up front; all their problems in one 422, fields named per item. */
  private decide(command: RecordEntityChangesCommand): EntityChanged[] {
    const catalog = configuredCatalog(this.config);
    const now = new Date();
    const errors: FieldError[] = [];
    const decided: EntityChanged[] = [];
    for (const [index, item] of command.batch.items.entries()) {
      try {
        decided.push(
          ...decideRecordEntityChange({
            entity: item.entity,
            entityId: item.entityId,
            operation: item.operation,
            data: item.data,
            occurredAt: item.occurredAt,
            idempotencyKey: command.idempotencyKey,
            actorId: command.userId,
            now,
            catalog,
          }),
        );
      } catch (error) {
        if (!(error instanceof InvalidInput)) throw error;
        const prefix = command.batch.isArray ? `[${index}]` : '';
        errors.push({ field: joinField(prefix, error.field), message: error.reason });
      }
    }
    if (errors.length > 0) throw ProblemException.validation(errors, 422);
    return decided;
  }

  private async append(
    append: Appender,
    decided: EntityChanged[],
    byStream: Map<string, number[]>,
    command: RecordEntityChangesCommand,
  ): Promise<RecordedEntityChangesView> {
    const recorded: RecordedEntityChangeView[] = new Array(decided.length);
    const metadata = eventMetadata(command.context);
    for (const stream of [...byStream.keys()].sort()) {
      const indexes = byStream.get(stream)!;
      const { events } = await append(
        stream,
        indexes.map((index) => ({ ...decided[index], metadata })),
      );
      events.forEach((event, n) => {
        recorded[indexes[n]] = { eventId: event.id, position: String(event.position) };
      });
    }
    return { events: recorded };
  }

  /** The answer of the request that first used this key; 422 when this request differs from it. */
  private async storedResponse(
    tx: EntityManager,
    userId: string,
    key: string,
    fingerprint: string,
  ): Promise<RecordedEntityChanges> {
    const rows: { request_hash: string; response: RecordedEntityChangesView }[] = await tx.query(
      'SELECT request_hash, response FROM idempotency_keys WHERE user_id = $1 AND key = $2',
      [userId, key],
    );
    const stored = rows[0];
    if (!stored) {
      // Only if the key was purged between the two statements: the client may simply retry.
      throw ProblemException.conflict('The Idempotency-Key changed state meanwhile; retry');
    }
    if (stored.request_hash !== fingerprint) {
      throw new ProblemException(
        problem(
          422,
          'idempotency-key-reused',
          'This Idempotency-Key was already used for a different request; use a new key for a new request',
        ),
      );
    }
    return { response: stored.response, replayed: true };
  }
}
