import { evolveWebhook } from './evolve-webhook';
import { givenWebhook } from './testing/given-webhook-events';
import {
  OWNER_ID,
  SECRET_REF_1,
  SECRET_REF_2,
  WEBHOOK_ID,
  newWebhookDeleted,
  newWebhookPinged,
  newWebhookSecretRotated,
  newWebhookStatusChanged,
  newWebhookSubscribed,
  newWebhookUpdated,
} from './testing/webhook-event-factories';
import { initialWebhookState } from './webhook-state';

describe(evolveWebhook.name, () => {
  const subscribed = newWebhookSubscribed();

  it('starts with no webhook', () => {
    expect(givenWebhook().state).toEqual({ exists: false });
  });

  it('folds WebhookSubscribed into an existing webhook', () => {
    expect(givenWebhook(subscribed).state).toEqual({
      exists: true,
      webhookId: WEBHOOK_ID,
      ownerId: OWNER_ID,
      url: 'https://receiver.example.com/hooks',
      entity: 'Contact',
      operation: 'Update',
      status: 'on',
      statusReason: null,
      secretRef: SECRET_REF_1,
      previousSecretRef: null,
      previousValidUntil: null,
      deleted: false,
    });
  });

  it('applies only the fields an update changed', () => {
    const { state } = givenWebhook(
      subscribed,
      newWebhookUpdated({ changes: { operation: '*' } }),
      newWebhookUpdated({ changes: { url: 'https://b.example.com/' } }),
    );

    expect(state).toMatchObject({
      url: 'https://b.example.com/',
      entity: 'Contact',
      operation: '*',
    });
  });

  it('folds a status change with its reason', () => {
    const { state } = givenWebhook(
      subscribed,
      newWebhookStatusChanged({ status: 'off', reason: 'endpoint_gone', changedBy: 'system' }),
    );

    expect(state).toMatchObject({ status: 'off', statusReason: 'endpoint_gone' });
  });

  it('keeps the previous secret after a rotation, and only one', () => {
    const { state } = givenWebhook(
      subscribed,
      newWebhookSecretRotated(),
      newWebhookSecretRotated({
        secretRef: 'v1.third',
        previousSecretRef: SECRET_REF_2,
        previousValidUntil: '2030-02-01T00:00:00.000Z',
      }),
    );

    expect(state).toMatchObject({
      secretRef: 'v1.third',
      previousSecretRef: SECRET_REF_2,
      previousValidUntil: '2030-02-01T00:00:00.000Z',
    });
  });

  it('marks a deleted webhook but keeps what it was', () => {
    const { state } = givenWebhook(subscribed, newWebhookDeleted());

    expect(state).toMatchObject({ exists: true, deleted: true, url: subscribed.data.url });
  });

  it('is not changed by a ping', () => {
    const before = givenWebhook(subscribed).state;

    expect(evolveWebhook(before, newWebhookPinged())).toBe(before);
  });

  it('takes timestamps from recordedAt, never from the clock', () => {
    const createdAt = new Date('2030-01-01T00:00:00Z');
    const updatedAt = new Date('2030-01-02T00:00:00Z');
    const pingedAt = new Date('2030-01-03T00:00:00Z');

    const { state } = givenWebhook(
      { ...subscribed, recordedAt: createdAt },
      { ...newWebhookStatusChanged(), recordedAt: updatedAt },
      { ...newWebhookPinged(), recordedAt: pingedAt },
    );

    expect(state).toMatchObject({ createdAt, updatedAt });
  });

  it('is deterministic and does not mutate the state it is given', () => {
    const before = givenWebhook(subscribed).state;
    const snapshot = structuredClone(before);

    const first = evolveWebhook(before, newWebhookUpdated());
    const second = evolveWebhook(before, newWebhookUpdated());

    expect(first).toEqual(second);
    expect(before).toEqual(snapshot);
  });

  it('ignores event types it does not know', () => {
    const state = givenWebhook(subscribed).state;

    expect(evolveWebhook(state, { type: 'KeyCleared', data: {} })).toBe(state);
  });

  it('ignores webhook events before the webhook exists', () => {
    expect(evolveWebhook(initialWebhookState(), newWebhookStatusChanged())).toEqual(
      initialWebhookState(),
    );
  });
});
