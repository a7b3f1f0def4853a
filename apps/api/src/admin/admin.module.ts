import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { AdminEventsController } from './admin-events.controller';
import { AdminUsersController } from './admin-users.controller';

@Module({ imports: [UsersModule], controllers: [AdminUsersController, AdminEventsController] })
export class AdminModule {}
