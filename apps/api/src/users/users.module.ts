import { Module } from '@nestjs/common';
import { BootstrapAdmin } from './bootstrap-admin';
import { CreateUserHandler } from './create-user.handler';
import { MeController } from './me.controller';
import { UserDirectory } from './user-directory';

@Module({
  controllers: [MeController],
  providers: [UserDirectory, CreateUserHandler, BootstrapAdmin],
  exports: [UserDirectory],
})
export class UsersModule {}
