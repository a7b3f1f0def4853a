import type { UserEvent } from '../events/user-event';
import { evolveUser, type EventToFold } from '../users/evolve-user';
import { initialUserState, type UserState } from '../users/user-state';

export interface GivenUser {
  /** The state folded from the given events. */
  readonly state: UserState;
  /** Runs one decide function against that state and returns its events (or lets it throw). */
  when<Command, Events extends readonly UserEvent[]>(
    decide: (command: Command, state: UserState) => Events,
    command: Command,
  ): Events;
}

/**
 * Given-events / when-command / then-events, with no store:
 *
 *   expect(given(userCreated).when(decideClearApiKey, command)).toEqual([])
 *
 * Pure (no Jest imports) so it type-checks in any build that happens to include it.
 */
export function given(...events: EventToFold[]): GivenUser {
  const state = events.reduce(evolveUser, initialUserState());
  return { state, when: (decide, command) => decide(command, state) };
}
