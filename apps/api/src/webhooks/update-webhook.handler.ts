import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import {
  decideChangeWebhookStatus,
  decideUpdateWebhook,
  evolveWebhook,
  initialWebhookState,
  webhookStream,
  type WebhookEvent,
  type WebhookState,
} from '@herald/domain';
import { handleCommand, type EventStore } from '@herald/event-store';
import { EVENT_STORE } from '@herald/projections';
import { eventMetadata } from '../common/command-context';
import { UpdateWebhookCommand } from './update-webhook.command';
import { configuredCatalog, requireAllowedWebhookUrl } from './webhook-rules';

/**
 * Decides the URL/filter update and the status change on the same folded state and appends both
 * at the version they were decided on: a concurrent change makes this a 409, never a lost update.
 * Nothing is appended when nothing changes.
 */
@CommandHandler(UpdateWebhookCommand)
export class UpdateWebhookHandler implements ICommandHandler<UpdateWebhookCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  async execute(command: UpdateWebhookCommand): Promise<void> {
    await handleCommand(
      this.events,
      webhookStream(command.webhookId),
      (state) => this.decide(command, state),
      {
        initialState: initialWebhookState,
        evolve: evolveWebhook,
        metadata: eventMetadata(command.context),
      },
    );
  }

  /** The update first, then the status change on the state the update leaves. */
  private decide(command: UpdateWebhookCommand, state: WebhookState): WebhookEvent[] {
    const { webhookId, actor, changes, status } = command;
    const decided: WebhookEvent[] = [];
    let current = state;
    if (Object.values(changes).some((value) => value !== undefined)) {
      const updated = decideUpdateWebhook(
        { ...actor, webhookId, changes, catalog: configuredCatalog(this.config) },
        current,
      );
      // The SSRF policy is checked only for a URL that actually changes (after the ownership
      // check above, so nobody learns policy details about a webhook they cannot see).
      if (changes.url !== undefined && updated.some((event) => event.data.changes.url)) {
        requireAllowedWebhookUrl(changes.url, this.config);
      }
      decided.push(...updated);
      current = updated.reduce(evolveWebhook, current);
    }
    if (status !== undefined) {
      decided.push(
        ...decideChangeWebhookStatus(
          { ...actor, webhookId, status, reason: command.statusReason },
          current,
        ),
      );
    }
    return decided;
  }
}
