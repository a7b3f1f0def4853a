import { newKeyCleared, newKeyRegenerated, newUserCreated } from '../testing/user-event-factories';
import {
  newEntityChanged,
  newWebhookPinged,
  newWebhookSubscribed,
} from './testing/webhook-event-factories';
import { WEBHOOK_PING_TYPE, webhookEventType } from './webhook-event-type';

describe(webhookEventType.name, () => {
  it.each([
    [newEntityChanged({ entity: 'Contact', operation: 'Update' }), 'Contact.Update'],
    [newEntityChanged({ entity: 'Note', operation: 'Delete' }), 'Note.Delete'],
    [newKeyRegenerated(), 'ApiKey.Regenerate'],
    [newKeyCleared(), 'ApiKey.Clear'],
    [newWebhookPinged(), 'Webhook.Ping'],
  ])('names %j %s', (event, type) => {
    expect(webhookEventType(event)).toBe(type);
  });

  it('is null for events that are never delivered', () => {
    expect(webhookEventType(newUserCreated())).toBeNull();
    expect(webhookEventType(newWebhookSubscribed())).toBeNull();
    expect(webhookEventType({ type: 'SomethingNew', data: {} })).toBeNull();
  });

  it('exports the ping type', () => {
    expect(WEBHOOK_PING_TYPE).toBe('Webhook.Ping');
  });
});
