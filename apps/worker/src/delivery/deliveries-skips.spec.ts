import { newKeyCleared } from '@herald/domain/testing/user-event-factories';
import {
  newWebhookDeleted,
  newWebhookStatusChanged,
} from '@herald/domain/webhooks/testing/webhook-event-factories';
import { userStream } from '@herald/domain';
import { DeliveriesProcessor } from './deliveries.processor';
import { DeliveryTestbed, waitFor, type DeliveryWorker } from './testing/delivery-testbed.test';
import { WebhookReceiver } from './testing/webhook-receiver.test';

describe(`${DeliveriesProcessor.name}: what is not sent`, () => {
  let bed: DeliveryTestbed;
  let receiver: WebhookReceiver;
  let worker: DeliveryWorker;

  beforeAll(async () => {
    bed = await DeliveryTestbed.create();
    receiver = await WebhookReceiver.start();
    worker = await bed.startWorker();
  });
  afterAll(async () => {
    await bed.close();
    await receiver.close();
  });

  const completed = (deliveryId: string, generation = 1) =>
    waitFor(`job of ${deliveryId} to complete`, async () =>
      (await bed.jobState(worker, deliveryId, generation)) === 'completed' ? true : undefined,
    );

  it('skips a delivery to a webhook turned off (webhook_off) and sends nothing', async () => {
    const webhook = await bed.newWebhook(receiver.url);
    await bed.appendToWebhook(webhook.id, [
      newWebhookStatusChanged({ webhookId: webhook.id, changedBy: webhook.ownerId }),
    ]);
    const deliveryId = await bed.deliver(worker, webhook.id);

    expect(await bed.settled(deliveryId)).toMatchObject({
      status: 'skipped',
      reason: 'webhook_off',
      attempt_count: 0,
      next_attempt_at: null,
    });
    await completed(deliveryId);
    expect(await bed.attempts(deliveryId)).toEqual([]);
    expect(receiver.requests).toHaveLength(0);
  });

  it('skips a delivery to a deleted webhook (webhook_deleted)', async () => {
    const webhook = await bed.newWebhook(receiver.url);
    await bed.appendToWebhook(webhook.id, [
      newWebhookDeleted({ webhookId: webhook.id, deletedBy: webhook.ownerId }),
    ]);
    const deliveryId = await bed.deliver(worker, webhook.id);

    expect(await bed.settled(deliveryId)).toMatchObject({
      status: 'skipped',
      reason: 'webhook_deleted',
    });
    expect(receiver.requests).toHaveLength(0);
  });

  it("skips a delivery whose owner's API access is off (owner_api_access_off)", async () => {
    const webhook = await bed.newWebhook(receiver.url);
    await bed.store.append(userStream(webhook.ownerId), [
      newKeyCleared({ userId: webhook.ownerId, clearedBy: webhook.ownerId }),
    ]);
    const deliveryId = await bed.deliver(worker, webhook.id);

    expect(await bed.settled(deliveryId)).toMatchObject({
      status: 'skipped',
      reason: 'owner_api_access_off',
    });
    expect(receiver.requests).toHaveLength(0);
  });

  it('skips for an owner who never had API access', async () => {
    const owner = await bed.newOwner({ apiAccess: false });
    const webhook = await bed.newWebhook(receiver.url, owner);
    const deliveryId = await bed.deliver(worker, webhook.id);

    expect(await bed.settled(deliveryId)).toMatchObject({
      status: 'skipped',
      reason: 'owner_api_access_off',
    });
  });

  it('ignores a job of a stale generation: the row (redelivered since) is left to its own job', async () => {
    const webhook = await bed.newWebhook(receiver.url);
    const deliveryId = await bed.newDeliveryRow(await bed.newEvent(), webhook.id, {
      generation: 2,
    });
    await bed.enqueue(worker, deliveryId, 1);

    await completed(deliveryId, 1);

    expect(await bed.delivery(deliveryId)).toMatchObject({
      status: 'pending',
      generation: 2,
      attempt_count: 0,
    });
    expect(receiver.requests).toHaveLength(0);
  });

  it('ignores a job whose delivery is no longer pending', async () => {
    const webhook = await bed.newWebhook(receiver.url);
    const deliveryId = await bed.newDeliveryRow(await bed.newEvent(), webhook.id);
    await bed.db.query(`UPDATE deliveries SET status = 'succeeded' WHERE id = $1`, [deliveryId]);
    await bed.enqueue(worker, deliveryId, 1);

    await completed(deliveryId);

    expect(await bed.delivery(deliveryId)).toMatchObject({ status: 'succeeded', attempt_count: 0 });
    expect(receiver.requests).toHaveLength(0);
  });
});
