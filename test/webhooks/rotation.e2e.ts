import {
  newApiUser,
  postEntityChange,
  startWebhookReceiver,
  subscribeWebhook,
  type ApiUser,
  type ReceivedRequest,
  type WebhookBody,
  type WebhookReceiver,
} from '@herald/testing';
import { bearer, stringField } from '@herald/testing/http-assertions';
import { createTestSystem, type TestSystem } from '@herald/testing/test-system';

/** Long enough for a delivery to go out inside the window, short enough to wait past it. */
const OVERLAP_SECONDS = 3;

/**
 * Must hold (issue 3): during a rotation both secrets verify; after the window only the new one.
 */
describe('Webhook secret rotation (API + worker + receiver)', () => {
  let system: TestSystem;
  let owner: ApiUser;
  let receiver: WebhookReceiver;
  let webhook: WebhookBody;
  let oldSecret: string;

  const change = async () =>
    (
      await postEntityChange(system.api, owner.apiKey, {
        entity: 'Company',
        entityId: 'co-1',
        operation: 'Update',
      })
    ).eventId;
  const arrival = async (eventId: string): Promise<ReceivedRequest> => {
    const [request] = await receiver.waitForRequests(
      1,
      10_000,
      (r) => r.headers['webhook-id'] === eventId,
    );
    return request;
  };
  const signatures = (request: ReceivedRequest) =>
    request.headers['webhook-signature'].split(' ').filter(Boolean);

  beforeAll(async () => {
    system = await createTestSystem({
      HERALD_SECRET_ROTATION_OVERLAP_SECONDS: String(OVERLAP_SECONDS),
    });
    owner = await newApiUser(system.api);
    receiver = await startWebhookReceiver();
    ({ webhook, secret: oldSecret } = await subscribeWebhook(system.api, owner.apiKey, {
      url: receiver.url,
      entity: 'Company',
      operation: 'Update',
    }));
    receiver.addSecret(oldSecret);
  });
  afterAll(async () => {
    await receiver?.close();
    await system?.close();
  });

  it('before any rotation: one signature, verified by the secret shown at subscription', async () => {
    const request = await arrival(await change());

    expect(signatures(request)).toHaveLength(1);
    expect(request.verifiedBy[oldSecret]).toBe(true);
  });

  it(`rotate: a new whsec_ secret; within the ${OVERLAP_SECONDS} s overlap a delivery carries two signatures and verifies with the old and with the new secret; after it, one signature that only the new secret verifies`, async () => {
    const rotatedAt = Date.now();
    const rotated = await system.api.http
      .post(`/v1/webhooks/${webhook.id}/secret/rotate`)
      .set(bearer(owner.apiKey))
      .expect(200);
    const newSecret = stringField(rotated.body, 'secret');
    const previousValidUntil = Date.parse(stringField(rotated.body, 'previousValidUntil'));
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    expect(previousValidUntil).toBeGreaterThanOrEqual(rotatedAt + OVERLAP_SECONDS * 1000 - 1000);
    expect(previousValidUntil).toBeLessThanOrEqual(Date.now() + OVERLAP_SECONDS * 1000 + 1000);
    receiver.addSecret(newSecret);

    const during = await arrival(await change());
    expect(during.receivedAt).toBeLessThan(previousValidUntil);
    expect(signatures(during)).toHaveLength(2);
    expect(during.verifiedBy).toEqual({ [oldSecret]: true, [newSecret]: true });

    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, previousValidUntil - Date.now()) + 500),
    );
    const after = await arrival(await change());
    expect(signatures(after)).toHaveLength(1);
    expect(after.verifiedBy).toEqual({ [oldSecret]: false, [newSecret]: true });
  });
});
