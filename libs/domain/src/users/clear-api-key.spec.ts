import { ActionNotAllowed, InvalidInput, UserNotFound } from '../errors';
import type { KeyClearReason } from '../events/key-cleared';
import { given } from '../testing/given-user-events';
import { newKeyCleared, newKeyRegenerated, newUserCreated } from '../testing/user-event-factories';
import { decideClearApiKey, type ClearApiKey } from './clear-api-key';

describe(decideClearApiKey.name, () => {
  const selfClear: ClearApiKey = { userId: 'user-1', actorId: 'user-1', reason: 'self' };
  const adminClear: ClearApiKey = { userId: 'user-1', actorId: 'admin-1', reason: 'admin' };

  it('clears the active key at the owner’s request', () => {
    const events = given(newUserCreated(), newKeyRegenerated({ keyId: 'key-7' })).when(
      decideClearApiKey,
      selfClear,
    );

    expect(events).toEqual([
      {
        type: 'KeyCleared',
        data: { userId: 'user-1', keyId: 'key-7', clearedBy: 'user-1', reason: 'self' },
      },
    ]);
  });

  it('clears the active key at an admin’s request', () => {
    const events = given(newUserCreated(), newKeyRegenerated({ keyId: 'key-7' })).when(
      decideClearApiKey,
      adminClear,
    );

    expect(events).toEqual([
      {
        type: 'KeyCleared',
        data: { userId: 'user-1', keyId: 'key-7', clearedBy: 'admin-1', reason: 'admin' },
      },
    ]);
  });

  it('clears the newest key after several regenerations', () => {
    const events = given(
      newUserCreated(),
      newKeyRegenerated({ keyId: 'key-1' }),
      newKeyRegenerated({ keyId: 'key-2' }),
    ).when(decideClearApiKey, selfClear);

    expect(events).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ keyId: 'key-2' }) }),
    ]);
  });

  it('does nothing when the user never had a key', () => {
    expect(given(newUserCreated()).when(decideClearApiKey, selfClear)).toEqual([]);
  });

  it('does nothing when the key is already cleared', () => {
    const sut = given(newUserCreated(), newKeyRegenerated(), newKeyCleared());

    expect(sut.when(decideClearApiKey, selfClear)).toEqual([]);
    expect(sut.when(decideClearApiKey, adminClear)).toEqual([]);
  });

  it('fails for a user that does not exist', () => {
    expect(() => given().when(decideClearApiKey, selfClear)).toThrow(UserNotFound);
  });

  it('refuses a "self" clear by someone else', () => {
    const when = () =>
      given(newUserCreated(), newKeyRegenerated()).when(decideClearApiKey, {
        ...selfClear,
        actorId: 'user-2',
      });

    expect(when).toThrow(ActionNotAllowed);
    expect(when).toThrow(expect.objectContaining({ kind: 'forbidden' }));
  });

  it('rejects an unknown reason', () => {
    const when = () =>
      given(newUserCreated(), newKeyRegenerated()).when(decideClearApiKey, {
        ...adminClear,
        reason: 'bored' as KeyClearReason,
      });

    expect(when).toThrow(InvalidInput);
  });
});
