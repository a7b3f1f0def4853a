import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  decideRegenerateApiKey,
  evolveUser,
  generateApiKey,
  initialUserState,
  userStream,
} from '@herald/domain';
import { handleCommand, type EventStore } from '@herald/event-store';
import { randomUUID } from 'node:crypto';
import { eventMetadata } from '../common/command-context';
import { EVENT_STORE } from '@herald/projections';
import { RegenerateApiKeyCommand, type IssuedApiKey } from './regenerate-api-key.command';

/**
 * Issues a new key and appends KeyRegenerated at the version the decision was made on: of two
 * concurrent regenerations one wins and the other gets a ConcurrencyError (409), so exactly one key
 * works afterwards. The projection swaps the hash in the same transaction.
 */
@CommandHandler(RegenerateApiKeyCommand)
export class RegenerateApiKeyHandler implements ICommandHandler<RegenerateApiKeyCommand> {
  constructor(@Inject(EVENT_STORE) private readonly events: EventStore) {}

  async execute({ userId, context }: RegenerateApiKeyCommand): Promise<IssuedApiKey> {
    const key = generateApiKey();
    const events = await handleCommand(
      this.events,
      userStream(userId),
      (state) =>
        decideRegenerateApiKey(
          {
            userId,
            keyId: randomUUID(),
            keyPrefix: key.keyPrefix,
            keyHash: key.keyHash,
            actorId: context.actorId ?? userId,
          },
          state,
        ),
      { initialState: initialUserState, evolve: evolveUser, metadata: eventMetadata(context) },
    );
    return { apiKey: key.apiKey, keyPrefix: key.keyPrefix, createdAt: events[0].recordedAt };
  }
}
