import { generateApiKey } from '../api-keys/api-key-format';
import type { KeyCleared, KeyClearedData } from '../events/key-cleared';
import type { KeyRegenerated, KeyRegeneratedData } from '../events/key-regenerated';
import type { UserCreated, UserCreatedData } from '../events/user-created';

/** Events with plausible defaults; tests override only what they are about. */
export function newUserCreated(overrides: Partial<UserCreatedData> = {}): UserCreated {
  return {
    type: 'UserCreated',
    data: {
      userId: 'user-1',
      email: 'ann@example.com',
      name: 'Ann',
      role: 'user',
      passwordHash: '$scrypt$N=16384,r=8,p=1$c2FsdA$aGFzaA',
      ...overrides,
    },
  };
}

export function newKeyRegenerated(overrides: Partial<KeyRegeneratedData> = {}): KeyRegenerated {
  const { keyPrefix, keyHash } = generateApiKey();
  return {
    type: 'KeyRegenerated',
    data: {
      userId: 'user-1',
      keyId: 'key-1',
      keyPrefix,
      keyHash,
      regeneratedBy: 'user-1',
      ...overrides,
    },
  };
}

export function newKeyCleared(overrides: Partial<KeyClearedData> = {}): KeyCleared {
  return {
    type: 'KeyCleared',
    data: { userId: 'user-1', keyId: 'key-1', clearedBy: 'user-1', reason: 'self', ...overrides },
  };
}
