import { Module } from '@nestjs/common';
import { DispatchProcessor } from './dispatch.processor';
import { EventDispatcher } from './event-dispatcher';

/** Dispatch: the `events` queue's processor, matching events to webhooks (see EventDispatcher). */
@Module({
  providers: [DispatchProcessor, EventDispatcher],
  exports: [EventDispatcher],
})
export class DispatchModule {}
