import type { EventMetadata, EventStore, NewEvent, RecordedEvent } from './event-store';

export interface HandleCommandOptions<State> {
  initialState: () => State;
  evolve: (state: State, event: RecordedEvent) => State;
  /** Metadata given to every decided event (correlation id, actor). */
  metadata?: Partial<EventMetadata>;
}

/**
 * One command on one stream (after Emmett's CommandHandler): fold the stream, let the pure
 * `decide` pick the events, and append them at the version they were decided on, so a concurrent
 * writer makes this a ConcurrencyError rather than a lost update. No events, no append.
 */
export async function handleCommand<State>(
  store: EventStore,
  stream: string,
  decide: (state: State) => readonly NewEvent[],
  options: HandleCommandOptions<State>,
): Promise<RecordedEvent[]> {
  const { state, currentVersion } = await store.aggregate(stream, options);
  const decided = decide(state);
  if (decided.length === 0) return [];
  const { events } = await store.append(
    stream,
    decided.map((event) => ({ ...event, metadata: { ...event.metadata, ...options.metadata } })),
    { expectedVersion: currentVersion },
  );
  return events;
}
