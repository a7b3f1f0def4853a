import { ActionNotAllowed, InvalidInput, WebhookNotFound } from '../errors';
import { canSeeWebhook, requireWebhookActor, type WebhookActor } from './webhook-actor';
import type { ExistingWebhook, WebhookState } from './webhook-state';

/**
 * The webhook, when it exists, is not deleted and the actor may see it. Otherwise
 * `WebhookNotFound`: the three cases look the same from outside (404).
 */
export function requireVisibleWebhook(
  state: WebhookState,
  webhookId: string,
  actor: WebhookActor,
): ExistingWebhook {
  const checkedActor = requireWebhookActor(actor);
  if (!state.exists || state.deleted || !canSeeWebhook(state.ownerId, checkedActor)) {
    throw new WebhookNotFound(webhookId);
  }
  return state;
}

/**
 * The webhook, for a command only its owner may give (update, rotate, delete, ping). Admins and
 * the system may see other people's webhooks, so they get 403 rather than a pretended 404.
 */
export function requireOwnWebhook(
  state: WebhookState,
  webhookId: string,
  actor: WebhookActor,
): ExistingWebhook {
  const webhook = requireVisibleWebhook(state, webhookId, actor);
  if (webhook.ownerId !== actor.actorId) {
    throw new ActionNotAllowed("Only the webhook's owner can do this");
  }
  return webhook;
}

/** Longest URL accepted; the same limit as the caller's full URL check. */
const MAX_URL_LENGTH = 2048;

/**
 * A defensive last line, not the URL check: the caller validates URLs fully (SSRF needs DNS).
 * This only keeps obviously wrong values out of the event store: anything but an absolute
 * http(s) URL, credentials, whitespace or control characters.
 */
export function requireHttpUrl(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH || /[\s\p{Cc}]/u.test(value)) {
    throw new InvalidInput(field, 'must be an http or https URL');
  }
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new InvalidInput(field, 'must be an http or https URL');
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '') {
    throw new InvalidInput(field, 'must be an http or https URL');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new InvalidInput(field, 'must not contain a username or password');
  }
  return value;
}

/** The prefix of a plaintext Standard Webhooks secret, which must never reach an event. */
const PLAINTEXT_SECRET_PREFIX = 'whsec_';

/** A sealed secret. A plaintext `whsec_…` passed by mistake is refused, never recorded. */
export function requireSecretRef(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidInput(field, 'must not be blank');
  }
  if (value.startsWith(PLAINTEXT_SECRET_PREFIX)) {
    throw new InvalidInput(field, 'must be the sealed secret, not the plaintext');
  }
  return value;
}
