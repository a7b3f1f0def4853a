import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decideClearApiKey, evolveUser, initialUserState, userStream } from '@herald/domain';
import type { EventStore } from '@herald/event-store';
import { eventMetadata } from '../common/command-context';
import { EVENT_STORE } from '@herald/projections';
import { ClearApiKeyCommand } from './clear-api-key.command';

/** Appends KeyCleared when a key is active; with none it writes nothing (a repeat is harmless). */
@CommandHandler(ClearApiKeyCommand)
export class ClearApiKeyHandler implements ICommandHandler<ClearApiKeyCommand> {
  constructor(@Inject(EVENT_STORE) private readonly events: EventStore) {}

  async execute({ userId, reason, context }: ClearApiKeyCommand): Promise<void> {
    const stream = userStream(userId);
    const { state, currentVersion } = await this.events.aggregate(stream, {
      initialState: initialUserState,
      evolve: evolveUser,
    });
    const decided = decideClearApiKey(
      { userId, actorId: context.actorId ?? userId, reason },
      state,
    );
    if (decided.length === 0) return;
    await this.events.append(
      stream,
      decided.map((event) => ({ ...event, metadata: eventMetadata(context) })),
      { expectedVersion: currentVersion },
    );
  }
}
