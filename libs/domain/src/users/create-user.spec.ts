import { InvalidInput, UserAlreadyExists } from '../errors';
import { given } from '../testing/given-user-events';
import { newUserCreated } from '../testing/user-event-factories';
import { decideCreateUser, type CreateUser } from './create-user';
import type { UserRole } from './user-role';

describe(decideCreateUser.name, () => {
  const command: CreateUser = {
    userId: 'user-1',
    email: 'ann@example.com',
    name: 'Ann',
    role: 'user',
    passwordHash: '$scrypt$hash',
  };

  it('creates a user that does not exist yet', () => {
    expect(given().when(decideCreateUser, command)).toEqual([
      { type: 'UserCreated', data: command },
    ]);
  });

  it('normalises the email and trims the name', () => {
    const [event] = given().when(decideCreateUser, {
      ...command,
      email: '  Ann@Example.COM ',
      name: ' Ann ',
    });

    expect(event.data).toMatchObject({ email: 'ann@example.com', name: 'Ann' });
  });

  it('creates admins', () => {
    const [event] = given().when(decideCreateUser, { ...command, role: 'admin' });

    expect(event.data).toMatchObject({ role: 'admin' });
  });

  it('refuses to create the same user twice', () => {
    expect(() => given(newUserCreated()).when(decideCreateUser, command)).toThrow(
      UserAlreadyExists,
    );
  });

  it.each([
    ['email', { email: 'not-an-email' }],
    ['email', { email: '   ' }],
    ['name', { name: ' ' }],
    ['userId', { userId: '' }],
    ['passwordHash', { passwordHash: '' }],
    ['role', { role: 'root' as UserRole }],
  ])('rejects an invalid %s', (field, change) => {
    const when = () => given().when(decideCreateUser, { ...command, ...change });

    expect(when).toThrow(InvalidInput);
    expect(when).toThrow(expect.objectContaining({ field, kind: 'invalid' }));
  });
});
