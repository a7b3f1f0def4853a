import { decidePingWebhook, type PingWebhook } from './ping-webhook';
import { givenWebhook } from './testing/given-webhook-events';
import { actors } from './testing/webhook-actors';
import {
  OWNER_ID,
  WEBHOOK_ID,
  newWebhookPinged,
  newWebhookSubscribed,
} from './testing/webhook-event-factories';

describe(decidePingWebhook.name, () => {
  const command: PingWebhook = { ...actors.owner, webhookId: WEBHOOK_ID };

  it('records a ping for this webhook alone', () => {
    expect(givenWebhook(newWebhookSubscribed()).when(decidePingWebhook, command)).toEqual([
      { type: 'WebhookPinged', data: { webhookId: WEBHOOK_ID, requestedBy: OWNER_ID } },
    ]);
  });

  it('pings again however often it is asked: every ping is a new request', () => {
    expect(
      givenWebhook(newWebhookSubscribed(), newWebhookPinged()).when(decidePingWebhook, command),
    ).toHaveLength(1);
  });
});
