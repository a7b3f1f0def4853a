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
