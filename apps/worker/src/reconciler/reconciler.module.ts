import { Module } from '@nestjs/common';
import { HERALD_CONFIG } from '@herald/config';
import { RelayCheckpoints } from '../relay/relay-checkpoints';
import { LostDeliveryJobs } from './lost-delivery-jobs';
import { RECONCILER_OPTIONS, reconcilerOptionsFrom } from './reconciler-options';
import { ReconcilerService } from './reconciler.service';
import { UndispatchedEvents } from './undispatched-events';

/** The reconciler: re-enqueues what Redis lost (see ReconcilerService). */
@Module({
  providers: [
    ReconcilerService,
    LostDeliveryJobs,
    UndispatchedEvents,
    RelayCheckpoints,
    { provide: RECONCILER_OPTIONS, inject: [HERALD_CONFIG], useFactory: reconcilerOptionsFrom },
  ],
  exports: [ReconcilerService],
})
export class ReconcilerModule {}
