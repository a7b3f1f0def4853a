import { InvalidInput } from '../errors';
import type { UserRole } from '../users/user-role';
import {
  SYSTEM_ACTOR,
  canSeeWebhook,
  requireWebhookActor,
  type WebhookActorRole,
} from './webhook-actor';

describe(requireWebhookActor.name, () => {
  it.each([
    { actorId: 'user-1', actorRole: 'user' as UserRole },
    { actorId: 'admin-1', actorRole: 'admin' as UserRole },
    SYSTEM_ACTOR,
  ])('accepts %j', (actor) => {
    expect(requireWebhookActor(actor)).toEqual(actor);
  });

  it.each([
    ['actorId', { actorId: ' ', actorRole: 'user' as WebhookActorRole }],
    ['actorRole', { actorId: 'user-1', actorRole: 'root' as WebhookActorRole }],
    ['actorRole', { actorId: 'user-1', actorRole: 'system' as WebhookActorRole }],
    ['actorRole', { actorId: 'system', actorRole: 'admin' as WebhookActorRole }],
  ])('rejects an invalid %s in %j', (field, actor) => {
    const when = () => requireWebhookActor(actor);

    expect(when).toThrow(InvalidInput);
    expect(when).toThrow(expect.objectContaining({ field }));
  });
});

describe(canSeeWebhook.name, () => {
  it('lets the owner, any admin and the system see a webhook', () => {
    expect(canSeeWebhook('user-1', { actorId: 'user-1', actorRole: 'user' })).toBe(true);
    expect(canSeeWebhook('user-1', { actorId: 'admin-1', actorRole: 'admin' })).toBe(true);
    expect(canSeeWebhook('user-1', SYSTEM_ACTOR)).toBe(true);
  });

  it('hides it from other users', () => {
    expect(canSeeWebhook('user-1', { actorId: 'user-2', actorRole: 'user' })).toBe(false);
  });
});
