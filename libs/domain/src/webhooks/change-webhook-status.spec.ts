import { ActionNotAllowed, InvalidInput, WebhookNotFound } from '../errors';
import type { WebhookStatus, WebhookStatusReason } from '../events/webhook-status';
import { decideChangeWebhookStatus, type ChangeWebhookStatus } from './change-webhook-status';
import { givenWebhook } from './testing/given-webhook-events';
import { actors } from './testing/webhook-actors';
import {
  ADMIN_ID,
  OWNER_ID,
  WEBHOOK_ID,
  newWebhookDeleted,
  newWebhookStatusChanged,
  newWebhookSubscribed,
} from './testing/webhook-event-factories';

describe(decideChangeWebhookStatus.name, () => {
  const on = givenWebhook(newWebhookSubscribed());
  const off = givenWebhook(newWebhookSubscribed({ status: 'off' }));
  const ownerOff: ChangeWebhookStatus = {
    ...actors.owner,
    webhookId: WEBHOOK_ID,
    status: 'off',
    reason: 'owner',
  };

  it('lets the owner turn their webhook off and on', () => {
    expect(on.when(decideChangeWebhookStatus, ownerOff)).toEqual([
      {
        type: 'WebhookStatusChanged',
        data: { webhookId: WEBHOOK_ID, status: 'off', changedBy: OWNER_ID, reason: 'owner' },
      },
    ]);
    expect(off.when(decideChangeWebhookStatus, { ...ownerOff, status: 'on' })).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ status: 'on' }) }),
    ]);
  });

  it('lets an admin turn anyone’s webhook on or off', () => {
    const adminOff = { ...ownerOff, ...actors.admin, reason: 'admin' as const };

    expect(on.when(decideChangeWebhookStatus, adminOff)).toEqual([
      {
        type: 'WebhookStatusChanged',
        data: { webhookId: WEBHOOK_ID, status: 'off', changedBy: ADMIN_ID, reason: 'admin' },
      },
    ]);
    expect(off.when(decideChangeWebhookStatus, { ...adminOff, status: 'on' })).toHaveLength(1);
  });

  it.each<WebhookStatusReason>(['endpoint_gone', 'failing'])(
    'lets the system turn a webhook off with reason %s',
    (reason) => {
      expect(on.when(decideChangeWebhookStatus, { ...ownerOff, ...actors.system, reason })).toEqual(
        [
          {
            type: 'WebhookStatusChanged',
            data: { webhookId: WEBHOOK_ID, status: 'off', changedBy: 'system', reason },
          },
        ],
      );
    },
  );

  it('does nothing when the webhook already has that status', () => {
    expect(off.when(decideChangeWebhookStatus, ownerOff)).toEqual([]);
    expect(on.when(decideChangeWebhookStatus, { ...ownerOff, status: 'on' })).toEqual([]);
    expect(
      off.when(decideChangeWebhookStatus, { ...ownerOff, ...actors.system, reason: 'failing' }),
    ).toEqual([]);
  });

  it('keeps an admin’s "off" until an admin turns the webhook on again', () => {
    const sut = givenWebhook(
      newWebhookSubscribed(),
      newWebhookStatusChanged({ status: 'off', reason: 'admin', changedBy: ADMIN_ID }),
    );
    const ownerOn = { ...ownerOff, status: 'on' as const };

    expect(() => sut.when(decideChangeWebhookStatus, ownerOn)).toThrow(ActionNotAllowed);
    expect(
      sut.when(decideChangeWebhookStatus, { ...ownerOn, ...actors.admin, reason: 'admin' }),
    ).toEqual([expect.objectContaining({ data: expect.objectContaining({ status: 'on' }) })]);
  });

  it('compares against the status after earlier changes', () => {
    const sut = givenWebhook(newWebhookSubscribed(), newWebhookStatusChanged({ status: 'off' }));

    expect(sut.when(decideChangeWebhookStatus, ownerOff)).toEqual([]);
  });

  it('answers WebhookNotFound to another user, whatever the reason', () => {
    for (const reason of ['owner', 'admin'] as const) {
      expect(() =>
        on.when(decideChangeWebhookStatus, { ...ownerOff, ...actors.otherUser, reason }),
      ).toThrow(WebhookNotFound);
    }
  });

  it.each<[string, Partial<ChangeWebhookStatus>]>([
    ['a user giving reason admin', { reason: 'admin' }],
    ['a user giving reason failing', { reason: 'failing' }],
    ['an admin giving reason owner for someone else', { ...actors.admin, reason: 'owner' }],
    ['an admin giving reason endpoint_gone', { ...actors.admin, reason: 'endpoint_gone' }],
    ['the system giving reason admin', { ...actors.system, reason: 'admin' }],
    ['the system turning a webhook on', { ...actors.system, reason: 'failing', status: 'on' }],
  ])('refuses %s', (_, change) => {
    const state = change.status === 'on' ? off : on;
    const when = () => state.when(decideChangeWebhookStatus, { ...ownerOff, ...change });

    expect(when).toThrow(ActionNotAllowed);
  });

  it('lets an admin who owns the webhook give either reason', () => {
    const own = givenWebhook(newWebhookSubscribed({ ownerId: ADMIN_ID }));

    for (const reason of ['owner', 'admin'] as const) {
      expect(
        own.when(decideChangeWebhookStatus, { ...ownerOff, ...actors.admin, reason }),
      ).toHaveLength(1);
    }
  });

  it.each([
    ['status', { status: 'paused' as WebhookStatus }],
    ['reason', { reason: 'bored' as WebhookStatusReason }],
    ['reason', { reason: undefined as unknown as WebhookStatusReason }],
  ])('rejects an invalid %s', (field, change) => {
    const when = () => on.when(decideChangeWebhookStatus, { ...ownerOff, ...change });

    expect(when).toThrow(InvalidInput);
    expect(when).toThrow(expect.objectContaining({ field }));
  });

  it.each(Object.entries(actors))(
    'answers WebhookNotFound to %s once it is deleted',
    (_, actor) => {
      const deleted = givenWebhook(newWebhookSubscribed(), newWebhookDeleted());
      const reason =
        actor.actorRole === 'system' ? 'failing' : actor.actorRole === 'admin' ? 'admin' : 'owner';

      expect(() =>
        deleted.when(decideChangeWebhookStatus, { ...ownerOff, ...actor, reason }),
      ).toThrow(WebhookNotFound);
    },
  );

  it('answers WebhookNotFound when the webhook does not exist', () => {
    expect(() => givenWebhook().when(decideChangeWebhookStatus, ownerOff)).toThrow(WebhookNotFound);
  });
});
