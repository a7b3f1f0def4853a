import { WebhookNotFound } from '../errors';
import { decideDeleteWebhook, type DeleteWebhook } from './delete-webhook';
import { givenWebhook } from './testing/given-webhook-events';
import { actors } from './testing/webhook-actors';
import {
  OWNER_ID,
  WEBHOOK_ID,
  newWebhookDeleted,
  newWebhookSubscribed,
} from './testing/webhook-event-factories';

describe(decideDeleteWebhook.name, () => {
  const command: DeleteWebhook = { ...actors.owner, webhookId: WEBHOOK_ID };

  it('deletes the webhook, recording who did', () => {
    expect(givenWebhook(newWebhookSubscribed()).when(decideDeleteWebhook, command)).toEqual([
      { type: 'WebhookDeleted', data: { webhookId: WEBHOOK_ID, deletedBy: OWNER_ID } },
    ]);
  });

  it('fails with WebhookNotFound the second time', () => {
    expect(() =>
      givenWebhook(newWebhookSubscribed(), newWebhookDeleted()).when(decideDeleteWebhook, command),
    ).toThrow(WebhookNotFound);
  });
});
