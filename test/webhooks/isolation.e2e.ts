import {
  describeRequest,
  newApiUser,
  postEntityChange,
  postEntityChanges,
  startWebhookReceiver,
  subscribeWebhook,
  type ApiUser,
  type WebhookReceiver,
} from '@herald/testing';
import { createTestSystem, type TestSystem } from '@herald/testing/test-system';

const SLOW_ANSWER_MS = 2500;
const MAX_IN_FLIGHT_PER_ENDPOINT = 4;
/** How much later than usual a healthy webhook's delivery may arrive while another endpoint is slow. */
const BOUND_MS = 1000;

/**
 * Must hold (issue 3): a webhook whose receiver is slow does not delay another webhook's
 * deliveries beyond a small bound; the slow endpoint holds at most its per-endpoint share.
 */
describe('Isolation of a slow endpoint (API + worker + receivers)', () => {
  let system: TestSystem;
  let owner: ApiUser;
  let slow: WebhookReceiver;
  let fast: WebhookReceiver;

  beforeAll(async () => {
    system = await createTestSystem({
      HERALD_DELIVERY_TIMEOUT_MS: '5000',
      HERALD_MAX_IN_FLIGHT_PER_ENDPOINT: String(MAX_IN_FLIGHT_PER_ENDPOINT),
    });
    owner = await newApiUser(system.api);
    slow = await startWebhookReceiver({
      respond: () => ({ status: 200, delayMs: SLOW_ANSWER_MS }),
    });
    fast = await startWebhookReceiver();
    for (const [receiver, entity] of [
      [slow, 'Contact'],
      [fast, 'Note'],
    ] as const) {
      const { secret } = await subscribeWebhook(system.api, owner.apiKey, {
        // Endpoints are capped per host name: the fast one is another name for this machine.
        url: receiver === fast ? receiver.url.replace('127.0.0.1', 'localhost') : receiver.url,
        entity,
        operation: 'Create',
      });
      receiver.addSecret(secret);
    }
  });
  afterAll(async () => {
    await Promise.all([slow?.close(), fast?.close()]);
    await system?.close();
  });

  const note = (entityId: string) =>
    postEntityChange(system.api, owner.apiKey, { entity: 'Note', entityId, operation: 'Create' });

  it(`while 12 deliveries wait on an endpoint that answers after ${SLOW_ANSWER_MS / 1000} s, another webhook's change arrives within ${BOUND_MS} ms; the slow endpoint never has more than ${MAX_IN_FLIGHT_PER_ENDPOINT} requests in flight; all arrive`, async () => {
    const baselineStart = Date.now();
    await note('baseline');
    const [baseline] = await fast.waitForRequests(1);
    const baselineMs = baseline.receivedAt - baselineStart;

    await postEntityChanges(
      system.api,
      owner.apiKey,
      Array.from({ length: 12 }, (_, index) => ({
        entity: 'Contact',
        entityId: `slow-${index}`,
        operation: 'Create',
      })),
    );
    await slow.waitForRequests(MAX_IN_FLIGHT_PER_ENDPOINT, 5000);
    const started = Date.now();
    await note('during');
    const [, during] = await fast.waitForRequests(2, 5000);

    expect(during.receivedAt - started).toBeLessThan(baselineMs + BOUND_MS);
    const arrivals = (await slow.waitForRequests(12, 20_000)).map((r) => r.receivedAt);
    // A request is in flight for SLOW_ANSWER_MS after it arrives; count overlaps at each arrival
    // (with a little slack for the time the answer takes to travel back).
    const overlapping = arrivals.map(
      (at) => arrivals.filter((other) => other <= at && other > at - SLOW_ANSWER_MS + 100).length,
    );
    expect(Math.max(...overlapping)).toBeLessThanOrEqual(MAX_IN_FLIGHT_PER_ENDPOINT);
    expect(
      [...slow.requests, ...fast.requests].filter((r) => !r.verified).map(describeRequest),
    ).toEqual([]);
  }, 40_000);
});
