import type { EventMetadata } from './event-store';

/**
 * The metadata recorded for an event: the given keys, with `correlationId` defaulting to
 * `defaultCorrelationId` and `causationId`/`actorId` to null. Keys given as `undefined` count as
 * omitted, since JSON would drop them anyway.
 */
export function completeMetadata(
  given: Partial<EventMetadata> | undefined,
  defaultCorrelationId: string,
): EventMetadata {
  return {
    ...given,
    correlationId: given?.correlationId ?? defaultCorrelationId,
    causationId: given?.causationId ?? null,
    actorId: given?.actorId ?? null,
  };
}
