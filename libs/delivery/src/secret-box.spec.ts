import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { SecretBoxError, decryptSecret, encryptSecret } from './secret-box';

const key = randomBytes(32);
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function replacePart(box: string, index: number, replace: (part: string) => string): string {
  const parts = box.split('.');
  parts[index] = replace(parts[index] as string);
  return parts.join('.');
}

/** Flips one bit of the bytes behind a base64url part. */
function flipBit(part: string, bit = 0): string {
  const bytes = Buffer.from(part, 'base64url');
  bytes[bit >> 3] = (bytes[bit >> 3] as number) ^ (1 << (bit & 7));
  return bytes.toString('base64url');
}

function failureOf(open: () => unknown): string {
  try {
    open();
  } catch (error) {
    if (error instanceof SecretBoxError) {
      return error.reason;
    }
    throw error;
  }
  throw new Error('expected the box not to open');
}

describe(encryptSecret.name, () => {
  it('round-trips through decryptSecret', () => {
    const sut = encryptSecret(secret, key);

    expect(decryptSecret(sut, key)).toBe(secret);
  });

  it('round-trips any string, the empty one included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (plaintext) => {
        expect(decryptSecret(encryptSecret(plaintext, key), key)).toBe(plaintext);
      }),
    );
  });

  it('has the form v1.<iv>.<tag>.<ciphertext>, base64url, 12-byte IV, 16-byte tag', () => {
    const sut = encryptSecret(secret, key);

    expect(sut).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(sut).not.toContain(secret);
  });

  it('uses a fresh IV each time, so equal secrets give different boxes', () => {
    const boxes = new Set(Array.from({ length: 1000 }, () => encryptSecret(secret, key)));

    expect(boxes.size).toBe(1000);
  });

  it.each([16, 31, 33, 0])('refuses a %i-byte key', (length) => {
    expect(() => encryptSecret(secret, randomBytes(length))).toThrow(RangeError);
  });
});

describe(decryptSecret.name, () => {
  const box = encryptSecret(secret, key);

  it('fails authentication under another key', () => {
    expect(failureOf(() => decryptSecret(box, randomBytes(32)))).toBe('authentication_failed');
  });

  it.each([
    ['the IV', 1],
    ['the tag', 2],
    ['the ciphertext', 3],
  ])('fails authentication when a bit of %s is flipped', (_, index) => {
    for (const bit of [0, 7, 60]) {
      const tampered = replacePart(box, index, (part) => flipBit(part, bit));

      expect(failureOf(() => decryptSecret(tampered, key))).toBe('authentication_failed');
    }
  });

  it('fails authentication for a truncated or extended ciphertext', () => {
    const reencode = (change: (bytes: Buffer) => Buffer) => (part: string) =>
      change(Buffer.from(part, 'base64url')).toString('base64url');
    const shorter = replacePart(
      box,
      3,
      reencode((bytes) => bytes.subarray(0, -1)),
    );
    const longer = replacePart(
      box,
      3,
      reencode((bytes) => Buffer.concat([bytes, Buffer.of(0)])),
    );

    expect(failureOf(() => decryptSecret(shorter, key))).toBe('authentication_failed');
    expect(failureOf(() => decryptSecret(longer, key))).toBe('authentication_failed');
  });

  it('binds a box to its associated data', () => {
    const bound = encryptSecret(secret, key, { associatedData: 'webhook-1' });

    expect(decryptSecret(bound, key, { associatedData: 'webhook-1' })).toBe(secret);
    expect(failureOf(() => decryptSecret(bound, key, { associatedData: 'webhook-2' }))).toBe(
      'authentication_failed',
    );
    expect(failureOf(() => decryptSecret(bound, key))).toBe('authentication_failed');
  });

  it.each([
    ['an empty string', ''],
    ['three parts', box.split('.').slice(0, 3).join('.')],
    ['five parts', `${box}.AA`],
    ['a short IV', replacePart(box, 1, (part) => part.slice(0, -2))],
    ['a short tag', replacePart(box, 2, (part) => part.slice(0, -3))],
    ['non-base64url characters', replacePart(box, 3, (part) => `${part}+/`)],
    ['a non-canonical encoding of the tag', replacePart(box, 2, spareBitsSet)],
  ])('calls %s malformed', (_, value) => {
    expect(failureOf(() => decryptSecret(value, key))).toBe('malformed');
  });

  it('refuses an unknown version', () => {
    expect(failureOf(() => decryptSecret(box.replace(/^v1/, 'v2'), key))).toBe(
      'unsupported_version',
    );
  });

  it('refuses a key of the wrong length', () => {
    expect(() => decryptSecret(box, randomBytes(16))).toThrow(RangeError);
  });
});

/** A 16-byte tag is 22 base64url characters whose last one carries 4 spare bits; set one. */
function spareBitsSet(tag: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(tag.at(-1) as string);
  return tag.slice(0, -1) + alphabet[last ^ 1];
}
