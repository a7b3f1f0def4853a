import { SYSTEM_ACTOR, type WebhookActor } from '../webhook-actor';
import { ADMIN_ID, OTHER_USER_ID, OWNER_ID } from './webhook-event-factories';

/** The actors webhook tests act as; the webhook of `newWebhookSubscribed()` belongs to `owner`. */
export const actors = {
  owner: { actorId: OWNER_ID, actorRole: 'user' },
  otherUser: { actorId: OTHER_USER_ID, actorRole: 'user' },
  admin: { actorId: ADMIN_ID, actorRole: 'admin' },
  system: SYSTEM_ACTOR,
} as const satisfies Record<string, WebhookActor>;
