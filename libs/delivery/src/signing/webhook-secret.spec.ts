import { Webhook } from 'standardwebhooks';
import {
  InvalidWebhookSecret,
  WEBHOOK_SECRET_BYTES,
  decodeWebhookSecret,
  generateWebhookSecret,
} from './webhook-secret';

describe(generateWebhookSecret.name, () => {
  it('is whsec_ + standard base64 of 32 bytes', () => {
    const sut = generateWebhookSecret();

    expect(sut).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(decodeWebhookSecret(sut)).toHaveLength(WEBHOOK_SECRET_BYTES);
  });

  it('is accepted by the standardwebhooks library', () => {
    expect(() => new Webhook(generateWebhookSecret())).not.toThrow();
  });

  it('never repeats in 10,000 secrets', () => {
    const secrets = new Set(Array.from({ length: 10_000 }, generateWebhookSecret));

    expect(secrets.size).toBe(10_000);
  });
});

describe(decodeWebhookSecret.name, () => {
  it('decodes the base64 part', () => {
    const key = Buffer.alloc(24, 1);

    expect(decodeWebhookSecret(`whsec_${key.toString('base64')}`)).toEqual(key);
  });

  it.each([
    ['no prefix', Buffer.alloc(32).toString('base64')],
    ['a wrong prefix', `whsek_${Buffer.alloc(32).toString('base64')}`],
    ['base64url instead of base64', `whsec_${Buffer.alloc(32, 0xfb).toString('base64url')}`],
    ['characters Node would silently skip', `whsec_${Buffer.alloc(32).toString('base64')}!`],
    ['missing padding', `whsec_${Buffer.alloc(32).toString('base64').replace('=', '')}`],
    ['fewer than 24 bytes', `whsec_${Buffer.alloc(23).toString('base64')}`],
    ['more than 64 bytes', `whsec_${Buffer.alloc(65).toString('base64')}`],
    ['nothing after the prefix', 'whsec_'],
  ])('refuses %s', (_, secret) => {
    expect(() => decodeWebhookSecret(secret)).toThrow(InvalidWebhookSecret);
  });

  it('never puts the secret in the error message', () => {
    const secret = `whsec_${Buffer.alloc(10, 9).toString('base64')}`;

    expect(() => decodeWebhookSecret(secret)).toThrow(
      expect.not.objectContaining({ message: expect.stringContaining(secret.slice(6)) }),
    );
  });
});
