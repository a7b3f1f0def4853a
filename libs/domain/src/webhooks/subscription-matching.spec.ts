import { newKeyCleared, newKeyRegenerated, newUserCreated } from '../testing/user-event-factories';
import {
  subscriptionMatches,
  toMatchable,
  type Matchable,
  type MatchableSubscription,
} from './subscription-matching';
import {
  newEntityChanged,
  newWebhookDeleted,
  newWebhookPinged,
  newWebhookSubscribed,
} from './testing/webhook-event-factories';

describe(toMatchable.name, () => {
  it('maps an entity change to its entity and operation, about no one in particular', () => {
    expect(toMatchable(newEntityChanged({ entity: 'Job', operation: 'Create' }))).toEqual({
      entity: 'Job',
      operation: 'Create',
      subjectUserId: null,
    });
  });

  it('maps key events to ApiKey, about the key’s user', () => {
    expect(toMatchable(newKeyRegenerated({ userId: 'user-7' }))).toEqual({
      entity: 'ApiKey',
      operation: 'Regenerate',
      subjectUserId: 'user-7',
    });
    expect(toMatchable(newKeyCleared({ userId: 'user-7', clearedBy: 'admin-1' }))).toEqual({
      entity: 'ApiKey',
      operation: 'Clear',
      subjectUserId: 'user-7',
    });
  });

  it.each([
    ['UserCreated', newUserCreated()],
    ['WebhookSubscribed', newWebhookSubscribed()],
    ['WebhookDeleted', newWebhookDeleted()],
    ['WebhookPinged (addressed to one webhook, not matched)', newWebhookPinged()],
    ['an unknown type', { type: 'SomethingNew', data: {} }],
  ])('is null for %s', (_, event) => {
    expect(toMatchable(event)).toBeNull();
  });
});

describe(subscriptionMatches.name, () => {
  const contactUpdate: Matchable = { entity: 'Contact', operation: 'Update', subjectUserId: null };
  const subscription: MatchableSubscription = {
    entity: 'Contact',
    operation: 'Update',
    status: 'on',
    ownerId: 'user-1',
    ownerRole: 'user',
  };

  it('matches the same entity and operation', () => {
    expect(subscriptionMatches(subscription, contactUpdate)).toBe(true);
  });

  it.each([
    ['another entity', { ...contactUpdate, entity: 'Company' }],
    ['another operation', { ...contactUpdate, operation: 'Delete' }],
    ['a different case', { ...contactUpdate, entity: 'contact' }],
  ])('does not match %s', (_, matchable) => {
    expect(subscriptionMatches(subscription, matchable)).toBe(false);
  });

  it.each([
    ['*', 'Update'],
    ['Contact', '*'],
    ['*', '*'],
  ])('matches with the filter %s × %s', (entity, operation) => {
    expect(subscriptionMatches({ ...subscription, entity, operation }, contactUpdate)).toBe(true);
  });

  it('does not let a wildcard on one side excuse a mismatch on the other', () => {
    expect(
      subscriptionMatches({ ...subscription, entity: '*', operation: 'Delete' }, contactUpdate),
    ).toBe(false);
    expect(
      subscriptionMatches({ ...subscription, entity: 'Job', operation: '*' }, contactUpdate),
    ).toBe(false);
  });

  it('never matches a subscription that is off, wildcards or not', () => {
    expect(subscriptionMatches({ ...subscription, status: 'off' }, contactUpdate)).toBe(false);
    expect(
      subscriptionMatches(
        { ...subscription, entity: '*', operation: '*', status: 'off' },
        contactUpdate,
      ),
    ).toBe(false);
  });

  it('lets every user hear client entity changes, whoever made them', () => {
    const matchable = toMatchable(newEntityChanged({ actorUserId: 'user-2' }));

    expect(matchable && subscriptionMatches(subscription, matchable)).toBe(true);
  });

  describe('ApiKey events', () => {
    const aboutUser1 = toMatchable(newKeyRegenerated({ userId: 'user-1' }))!;
    const aboutUser2 = toMatchable(newKeyRegenerated({ userId: 'user-2' }))!;
    const keyWebhook = { ...subscription, entity: 'ApiKey', operation: '*' };

    it('reach a user only about their own key', () => {
      expect(subscriptionMatches(keyWebhook, aboutUser1)).toBe(true);
      expect(subscriptionMatches(keyWebhook, aboutUser2)).toBe(false);
    });

    it('reach an admin about everyone’s key', () => {
      const adminWebhook = { ...keyWebhook, ownerId: 'admin-1', ownerRole: 'admin' as const };

      expect(subscriptionMatches(adminWebhook, aboutUser1)).toBe(true);
      expect(subscriptionMatches(adminWebhook, aboutUser2)).toBe(true);
    });

    it('keep their visibility rule under * × *', () => {
      const everything = { ...subscription, entity: '*', operation: '*' };

      expect(subscriptionMatches(everything, aboutUser1)).toBe(true);
      expect(subscriptionMatches(everything, aboutUser2)).toBe(false);
      expect(subscriptionMatches({ ...everything, ownerRole: 'admin' }, aboutUser2)).toBe(true);
    });

    it('match by operation', () => {
      const clears = { ...keyWebhook, operation: 'Clear' };

      expect(subscriptionMatches(clears, aboutUser1)).toBe(false);
      expect(subscriptionMatches(clears, toMatchable(newKeyCleared({ userId: 'user-1' }))!)).toBe(
        true,
      );
    });
  });
});
