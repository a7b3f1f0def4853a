import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../common/command-context';

export interface IssuedApiKey {
  /** The plaintext key: returned to the caller once and never stored. */
  apiKey: string;
  keyPrefix: string;
  createdAt: Date;
}

export class RegenerateApiKeyCommand extends Command<IssuedApiKey> {
  constructor(
    readonly userId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}
