import { DEFAULT_CATALOG, createCatalog } from '../catalog/catalog';
import { InvalidInput } from '../errors';
import type { WebhookChanges } from '../events/webhook-updated';
import { givenWebhook } from './testing/given-webhook-events';
import { actors } from './testing/webhook-actors';
import {
  WEBHOOK_ID,
  newWebhookStatusChanged,
  newWebhookSubscribed,
  newWebhookUpdated,
} from './testing/webhook-event-factories';
import { decideUpdateWebhook, type UpdateWebhook } from './update-webhook';

describe(decideUpdateWebhook.name, () => {
  const subscribed = newWebhookSubscribed();
  const update = (changes: WebhookChanges): UpdateWebhook => ({
    ...actors.owner,
    webhookId: WEBHOOK_ID,
    changes,
    catalog: DEFAULT_CATALOG,
  });

  it('records the changed fields', () => {
    const events = givenWebhook(subscribed).when(
      decideUpdateWebhook,
      update({ url: 'https://new.example.com/in', entity: '*', operation: 'Delete' }),
    );

    expect(events).toEqual([
      {
        type: 'WebhookUpdated',
        data: {
          webhookId: WEBHOOK_ID,
          changes: { url: 'https://new.example.com/in', entity: '*', operation: 'Delete' },
        },
      },
    ]);
  });

  it('leaves out fields that keep their value', () => {
    const events = givenWebhook(subscribed).when(
      decideUpdateWebhook,
      update({ url: subscribed.data.url, entity: 'Contact', operation: 'Create' }),
    );

    expect(events).toEqual([
      { type: 'WebhookUpdated', data: { webhookId: WEBHOOK_ID, changes: { operation: 'Create' } } },
    ]);
  });

  it('does nothing when nothing changes', () => {
    const sut = givenWebhook(subscribed);

    expect(sut.when(decideUpdateWebhook, update({}))).toEqual([]);
    expect(
      sut.when(decideUpdateWebhook, update({ url: subscribed.data.url, operation: 'Update' })),
    ).toEqual([]);
  });

  it('compares against the state after earlier updates', () => {
    const sut = givenWebhook(subscribed, newWebhookUpdated({ changes: { entity: 'Note' } }));

    expect(sut.when(decideUpdateWebhook, update({ entity: 'Note' }))).toEqual([]);
  });

  it('works whatever the status', () => {
    const sut = givenWebhook(subscribed, newWebhookStatusChanged({ status: 'off' }));

    expect(sut.when(decideUpdateWebhook, update({ entity: 'Job' }))).toHaveLength(1);
  });

  it('lets an admin update a webhook of their own', () => {
    const sut = givenWebhook(newWebhookSubscribed({ ownerId: actors.admin.actorId }));

    expect(
      sut.when(decideUpdateWebhook, { ...update({ entity: 'Job' }), ...actors.admin }),
    ).toHaveLength(1);
  });

  it('validates the filter as a whole', () => {
    const sut = givenWebhook(newWebhookSubscribed({ entity: 'ApiKey', operation: 'Clear' }));

    expect(() => sut.when(decideUpdateWebhook, update({ entity: 'Contact' }))).toThrow(
      expect.objectContaining({ field: 'operation' }),
    );
    expect(
      sut.when(decideUpdateWebhook, update({ entity: 'Contact', operation: 'Create' })),
    ).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({ changes: { entity: 'Contact', operation: 'Create' } }),
      }),
    ]);
  });

  it('changes the URL of a webhook whose entity has left the configured catalog', () => {
    const catalog = createCatalog(['Ticket'], ['Open']);
    const events = givenWebhook(subscribed).when(decideUpdateWebhook, {
      ...update({ url: 'https://new.example.com/in' }),
      catalog,
    });

    expect(events).toHaveLength(1);
    expect(() =>
      givenWebhook(subscribed).when(decideUpdateWebhook, {
        ...update({ operation: 'Create' }),
        catalog,
      }),
    ).toThrow(expect.objectContaining({ field: 'entity' }));
  });

  it.each([
    ['url', { url: 'mailto:ops@example.com' }],
    ['url', { url: null as unknown as string }],
    ['entity', { entity: 'Invoice' }],
    ['entity', { entity: null as unknown as string }],
    ['operation', { operation: 'Regenerate' }],
  ])('rejects an invalid %s', (field, changes) => {
    const when = () => givenWebhook(subscribed).when(decideUpdateWebhook, update(changes));

    expect(when).toThrow(InvalidInput);
    expect(when).toThrow(expect.objectContaining({ field }));
  });

  it('rejects changes that are not an object', () => {
    const when = () =>
      givenWebhook(subscribed).when(decideUpdateWebhook, {
        ...update({}),
        changes: null as unknown as WebhookChanges,
      });

    expect(when).toThrow(expect.objectContaining({ field: 'changes' }));
  });
});
