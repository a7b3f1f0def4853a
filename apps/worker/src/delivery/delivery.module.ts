import { Module } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { createBoundedLookup, createDeliveryAgent, type LookupAll } from '@herald/delivery';
import { DeliveriesProcessor } from './deliveries.processor';
import { DeliveryOutcomeRecorder } from './delivery-outcome.recorder';
import { DeliveryTargetLoader } from './delivery-target.loader';
import { DELIVERY_AGENT, DELIVERY_DNS_LOOKUP } from './delivery.tokens';
import { EndpointSlots } from './endpoint-slots';
import { WebhookShutoffRunner } from './webhook-shutoff.runner';

/**
 * The delivery stage of the worker: the `deliveries` queue's only processor. Needs, from the
 * importing application: HERALD_CONFIG, the TypeORM DataSource and EVENT_STORE (DatabaseModule),
 * and BullMQ with the `deliveries` queue registered (QueuesModule).
 */
@Module({
  providers: [
    DeliveriesProcessor,
    DeliveryTargetLoader,
    DeliveryOutcomeRecorder,
    WebhookShutoffRunner,
    {
      provide: EndpointSlots,
      inject: [HERALD_CONFIG],
      useFactory: (config: HeraldConfig) => new EndpointSlots(config.maxInFlightPerEndpoint),
    },
    {
      provide: DELIVERY_DNS_LOOKUP,
      inject: [HERALD_CONFIG],
      // A name's resolution ends within the attempt's deadline (the lookup cannot see it).
      useFactory: (config: HeraldConfig): LookupAll =>
        createBoundedLookup({ timeoutMs: config.deliveryTimeoutMs }),
    },
    {
      provide: DELIVERY_AGENT,
      inject: [HERALD_CONFIG, DELIVERY_DNS_LOOKUP],
      // Closed by DeliveriesProcessor after its worker has finished the attempts in flight. No more
      // connections per origin than attempts allowed in flight to it, so none queue inside undici.
      // A connect gives up by its attempt's deadline: the sender ends the attempt then anyway, and
      // a connect left hanging (undici's default is 10 s) would keep one of those few connections.
      useFactory: (config: HeraldConfig, lookup: LookupAll) =>
        createDeliveryAgent({
          allowPrivateTargets: config.allowPrivateTargets,
          allowedSubnets: config.allowedSubnets,
          connectionsPerOrigin: config.maxInFlightPerEndpoint,
          connectTimeoutMs: config.deliveryTimeoutMs,
          lookup,
        }),
    },
  ],
})
export class DeliveryModule {}
