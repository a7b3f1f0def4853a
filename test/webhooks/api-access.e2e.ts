import {
  adminToken,
  enableApiKey,
  newApiUser,
  postEntityChange,
  startWebhookReceiver,
  subscribeWebhook,
  type ApiUser,
  type WebhookBody,
  type WebhookReceiver,
} from '@herald/testing';
import { bearer, listItems } from '@herald/testing/http-assertions';
import { createTestSystem, type TestSystem } from '@herald/testing/test-system';

/**
 * Must hold (issue 3): an admin clears the owner's key — nothing is sent, deliveries are
 * `skipped`; the owner regenerates — new events are delivered. The changes come from another user
 * with API access, so only the webhook owner's access is in question.
 */
describe("Webhooks follow their owner's API access (API + worker + receiver)", () => {
  let system: TestSystem;
  let owner: ApiUser;
  let poster: ApiUser;
  let receiver: WebhookReceiver;
  let webhook: WebhookBody;
  let secret: string;

  const contactChange = (entityId: string) =>
    postEntityChange(system.api, poster.apiKey, {
      entity: 'Contact',
      entityId,
      operation: 'Update',
      data: { entityId },
    });
  const idsReceived = () => receiver.requests.map((request) => request.headers['webhook-id']);

  beforeAll(async () => {
    system = await createTestSystem();
    owner = await newApiUser(system.api);
    poster = await newApiUser(system.api, { role: 'admin' });
    await system.waitForDispatched();
    receiver = await startWebhookReceiver();
    ({ webhook, secret } = await subscribeWebhook(system.api, owner.apiKey, {
      url: `${receiver.url}/owner`,
      entity: '*',
      operation: '*',
    }));
    receiver.addSecret(secret);
  });
  afterAll(async () => {
    await receiver?.close();
    await system?.close();
  });

  it("with the owner's key on, another user's matching change is delivered, verified", async () => {
    const event = await contactChange('before-clear');

    const [request] = await receiver.waitForRequests(1);

    expect(request.headers['webhook-id']).toBe(event.eventId);
    expect(request.verifiedBy[secret]).toBe(true);
    await system.waitForDelivery(webhook.id, 'succeeded', { eventId: event.eventId });
  });

  it("after an admin clears the owner's key, a matching change is not sent: its delivery is skipped (owner_api_access_off) and the receiver gets nothing more", async () => {
    const admin = await adminToken(system.api);
    await system.api.http
      .delete(`/v1/admin/users/${owner.id}/api-key`)
      .set(bearer(admin))
      .expect(204);
    const received = receiver.requests.length;

    const event = await contactChange('while-cleared');

    const skipped = await system.waitForDelivery(webhook.id, 'skipped', {
      eventId: event.eventId,
    });
    expect(skipped.reason).toBe('owner_api_access_off');
    await system.waitForDispatched();
    // Anything still on its way would have been sent by now (the deadline is 1 s).
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(idsReceived()).not.toContain(event.eventId);
    expect(receiver.requests).toHaveLength(received);
    // The owner (signed in with a console session; the key is gone) sees it skipped.
    const list = await system.api.http
      .get(`/v1/webhooks/${webhook.id}/deliveries?status=skipped`)
      .set(bearer(owner.token))
      .expect(200);
    expect(listItems(list.body)).toContainEqual(
      expect.objectContaining({
        eventId: event.eventId,
        status: 'skipped',
        reason: 'owner_api_access_off',
      }),
    );
  });

  it('after the owner regenerates their key, new matching changes are delivered again; the skipped one stays skipped and unsent', async () => {
    const skippedBefore = (await system.deliveries(webhook.id)).filter(
      (row) => row.status === 'skipped',
    );
    owner.apiKey = await enableApiKey(system.api, owner);

    const event = await contactChange('after-regenerate');

    await receiver.waitForRequests(1, 10_000, (r) => r.headers['webhook-id'] === event.eventId);
    const [request] = receiver.requests.filter((r) => r.headers['webhook-id'] === event.eventId);
    expect(request.verifiedBy[secret]).toBe(true);
    await system.waitForDelivery(webhook.id, 'succeeded', { eventId: event.eventId });
    const rows = await system.deliveries(webhook.id);
    for (const skipped of skippedBefore) {
      expect(rows.find((row) => row.id === skipped.id)).toMatchObject({ status: 'skipped' });
      expect(idsReceived()).not.toContain(skipped.eventId);
    }
  });
});
