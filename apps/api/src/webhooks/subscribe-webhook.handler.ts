import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { encryptSecret, generateWebhookSecret } from '@herald/delivery';
import {
  decideSubscribeWebhook,
  initialWebhookState,
  InvalidInput,
  validateSubscriptionFilter,
  webhookStream,
} from '@herald/domain';
import type { TransactionalEventStore } from '@herald/event-store';
import { EVENT_STORE } from '@herald/projections';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { eventMetadata } from '../common/command-context';
import type { FieldError } from '../common/problem';
import { ProblemException } from '../common/problem.exception';
import { SubscribeWebhookCommand, type SubscribedWebhook } from './subscribe-webhook.command';
import { WebhookDirectory } from './webhook-directory';
import { configuredCatalog, requireAllowedWebhookUrl } from './webhook-rules';

/**
 * Appends WebhookSubscribed to a new stream. The secret is generated here and sealed under
 * HERALD_SECRET_KEY bound to the webhook id, so only the sealed form reaches the event and the
 * `webhooks` projection; the plaintext goes back to the caller once.
 */
@CommandHandler(SubscribeWebhookCommand)
export class SubscribeWebhookHandler implements ICommandHandler<SubscribeWebhookCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly events: TransactionalEventStore<EntityManager>,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly webhooks: WebhookDirectory,
  ) {}

  async execute(command: SubscribeWebhookCommand): Promise<SubscribedWebhook> {
    const catalog = configuredCatalog(this.config);
    // Both checks run, so a request with a bad URL and a bad filter hears about both at once.
    const errors: FieldError[] = [];
    for (const check of [
      () => requireAllowedWebhookUrl(command.url, this.config),
      () => validateSubscriptionFilter(catalog, command.entity, command.operation),
    ]) {
      try {
        check();
      } catch (error) {
        if (!(error instanceof InvalidInput)) throw error;
        errors.push({ field: error.field, message: error.reason });
      }
    }
    if (errors.length > 0) throw ProblemException.validation(errors, 422);

    const webhookId = randomUUID();
    const secret = generateWebhookSecret();
    const decided = decideSubscribeWebhook(
      {
        ...command.actor,
        webhookId,
        url: command.url,
        entity: command.entity,
        operation: command.operation,
        status: command.status,
        secretRef: encryptSecret(secret, this.config.secretKey, { associatedData: webhookId }),
        catalog,
      },
      initialWebhookState(),
    );
    // The answer is read inside the append's transaction: a query after the commit could fail
    // (PostgreSQL gone) and leave the caller with an error for a webhook that exists and a
    // secret that is never shown again.
    return this.events.transaction(async (tx) => {
      await this.events.appendInTransaction(
        tx,
        webhookStream(webhookId),
        decided.map((event) => ({ ...event, metadata: eventMetadata(command.context) })),
        { expectedVersion: 'no_stream' },
      );
      return { webhook: await this.webhooks.getVisible(webhookId, command.actor, tx), secret };
    });
  }
}
