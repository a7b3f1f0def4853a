import type { InlineProjection, RecordedEvent } from './event-store';

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
