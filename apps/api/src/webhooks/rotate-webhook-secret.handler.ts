import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { encryptSecret, generateWebhookSecret } from '@herald/delivery';
import {
  decideRotateWebhookSecret,
  evolveWebhook,
  initialWebhookState,
  webhookStream,
} from '@herald/domain';
import { handleCommand, type EventStore } from '@herald/event-store';
import { EVENT_STORE } from '@herald/projections';
import { eventMetadata } from '../common/command-context';
import { RotateWebhookSecretCommand, type RotatedSecret } from './rotate-webhook-secret.command';

/**
 * Seals a fresh secret and appends WebhookSecretRotated: the current secret keeps signing for
 * HERALD_SECRET_ROTATION_OVERLAP_SECONDS (default 24 h), so receivers can switch without losing a
 * request. Two concurrent rotations: one wins, the other gets 409 and its secret is never stored.
 */
@CommandHandler(RotateWebhookSecretCommand)
export class RotateWebhookSecretHandler implements ICommandHandler<RotateWebhookSecretCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  async execute({ webhookId, actor, context }: RotateWebhookSecretCommand): Promise<RotatedSecret> {
    const secret = generateWebhookSecret();
    const previousValidUntil = new Date(
      Date.now() + this.config.secretRotationOverlapSeconds * 1000,
    ).toISOString();
    const secretRef = encryptSecret(secret, this.config.secretKey, { associatedData: webhookId });
    await handleCommand(
      this.events,
      webhookStream(webhookId),
      (state) =>
        decideRotateWebhookSecret({ ...actor, webhookId, secretRef, previousValidUntil }, state),
      {
        initialState: initialWebhookState,
        evolve: evolveWebhook,
        metadata: eventMetadata(context),
      },
    );
    return { secret, previousValidUntil };
  }
}
