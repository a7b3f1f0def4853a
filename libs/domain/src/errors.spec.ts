import {
  ActionNotAllowed,
  DomainError,
  EmailAlreadyTaken,
  InvalidInput,
  UserAlreadyExists,
  UserNotFound,
} from './errors';

describe(DomainError.name, () => {
  it.each([
    [new UserNotFound('u1'), 'not_found'],
    [new UserAlreadyExists('u1'), 'conflict'],
    [new EmailAlreadyTaken('ann@example.com'), 'conflict'],
    [new InvalidInput('email', 'is not a valid email address'), 'invalid'],
    [new ActionNotAllowed('no'), 'forbidden'],
  ])('%s has kind %s', (error, kind) => {
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toBeInstanceOf(Error);
    expect(error.kind).toBe(kind);
  });

  it('names errors after their class', () => {
    const sut = new UserNotFound('u1');

    expect(sut.name).toBe('UserNotFound');
    expect(String(sut)).toBe('UserNotFound: User u1 does not exist');
  });
});
