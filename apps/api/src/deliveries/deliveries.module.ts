import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues/queues.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { DeliveryDirectory } from './delivery-directory';
import { RedeliverHandler } from './redeliver.handler';
import { ReplayWebhookHandler } from './replay-webhook.handler';
import { WebhookDeliveriesController } from './webhook-deliveries.controller';

@Module({
  imports: [WebhooksModule, QueuesModule],
  controllers: [WebhookDeliveriesController],
  providers: [DeliveryDirectory, RedeliverHandler, ReplayWebhookHandler],
})
export class DeliveriesModule {}
