import type { Catalog } from '../catalog/catalog';
import { validateEntityChange } from '../catalog/validate-entity-change';
import { InvalidInput } from '../errors';
import type { EntityChanged } from '../events/entity-changed';
import { requireNonBlank } from '../users/user-guards';
import { requireIsoTimestamp } from '../webhooks/iso-timestamp';
import { requireJsonObject } from './json-object';

export const MAX_ENTITY_ID_LENGTH = 200;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** One reported change. Entity streams are append-only logs, so there is no state to decide on. */
export interface RecordEntityChange {
  readonly entity: string;
  readonly entityId: string;
  readonly operation: string;
  /** A JSON object; `{}` when omitted. */
  readonly data?: unknown;
  /** ISO-8601 with a time zone; `now` when omitted. Recorded normalised to UTC. */
  readonly occurredAt?: string;
  readonly idempotencyKey?: string | null;
  /** The user who reported it (authenticated by API key). */
  readonly actorId: string;
  /** The time of receipt, from the caller: decide never reads the clock. */
  readonly now: Date;
  readonly catalog: Catalog;
}

/** Control characters would make stream names and logs ambiguous; the rest of Unicode is fine. */
const CONTROL_CHARACTERS = /\p{Cc}/u;

export function decideRecordEntityChange(command: RecordEntityChange): [EntityChanged] {
  validateEntityChange(command.catalog, command.entity, command.operation);
  const { entityId } = command;
  if (
    typeof entityId !== 'string' ||
    entityId.length < 1 ||
    entityId.length > MAX_ENTITY_ID_LENGTH ||
    CONTROL_CHARACTERS.test(entityId)
  ) {
    throw new InvalidInput(
      'entityId',
      `must be 1 to ${MAX_ENTITY_ID_LENGTH} characters without control characters`,
    );
  }
  const data = requireJsonObject('data', command.data === undefined ? {} : command.data);
  const occurredAt =
    command.occurredAt === undefined
      ? command.now.toISOString()
      : requireIsoTimestamp('occurredAt', command.occurredAt);
  const idempotencyKey = command.idempotencyKey ?? null;
  if (
    idempotencyKey !== null &&
    (typeof idempotencyKey !== 'string' ||
      idempotencyKey.trim() === '' ||
      idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH)
  ) {
    throw new InvalidInput(
      'idempotencyKey',
      `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, not blank`,
    );
  }
  const actorUserId = requireNonBlank('actorId', command.actorId);
  return [
    {
      type: 'EntityChanged',
      data: {
        entity: command.entity,
        entityId,
        operation: command.operation,
        data,
        actorUserId,
        occurredAt,
        idempotencyKey,
      },
    },
  ];
}
