import { Module } from '@nestjs/common';
import { ApiAccessGuard } from './api-access.guard';
import { EntityChangesController } from './entity-changes.controller';
import { EntityChangesBodyPipe } from './entity-changes-body.pipe';
import { RecordEntityChangesHandler } from './record-entity-changes.handler';

@Module({
  controllers: [EntityChangesController],
  providers: [ApiAccessGuard, EntityChangesBodyPipe, RecordEntityChangesHandler],
})
export class EntityChangesModule {}
