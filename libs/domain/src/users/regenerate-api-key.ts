import { hasValidKeyPrefixShape, isSha256Hex } from '../api-keys/api-key-format';
import { InvalidInput } from '../errors';
import type { KeyRegenerated } from '../events/key-regenerated';
import { requireExistingUser, requireNonBlank } from './user-guards';
import type { UserState } from './user-state';

/**
 * Replaces the user's key (or enables API access for the first time). The caller generates the key
 * with `generateApiKey()` and a fresh `keyId`, so decide stays pure.
 */
export interface RegenerateApiKey {
  readonly userId: string;
  readonly keyId: string;
  readonly keyPrefix: string;
  readonly keyHash: string;
  readonly actorId: string;
}

/**
 * Always emits KeyRegenerated, which supersedes any active key: the old key stops working in the
 * same append. The hash is checked to be SHA-256 hex so that a plaintext key passed by mistake can
 * never land in the event store.
 */
export function decideRegenerateApiKey(
  command: RegenerateApiKey,
  state: UserState,
): [KeyRegenerated] {
  const user = requireExistingUser(state, command.userId);
  const keyId = requireNonBlank('keyId', command.keyId);
  if (!hasValidKeyPrefixShape(command.keyPrefix)) {
    throw new InvalidInput('keyPrefix', 'is not an API key prefix');
  }
  if (!isSha256Hex(command.keyHash)) {
    throw new InvalidInput('keyHash', 'must be a SHA-256 hex digest');
  }
  const regeneratedBy = requireNonBlank('actorId', command.actorId);
  return [
    {
      type: 'KeyRegenerated',
      data: {
        userId: user.userId,
        keyId,
        keyPrefix: command.keyPrefix,
        keyHash: command.keyHash,
        regeneratedBy,
      },
    },
  ];
}
