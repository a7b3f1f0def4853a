import { Command } from '@nestjs/cqrs';
import type { KeyClearReason } from '@herald/domain';
import type { CommandContext } from '../common/command-context';

export class ClearApiKeyCommand extends Command<void> {
  constructor(
    readonly userId: string,
    readonly reason: KeyClearReason,
    readonly context: CommandContext,
  ) {
    super();
  }
}
