import type { AggregateOptions, AggregateResult, RecordedEvent } from './event-store';

/** Folds one stream's events (in version order) into state: what both stores' `aggregate` return. */
export function aggregateEvents<State>(
  events: readonly RecordedEvent[],
  options: AggregateOptions<State>,
): AggregateResult<State> {
  const state = events.reduce(options.evolve, options.initialState());
  const currentVersion = events.at(-1)?.version ?? 0;
  return { state, currentVersion, streamExists: currentVersion > 0 };
}
