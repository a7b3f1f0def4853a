import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decideClearApiKey, evolveUser, initialUserState, userStream } from '@herald/domain';
import { handleCommand, type EventStore } from '@herald/event-store';
import { eventMetadata } from '../common/command-context';
import { EVENT_STORE } from '@herald/projections';
import { ClearApiKeyCommand } from './clear-api-key.command';

/** Appends KeyCleared when a key is active; with none it writes nothing (a repeat is harmless). */
@CommandHandler(ClearApiKeyCommand)
export class ClearApiKeyHandler implements ICommandHandler<ClearApiKeyCommand> {
  constructor(@Inject(EVENT_STORE) private readonly events: EventStore) {}

  async execute({ userId, reason, context }: ClearApiKeyCommand): Promise<void> {
    await handleCommand(
      this.events,
      userStream(userId),
      (state) => decideClearApiKey({ userId, actorId: context.actorId ?? userId, reason }, state),
      { initialState: initialUserState, evolve: evolveUser, metadata: eventMetadata(context) },
    );
  }
}
