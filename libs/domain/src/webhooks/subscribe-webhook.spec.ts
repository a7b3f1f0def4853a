import { DEFAULT_CATALOG } from '../catalog/catalog';
import { ActionNotAllowed, InvalidInput, WebhookAlreadyExists } from '../errors';
import type { WebhookStatus } from '../events/webhook-status';
import { decideSubscribeWebhook, type SubscribeWebhook } from './subscribe-webhook';
import { givenWebhook } from './testing/given-webhook-events';
import { actors } from './testing/webhook-actors';
import {
  OWNER_ID,
  SECRET_REF_1,
  WEBHOOK_ID,
  newWebhookDeleted,
  newWebhookSubscribed,
} from './testing/webhook-event-factories';

describe(decideSubscribeWebhook.name, () => {
  const command: SubscribeWebhook = {
    ...actors.owner,
    webhookId: WEBHOOK_ID,
    url: 'https://receiver.example.com/hooks',
    entity: 'Contact',
    operation: 'Update',
    secretRef: SECRET_REF_1,
    catalog: DEFAULT_CATALOG,
  };

  it('subscribes a webhook owned by the actor, on by default', () => {
    expect(givenWebhook().when(decideSubscribeWebhook, command)).toEqual([
      {
        type: 'WebhookSubscribed',
        data: {
          webhookId: WEBHOOK_ID,
          ownerId: OWNER_ID,
          url: 'https://receiver.example.com/hooks',
          entity: 'Contact',
          operation: 'Update',
          status: 'on',
          secretRef: SECRET_REF_1,
        },
      },
    ]);
  });

  it('subscribes a webhook that is off', () => {
    const [event] = givenWebhook().when(decideSubscribeWebhook, { ...command, status: 'off' });

    expect(event.data.status).toBe('off');
  });

  it.each([
    ['*', '*'],
    ['ApiKey', 'Regenerate'],
    ['Note', '*'],
  ])('accepts the filter %s × %s', (entity, operation) => {
    const [event] = givenWebhook().when(decideSubscribeWebhook, { ...command, entity, operation });

    expect(event.data).toMatchObject({ entity, operation });
  });

  it('lets an admin subscribe a webhook of their own', () => {
    const [event] = givenWebhook().when(decideSubscribeWebhook, { ...command, ...actors.admin });

    expect(event.data.ownerId).toBe(actors.admin.actorId);
  });

  it('refuses a webhook id that is taken, even by a deleted webhook', () => {
    expect(() =>
      givenWebhook(newWebhookSubscribed()).when(decideSubscribeWebhook, command),
    ).toThrow(WebhookAlreadyExists);
    expect(() =>
      givenWebhook(newWebhookSubscribed(), newWebhookDeleted()).when(
        decideSubscribeWebhook,
        command,
      ),
    ).toThrow(expect.objectContaining({ kind: 'conflict' }));
  });

  it('refuses the system as an owner', () => {
    expect(() =>
      givenWebhook().when(decideSubscribeWebhook, { ...command, ...actors.system }),
    ).toThrow(ActionNotAllowed);
  });

  it('never lets a plaintext secret into an event', () => {
    const when = () =>
      givenWebhook().when(decideSubscribeWebhook, {
        ...command,
        secretRef: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      });

    expect(when).toThrow(InvalidInput);
    expect(when).toThrow(expect.objectContaining({ field: 'secretRef' }));
  });

  it.each([
    ['url', { url: 'ftp://receiver.example.com/' }],
    ['url', { url: 'javascript:alert(1)' }],
    ['url', { url: 'receiver.example.com/hooks' }],
    ['url', { url: 'https://user:pass@receiver.example.com/' }],
    ['url', { url: 'https://receiver.example.com/a b' }],
    ['url', { url: ' https://receiver.example.com/' }],
    ['url', { url: `https://receiver.example.com/${'a'.repeat(2048)}` }],
    ['url', { url: '' }],
    ['entity', { entity: 'Invoice' }],
    ['operation', { operation: 'Archive' }],
    ['operation', { entity: 'ApiKey', operation: 'Create' }],
    ['status', { status: 'paused' as WebhookStatus }],
    ['secretRef', { secretRef: ' ' }],
    ['webhookId', { webhookId: '' }],
    ['actorId', { actorId: '' }],
  ])('rejects an invalid %s', (field, change) => {
    const when = () => givenWebhook().when(decideSubscribeWebhook, { ...command, ...change });

    expect(when).toThrow(InvalidInput);
    expect(when).toThrow(expect.objectContaining({ field, kind: 'invalid' }));
  });
});
