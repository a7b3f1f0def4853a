import type { InlineProjection, RecordedEvent } from './event-store';

/** Whether any projection handles any of the events (then they must be appended in a transaction). */
export function projectsAny<Tx>(
  projections: readonly InlineProjection<Tx>[],
  events: readonly { type: string }[],
): boolean {
  return projections.some((projection) =>
    events.some((event) => projection.handles.includes(event.type)),
  );
}

/**
 * Hands each projection the appended events it declared in `handles` (in append order), one
 * projection after another, skipping projections with nothing to handle. An error propagates,
 * so the caller's transaction rolls back.
 */
export async function runInlineProjections<Tx>(
  projections: readonly InlineProjection<Tx>[],
  events: readonly RecordedEvent[],
  tx: Tx,
): Promise<void> {
  for (const projection of projections) {
    const handled = events.filter((event) => projection.handles.includes(event.type));
    if (handled.length > 0) await projection.apply(handled, tx);
  }
}
