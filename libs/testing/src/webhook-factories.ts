import { enableApiKey, newUser, type TestUser } from './factories';
import type { HttpClient } from './test-api';

/** A signed-in user whose API access is on. */
export interface ApiUser extends TestUser {
  apiKey: string;
}

/** A webhook as the API answers it (API.md "A webhook is …"). */
export interface WebhookBody {
  id: string;
  ownerId: string;
  url: string;
  entity: string;
  operation: string;
  status: 'on' | 'off';
  statusReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface EntityChangeInput {
  entity: string;
  entityId: string;
  operation: string;
  data?: Record<string, unknown>;
  occurredAt?: string;
}

export interface AppendedEvent {
  eventId: string;
  /** A decimal string in the API's answer (it may exceed 2^53); a number in webhook bodies. */
  position: string;
}

/** A new user (created by the admin, signed in) with their API key enabled. */
export async function newApiUser(
  api: HttpClient,
  overrides: { role?: 'admin' | 'user' } = {},
): Promise<ApiUser> {
  const user = await newUser(api, overrides);
  return { ...user, apiKey: await enableApiKey(api, user) };
}

/** `POST /v1/webhooks` with `credential` (an API key or session token); expects 201. */
export async function subscribeWebhook(
  api: HttpClient,
  credential: string,
  body: { url: string; entity: string; operation: string; status?: 'on' | 'off' },
): Promise<{ webhook: WebhookBody; secret: string }> {
  const response = await api.http
    .post('/v1/webhooks')
    .set('authorization', `Bearer ${credential}`)
    .send(body);
  if (response.status !== 201)
    throw new Error(`POST /v1/webhooks answered ${response.status}: ${response.text}`);
  const { secret, ...webhook } = response.body as WebhookBody & { secret: string };
  return { webhook, secret };
}

/** `PATCH /v1/webhooks/{id}` `{status}` as the owner; expects 200. */
export async function setWebhookStatus(
  api: HttpClient,
  credential: string,
  webhookId: string,
  status: 'on' | 'off',
): Promise<WebhookBody> {
  const response = await api.http
    .patch(`/v1/webhooks/${webhookId}`)
    .set('authorization', `Bearer ${credential}`)
    .send({ status });
  if (response.status !== 200)
    throw new Error(
      `PATCH /v1/webhooks/${webhookId} answered ${response.status}: ${response.text}`,
    );
  return response.body as WebhookBody;
}

/** `POST /v1/entity-changes` with an API key; expects 202 and returns the appended events. */
export async function postEntityChanges(
  api: HttpClient,
  apiKey: string,
  changes: EntityChangeInput | EntityChangeInput[],
): Promise<AppendedEvent[]> {
  const response = await api.http
    .post('/v1/entity-changes')
    .set('authorization', `Bearer ${apiKey}`)
    .send(changes);
  if (response.status !== 202)
    throw new Error(`POST /v1/entity-changes answered ${response.status}: ${response.text}`);
  return (response.body as { events: AppendedEvent[] }).events;
}

/** One change; returns its event. */
export async function postEntityChange(
  api: HttpClient,
  apiKey: string,
  change: EntityChangeInput,
): Promise<AppendedEvent> {
  const [event] = await postEntityChanges(api, apiKey, change);
  return event;
}
