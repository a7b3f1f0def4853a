import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { DeleteWebhookHandler } from './delete-webhook.handler';
import { PingWebhookHandler } from './ping-webhook.handler';
import { RotateWebhookSecretHandler } from './rotate-webhook-secret.handler';
import { SubscribeWebhookHandler } from './subscribe-webhook.handler';
import { UpdateWebhookHandler } from './update-webhook.handler';
import { WebhookDirectory } from './webhook-directory';
import { configuredCatalog } from './webhook-rules';
import { WebhooksController } from './webhooks.controller';

@Module({
  controllers: [WebhooksController],
  providers: [
    WebhookDirectory,
    SubscribeWebhookHandler,
    UpdateWebhookHandler,
    RotateWebhookSecretHandler,
    DeleteWebhookHandler,
    PingWebhookHandler,
  ],
  exports: [WebhookDirectory],
})
export class WebhooksModule implements OnModuleInit {
  constructor(@Inject(HERALD_CONFIG) private readonly config: HeraldConfig) {}

  onModuleInit(): void {
    configuredCatalog(this.config);
  }
}
