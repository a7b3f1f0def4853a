import {
  newApiUser,
  postEntityChanges,
  startWebhookReceiver,
  subscribeWebhook,
  type WebhookReceiver,
} from '@herald/testing';
import { DeliveryLedger, SOUND_DELIVERY, startProcessSystem, type ProcessSystem } from './index';

// The harness the fault suites stand on: the API and a worker as real processes from the test
// build, on a Redis of their own. Pass: 20 changes to a matching webhook all arrive, verified,
// once each, and the ledger balances.
describe('process system', () => {
  let system: ProcessSystem;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    [system, receiver] = await Promise.all([startProcessSystem(), startWebhookReceiver()]);
    await system.startWorker();
  }, 180_000);

  afterAll(async () => {
    await receiver?.close();
    await system?.close();
  });

  it('delivers through real API and worker processes, and the ledger balances', async () => {
    const user = await newApiUser(system);
    const { secret } = await subscribeWebhook(system, user.apiKey, {
      url: `${receiver.url}/hooks/a`,
      entity: 'Contact',
      operation: 'Update',
    });
    receiver.addSecret(secret);
    const changes = Array.from({ length: 20 }, (_, index) => ({
      entity: 'Contact',
      entityId: String(index),
      operation: 'Update',
    }));
    const events = await postEntityChanges(system, user.apiKey, changes);

    const ledger = new DeliveryLedger();
    for (const event of events) ledger.expect('/hooks/a', event.eventId);
    for (const request of await receiver.waitForRequests(20, 30_000)) ledger.record(request);

    expect(ledger.summary()).toEqual({
      expected: 20,
      delivered: 20,
      ...SOUND_DELIVERY,
      duplicated: 0,
      extraArrivals: 0,
    });
    expect(system.workers[0].rssBytes()).toBeGreaterThan(0);
  });
});
