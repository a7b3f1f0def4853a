export * from './errors';

export type { DomainEvent } from './events/domain-event';
export { userStream } from './events/user-stream';
export type { UserCreated, UserCreatedData } from './events/user-created';
export type { KeyRegenerated, KeyRegeneratedData } from './events/key-regenerated';
export {
  KEY_CLEAR_REASONS,
  type KeyClearReason,
  type KeyCleared,
  type KeyClearedData,
} from './events/key-cleared';
export {
  UserEventTypes,
  isUserEvent,
  type UserEvent,
  type UserEventType,
} from './events/user-event';

export { USER_ROLES, isUserRole, type UserRole } from './users/user-role';
export { isPlausibleEmail, normalizeEmail } from './users/email';
export {
  initialUserState,
  type ActiveApiKey,
  type ExistingUser,
  type NoUser,
  type UserState,
} from './users/user-state';
export { evolveUser, type EventToFold } from './users/evolve-user';
export { decideCreateUser, type CreateUser } from './users/create-user';
export { decideRegenerateApiKey, type RegenerateApiKey } from './users/regenerate-api-key';
export { decideClearApiKey, type ClearApiKey } from './users/clear-api-key';

export {
  API_KEY_CHECKSUM_LENGTH,
  API_KEY_LENGTH,
  API_KEY_PREFIX,
  API_KEY_RANDOM_LENGTH,
  KEY_PREFIX_RANDOM_LENGTH,
  constantTimeEqualHex,
  generateApiKey,
  hasValidApiKeyShape,
  hasValidKeyPrefixShape,
  hashApiKey,
  isSha256Hex,
  type GeneratedApiKey,
} from './api-keys/api-key-format';

export type { JsonObject, JsonValue } from './events/json';
export {
  SYSTEM_STATUS_REASONS,
  WEBHOOK_STATUSES,
  WEBHOOK_STATUS_REASONS,
  isWebhookStatus,
  isWebhookStatusReason,
  type WebhookStatus,
  type WebhookStatusReason,
} from './events/webhook-status';
export { webhookStream } from './events/webhook-stream';
export type { WebhookSubscribed, WebhookSubscribedData } from './events/webhook-subscribed';
export type { WebhookChanges, WebhookUpdated, WebhookUpdatedData } from './events/webhook-updated';
export type {
  WebhookStatusChanged,
  WebhookStatusChangedData,
} from './events/webhook-status-changed';
export type {
  WebhookSecretRotated,
  WebhookSecretRotatedData,
} from './events/webhook-secret-rotated';
export type { WebhookDeleted, WebhookDeletedData } from './events/webhook-deleted';
export type { WebhookPinged, WebhookPingedData } from './events/webhook-pinged';
export {
  WebhookEventTypes,
  isWebhookEvent,
  type WebhookEvent,
  type WebhookEventType,
} from './events/webhook-event';
export { entityStream } from './events/entity-stream';
export {
  isEntityChanged,
  type EntityChanged,
  type EntityChangedData,
} from './events/entity-changed';

export {
  API_KEY_ENTITY,
  API_KEY_OPERATIONS,
  DEFAULT_CATALOG,
  WILDCARD,
  createCatalog,
  type Catalog,
} from './catalog/catalog';
export { validateSubscriptionFilter } from './catalog/validate-subscription-filter';
export { validateEntityChange } from './catalog/validate-entity-change';

export {
  SYSTEM_ACTOR,
  SYSTEM_ACTOR_ID,
  canSeeWebhook,
  type WebhookActor,
  type WebhookActorRole,
} from './webhooks/webhook-actor';
export {
  initialWebhookState,
  type ExistingWebhook,
  type NoWebhook,
  type WebhookState,
} from './webhooks/webhook-state';
export { evolveWebhook } from './webhooks/evolve-webhook';
export { decideSubscribeWebhook, type SubscribeWebhook } from './webhooks/subscribe-webhook';
export { decideUpdateWebhook, type UpdateWebhook } from './webhooks/update-webhook';
export {
  decideChangeWebhookStatus,
  type ChangeWebhookStatus,
} from './webhooks/change-webhook-status';
export {
  decideRotateWebhookSecret,
  type RotateWebhookSecret,
} from './webhooks/rotate-webhook-secret';
export { decideDeleteWebhook, type DeleteWebhook } from './webhooks/delete-webhook';
export { decidePingWebhook, type PingWebhook } from './webhooks/ping-webhook';
export { requireIsoTimestamp } from './webhooks/iso-timestamp';
export { WEBHOOK_PING_TYPE, webhookEventType } from './webhooks/webhook-event-type';
export {
  subscriptionMatches,
  toMatchable,
  type Matchable,
  type MatchableSubscription,
} from './webhooks/subscription-matching';
export {
  webhookPayload,
  webhookRequestBody,
  type DeliverableEvent,
  type EntityChangedPayloadData,
  type KeyClearedPayloadData,
  type KeyRegeneratedPayloadData,
  type PingPayloadData,
  type WebhookPayload,
  type WebhookPayloadData,
} from './webhooks/webhook-payload';

export {
  MAX_ENTITY_ID_LENGTH,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  decideRecordEntityChange,
  type RecordEntityChange,
} from './entity-changes/record-entity-change';
export { MAX_JSON_DEPTH } from './entity-changes/json-object';
