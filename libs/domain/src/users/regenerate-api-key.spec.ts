import { generateApiKey } from '../api-keys/api-key-format';
import { InvalidInput, UserNotFound } from '../errors';
import { given } from '../testing/given-user-events';
import { newKeyCleared, newKeyRegenerated, newUserCreated } from '../testing/user-event-factories';
import { decideRegenerateApiKey, type RegenerateApiKey } from './regenerate-api-key';

describe(decideRegenerateApiKey.name, () => {
  const { apiKey, keyPrefix, keyHash } = generateApiKey();
  const command: RegenerateApiKey = {
    userId: 'user-1',
    keyId: 'key-2',
    keyPrefix,
    keyHash,
    actorId: 'user-1',
  };
  const expectedEvent = {
    type: 'KeyRegenerated',
    data: { userId: 'user-1', keyId: 'key-2', keyPrefix, keyHash, regeneratedBy: 'user-1' },
  };

  it('enables API access the first time', () => {
    expect(given(newUserCreated()).when(decideRegenerateApiKey, command)).toEqual([expectedEvent]);
  });

  it('replaces an active key', () => {
    const events = given(newUserCreated(), newKeyRegenerated({ keyId: 'key-1' })).when(
      decideRegenerateApiKey,
      command,
    );

    expect(events).toEqual([expectedEvent]);
  });

  it('enables API access again after the key was cleared', () => {
    const events = given(newUserCreated(), newKeyRegenerated(), newKeyCleared()).when(
      decideRegenerateApiKey,
      command,
    );

    expect(events).toEqual([expectedEvent]);
  });

  it('records who regenerated the key', () => {
    const [event] = given(newUserCreated()).when(decideRegenerateApiKey, {
      ...command,
      actorId: 'admin-1',
    });

    expect(event.data).toMatchObject({ regeneratedBy: 'admin-1' });
  });

  it('fails for a user that does not exist', () => {
    expect(() => given().when(decideRegenerateApiKey, command)).toThrow(UserNotFound);
  });

  it('never lets a plaintext key into an event', () => {
    const when = () =>
      given(newUserCreated()).when(decideRegenerateApiKey, { ...command, keyHash: apiKey });

    expect(when).toThrow(InvalidInput);
    expect(when).toThrow(expect.objectContaining({ field: 'keyHash' }));
  });

  it.each([
    ['keyPrefix', { keyPrefix: 'sk_12345678' }],
    ['keyId', { keyId: '' }],
    ['actorId', { actorId: ' ' }],
  ])('rejects an invalid %s', (field, change) => {
    const when = () =>
      given(newUserCreated()).when(decideRegenerateApiKey, { ...command, ...change });

    expect(when).toThrow(expect.objectContaining({ field, kind: 'invalid' }));
  });
});
