import { isPlausibleEmail, normalizeEmail } from './email';

describe(normalizeEmail.name, () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Ann.Lee@Example.COM\n')).toBe('ann.lee@example.com');
  });
});

describe(isPlausibleEmail.name, () => {
  it.each(['ann@example.com', 'ann+tag@mail.example.co.uk', "o'brien@example.ie"])(
    'accepts %s',
    (email) => {
      expect(isPlausibleEmail(email)).toBe(true);
    },
  );

  it.each([
    '',
    'ann',
    'ann@',
    '@example.com',
    'ann@example',
    'ann@@example.com',
    'ann lee@example.com',
    'ann@example..com',
    'ann@.example.com',
    `${'a'.repeat(250)}@example.com`,
  ])('rejects %j', (email) => {
    expect(isPlausibleEmail(email)).toBe(false);
  });
});
