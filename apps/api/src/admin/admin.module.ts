import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { AdminEventsController } from './admin-events.controller';
import { AdminUsersController } from './admin-users.controller';
import { AdminWebhooksController } from './admin-webhooks.controller';

@Module({
  imports: [UsersModule, WebhooksModule],
  controllers: [AdminUsersController, AdminWebhooksController, AdminEventsController],
})
export class AdminModule {}
