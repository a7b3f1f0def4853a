import { isEntityChanged } from './entity-changed';
import { entityStream } from './entity-stream';
import { WebhookEventTypes, isWebhookEvent } from './webhook-event';
import { webhookStream } from './webhook-stream';

describe(webhookStream.name, () => {
  it('names the stream webhook-<webhookId>', () => {
    expect(webhookStream('0b6f6c1e')).toBe('webhook-0b6f6c1e');
  });
});

describe(entityStream.name, () => {
  it('names the stream entity-<Entity>-<entityId>', () => {
    expect(entityStream('Contact', '42')).toBe('entity-Contact-42');
  });

  it('keeps the entity id as it is, dashes included', () => {
    expect(entityStream('Job', 'a-b-c')).toBe('entity-Job-a-b-c');
  });
});

describe(isWebhookEvent.name, () => {
  it.each(Object.values(WebhookEventTypes))('recognises %s', (type) => {
    expect(isWebhookEvent({ type, data: {} })).toBe(true);
  });

  it.each(['UserCreated', 'KeyRegenerated', 'EntityChanged'])('rejects %s', (type) => {
    expect(isWebhookEvent({ type, data: {} })).toBe(false);
  });
});

describe(isEntityChanged.name, () => {
  it('recognises EntityChanged only', () => {
    expect(isEntityChanged({ type: 'EntityChanged', data: {} })).toBe(true);
    expect(isEntityChanged({ type: 'WebhookSubscribed', data: {} })).toBe(false);
  });
});
