import { apiKeyStateProjection } from './api-keys/api-key-state.projection';
import type { RebuildableProjection } from './rebuildable-projection';
import { usersProjection } from './users/users.projection';
import { webhooksProjection } from './webhooks/webhooks.projection';

/** Every inline projection, in the order they are applied within an append (users first: keys reference them). */
export const allProjections: readonly RebuildableProjection[] = [
  usersProjection,
  apiKeyStateProjection,
  webhooksProjection,
];
