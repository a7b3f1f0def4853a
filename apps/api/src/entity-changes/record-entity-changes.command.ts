import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../common/command-context';
import type { EntityChangeBatch } from './entity-changes-body.pipe';
import type { RecordedEntityChangesView } from './entity-changes.view';

export interface RecordedEntityChanges {
  response: RecordedEntityChangesView;
  /** True when an earlier request with the same Idempotency-Key answered this one. */
  replayed: boolean;
}

export class RecordEntityChangesCommand extends Command<RecordedEntityChanges> {
  constructor(
    readonly userId: string,
    readonly batch: EntityChangeBatch,
    readonly idempotencyKey: string | null,
    readonly context: CommandContext,
  ) {
    super();
  }
}
