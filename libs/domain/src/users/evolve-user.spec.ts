import { given } from '../testing/given-user-events';
import { newKeyCleared, newKeyRegenerated, newUserCreated } from '../testing/user-event-factories';
import { evolveUser } from './evolve-user';
import { initialUserState } from './user-state';

describe(evolveUser.name, () => {
  const created = newUserCreated({ userId: 'user-1', email: 'ann@example.com', role: 'admin' });
  const regenerated = newKeyRegenerated({ keyId: 'key-1', regeneratedBy: 'user-1' });

  it('starts with no user', () => {
    expect(given().state).toEqual({ exists: false, key: null });
  });

  it('folds UserCreated into an existing user without a key or password hash', () => {
    expect(given(created).state).toEqual({
      exists: true,
      userId: 'user-1',
      email: 'ann@example.com',
      name: 'Ann',
      role: 'admin',
      key: null,
    });
  });

  it('folds KeyRegenerated into the active key', () => {
    expect(given(created, regenerated).state.key).toEqual({
      keyId: 'key-1',
      keyPrefix: regenerated.data.keyPrefix,
      keyHash: regenerated.data.keyHash,
      regeneratedBy: 'user-1',
    });
  });

  it('keeps only the newest key', () => {
    const newer = newKeyRegenerated({ keyId: 'key-2' });

    expect(given(created, regenerated, newer).state.key).toMatchObject({
      keyId: 'key-2',
      keyHash: newer.data.keyHash,
    });
  });

  it('folds KeyCleared into no key', () => {
    expect(given(created, regenerated, newKeyCleared({ keyId: 'key-1' })).state.key).toBeNull();
  });

  it('ignores a KeyCleared for a key that is no longer active', () => {
    const newer = newKeyRegenerated({ keyId: 'key-2' });
    const staleClear = newKeyCleared({ keyId: 'key-1' });

    expect(given(created, regenerated, newer, staleClear).state.key).toMatchObject({
      keyId: 'key-2',
    });
  });

  it('takes timestamps from recordedAt, never from the clock', () => {
    const createdAt = new Date('2030-01-01T00:00:00Z');
    const regeneratedAt = new Date('2030-01-02T00:00:00Z');

    const { state } = given(
      { ...created, recordedAt: createdAt },
      { ...regenerated, recordedAt: regeneratedAt },
    );

    expect(state).toMatchObject({ createdAt, key: { lastRegeneratedAt: regeneratedAt } });
  });

  it('is deterministic and does not mutate the state it is given', () => {
    const before = given(created).state;
    const snapshot = structuredClone(before);

    const first = evolveUser(before, regenerated);
    const second = evolveUser(before, regenerated);

    expect(first).toEqual(second);
    expect(before).toEqual(snapshot);
  });

  it('ignores event types it does not know', () => {
    const state = given(created).state;

    expect(evolveUser(state, { type: 'WebhookSubscribed', data: {} })).toBe(state);
  });

  it('ignores key events before the user exists', () => {
    expect(evolveUser(initialUserState(), regenerated)).toEqual(initialUserState());
  });
});
