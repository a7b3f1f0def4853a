import type { Agent } from 'undici';
import { DeliveriesProcessor } from './deliveries.processor';
import { DeliveryTargetLoader } from './delivery-target.loader';
import { DELIVERY_AGENT } from './delivery.tokens';
import { DeliveryTestbed, waitFor } from './testing/delivery-testbed.test';
import { WebhookReceiver } from './testing/webhook-receiver.test';

describe(`${DeliveriesProcessor.name}: isolation and shutdown`, () => {
  let bed: DeliveryTestbed;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    bed = await DeliveryTestbed.create();
  });
  afterAll(async () => {
    await bed.close();
  });
  afterEach(async () => {
    await bed.stopWorkers();
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  });

  const receiver = async (...args: Parameters<typeof WebhookReceiver.start>) => {
    const started = await WebhookReceiver.start(...args);
    receivers.push(started);
    return started;
  };

  it("an endpoint hanging until the deadline takes one slot; a healthy endpoint's deliveries complete meanwhile", async () => {
    const slow = await receiver(() => 'hang');
    const healthy = await receiver();
    const worker = await bed.startWorker({
      deliveryConcurrency: 4,
      maxInFlightPerEndpoint: 1,
      deliveryTimeoutMs: 3000,
      retryScheduleSeconds: [0],
    });
    const slowHook = await bed.newWebhook(slow.url);
    // Another host name (the same machine): endpoints are keyed by host name, not port.
    const healthyHook = await bed.newWebhook(healthy.url.replace('127.0.0.1', 'localhost'));
    // More slow deliveries than the worker has slots, queued first.
    const slowDeliveries: string[] = [];
    for (let i = 0; i < 6; i += 1) slowDeliveries.push(await bed.deliver(worker, slowHook.id));
    await waitFor('the slow endpoint to be hanging', () => slow.inFlight() === 1);
    const started = Date.now();
    const healthyDeliveries: string[] = [];
    for (let i = 0; i < 10; i += 1)
      healthyDeliveries.push(await bed.deliver(worker, healthyHook.id));

    for (const id of healthyDeliveries) {
      expect(await bed.settled(id)).toMatchObject({ status: 'succeeded', attempt_count: 1 });
    }
    const elapsed = Date.now() - started;

    // All ten went through while the slow endpoint still held its one request.
    expect(elapsed).toBeLessThan(1500);
    expect(healthy.requests).toHaveLength(10);
    expect(slow.requests).toHaveLength(1);
    expect(slow.inFlight()).toBe(1);
    expect(slow.maxInFlight()).toBe(1);
    for (const id of slowDeliveries) {
      expect(await bed.delivery(id)).toMatchObject({ status: 'pending', attempt_count: 0 });
    }
  });

  it('never has more attempts in flight to one endpoint than maxInFlightPerEndpoint', async () => {
    const busy = await receiver();
    busy.respondWith(() => 'hang');
    const worker = await bed.startWorker({
      deliveryConcurrency: 8,
      maxInFlightPerEndpoint: 2,
      deliveryTimeoutMs: 500,
      retryScheduleSeconds: [],
    });
    const webhook = await bed.newWebhook(busy.url);
    const deliveries: string[] = [];
    for (let i = 0; i < 6; i += 1) deliveries.push(await bed.deliver(worker, webhook.id));

    for (const id of deliveries) {
      expect(await bed.settled(id)).toMatchObject({ status: 'exhausted', reason: 'timeout' });
    }
    expect(busy.requests).toHaveLength(6);
    expect(busy.maxInFlight()).toBe(2);
    // Waiting for a slot is not an attempt.
    for (const id of deliveries) expect(await bed.attempts(id)).toHaveLength(1);
  });

  it('one endpoint on many ports shares one cap: evil:port1…portN hold at most maxInFlightPerEndpoint', async () => {
    const ports = await Promise.all(Array.from({ length: 4 }, () => receiver(() => 'hang')));
    const worker = await bed.startWorker({
      deliveryConcurrency: 8,
      maxInFlightPerEndpoint: 1,
      deliveryTimeoutMs: 3000,
      retryScheduleSeconds: [0],
    });
    for (const port of ports) {
      const webhook = await bed.newWebhook(port.url);
      for (let i = 0; i < 2; i += 1) await bed.deliver(worker, webhook.id);
    }
    await waitFor('one request to hang', () => ports.some((port) => port.inFlight() === 1));
    await new Promise((resolve) => setTimeout(resolve, 800));

    const inFlight = ports.reduce((sum, port) => sum + port.maxInFlight(), 0);
    expect(inFlight).toBe(1);
  });

  it('turns a job away after its one query, signing and sending nothing: a backlog for a busy endpoint costs one query per turn', async () => {
    const slow = await receiver(() => 'hang');
    const worker = await bed.startWorker({
      deliveryConcurrency: 4,
      maxInFlightPerEndpoint: 1,
      deliveryTimeoutMs: 3000,
      retryScheduleSeconds: [0],
    });
    const loader = worker.app.get(DeliveryTargetLoader);
    const loads = jest.spyOn(loader, 'load');
    const webhook = await bed.newWebhook(slow.url);
    for (let i = 0; i < 6; i += 1) await bed.deliver(worker, webhook.id);
    await waitFor('the endpoint to be hanging', () => slow.inFlight() === 1);
    await waitFor('jobs to be turned away', () => loads.mock.calls.length > 10);

    expect(slow.requests).toHaveLength(1);
  });

  it('on shutdown, finishes and records the attempt in flight, then closes the HTTP agent', async () => {
    const slowToAnswer = await receiver(() => ({ status: 200, afterMs: 700 }));
    const worker = await bed.startWorker();
    const webhook = await bed.newWebhook(slowToAnswer.url);
    const deliveryId = await bed.deliver(worker, webhook.id);
    await waitFor('the request to arrive', () => slowToAnswer.requests.length === 1);
    const agent = worker.app.get<Agent>(DELIVERY_AGENT);

    const closing = worker.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(agent.closed).toBe(false);
    await closing;

    expect(agent.closed).toBe(true);
    expect(await bed.delivery(deliveryId)).toMatchObject({ status: 'succeeded', attempt_count: 1 });
    expect(await bed.attempts(deliveryId)).toMatchObject([{ number: 1, status_code: 200 }]);
  });
});
