import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Module, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { DELIVERIES_QUEUE, EVENTS_QUEUE } from '@herald/queues';
import { DispatchModule } from '../dispatch/dispatch.module';
import { DispatchProcessor } from '../dispatch/dispatch.processor';
import { createWorkerTestContext } from '../testing/worker-test-context';
import { QueueProcessors } from './queue-processors';

@Processor(EVENTS_QUEUE)
class EventsProcessor extends WorkerHost {
  async process(): Promise<void> {}
}

@Processor(DELIVERIES_QUEUE)
class DeliveriesProcessor extends WorkerHost {
  async process(): Promise<void> {}
}

@Processor(DELIVERIES_QUEUE)
class OtherDeliveriesProcessor extends WorkerHost {
  async process(): Promise<void> {}
}

/** Only the check and the given providers: @Processor metadata needs no Redis to be found. */
async function initWith(providers: Type[]): Promise<void> {
  const module = await Test.createTestingModule({
    imports: [DiscoveryModule],
    providers: [QueueProcessors, ...providers],
  }).compile();
  module.useLogger(false);
  try {
    await module.init();
  } finally {
    await module.close();
  }
}

describe(QueueProcessors.name, () => {
  it('lets the worker start with exactly one processor per queue', async () => {
    await expect(initWith([EventsProcessor, DeliveriesProcessor])).resolves.toBeUndefined();
  });

  it('fails the start when a queue has two processors', async () => {
    await expect(
      initWith([EventsProcessor, DeliveriesProcessor, OtherDeliveriesProcessor]),
    ).rejects.toThrow(
      'Queue processors are misconfigured: queue "deliveries" has 2 processors (DeliveriesProcessor, OtherDeliveriesProcessor)',
    );
  });

  it('fails the start when a queue has no processor', async () => {
    await expect(initWith([EventsProcessor])).rejects.toThrow(
      'queue "deliveries" has no processor',
    );
  });

  it('closes the workers @nestjs/bullmq already started when the check fails', async () => {
    @Module({
      imports: [DiscoveryModule],
      providers: [QueueProcessors, DeliveriesProcessor, OtherDeliveriesProcessor],
    })
    class MisconfiguredProcessors {}
    const sut = await createWorkerTestContext({
      imports: [DispatchModule, MisconfiguredProcessors],
    });
    try {
      await expect(sut.module.init()).rejects.toThrow('queue "deliveries" has 2 processors');
      const started = sut.module.get(DispatchProcessor).worker;
      expect(started.isRunning()).toBe(false);
      expect(started.closing).toBeTruthy();
    } finally {
      await sut.close();
    }
  });
});
