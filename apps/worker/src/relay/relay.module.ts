import { Module } from '@nestjs/common';
import { RelayCheckpoints } from './relay-checkpoints';
import { DEFAULT_RELAY_OPTIONS, RELAY_OPTIONS } from './relay-options';
import { RelayService } from './relay.service';

/** The relay: committed events → the `events` queue (see RelayService). */
@Module({
  providers: [
    RelayService,
    RelayCheckpoints,
    { provide: RELAY_OPTIONS, useValue: DEFAULT_RELAY_OPTIONS },
  ],
  exports: [RelayService],
})
export class RelayModule {}
