import { InvalidInput } from '../errors';
import { isUserRole, type UserRole } from '../users/user-role';

/** `system` is Herald itself (the delivery worker), acting on no user's behalf. */
export type WebhookActorRole = UserRole | 'system';

export const SYSTEM_ACTOR_ID = 'system';

/** Who issues a webhook command; every webhook command carries it. */
export interface WebhookActor {
  /** A user id, or `system` together with the role `system`. */
  readonly actorId: string;
  readonly actorRole: WebhookActorRole;
}

export const SYSTEM_ACTOR: WebhookActor = Object.freeze({
  actorId: SYSTEM_ACTOR_ID,
  actorRole: 'system',
});

/**
 * Checks the actor fields of a command. The id `system` and the role `system` only go together,
 * so a user can never be mistaken for the system or the other way round.
 */
export function requireWebhookActor(actor: WebhookActor): WebhookActor {
  const { actorId, actorRole } = actor;
  if (typeof actorId !== 'string' || actorId.trim() === '') {
    throw new InvalidInput('actorId', 'must not be blank');
  }
  if (actorRole !== 'system' && !isUserRole(actorRole)) {
    throw new InvalidInput('actorRole', "must be 'admin', 'user' or 'system'");
  }
  if ((actorId === SYSTEM_ACTOR_ID) !== (actorRole === 'system')) {
    throw new InvalidInput(
      'actorRole',
      `must be 'system' exactly when actorId is '${SYSTEM_ACTOR_ID}'`,
    );
  }
  return { actorId, actorRole };
}

/**
 * Whether the actor may see (read) a webhook owned by `ownerId`: its owner, any admin, and the
 * system. Queries use this too, so reads and commands agree on what answers 404.
 */
export function canSeeWebhook(ownerId: string, actor: WebhookActor): boolean {
  return actor.actorId === ownerId || actor.actorRole === 'admin' || actor.actorRole === 'system';
}
