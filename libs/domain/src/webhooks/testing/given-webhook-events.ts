import type { WebhookEvent } from '../../events/webhook-event';
import type { EventToFold } from '../../users/evolve-user';
import { evolveWebhook } from '../evolve-webhook';
import { initialWebhookState, type WebhookState } from '../webhook-state';

export interface GivenWebhook {
  /** The state folded from the given events. */
  readonly state: WebhookState;
  /** Runs one decide function against that state and returns its events (or lets it throw). */
  when<Command, Events extends readonly WebhookEvent[]>(
    decide: (command: Command, state: WebhookState) => Events,
    command: Command,
  ): Events;
}

/**
 * Given-events / when-command / then-events for the webhook aggregate, with no store:
 *
 *   expect(givenWebhook(subscribed).when(decideDeleteWebhook, command)).toEqual([deleted])
 *
 * Pure (no Jest imports) so it type-checks in any build that happens to include it.
 */
export function givenWebhook(...events: EventToFold[]): GivenWebhook {
  const state = events.reduce(evolveWebhook, initialWebhookState());
  return { state, when: (decide, command) => decide(command, state) };
}
