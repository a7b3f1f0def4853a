import { createHash } from 'node:crypto';
import { BASE62_ALPHABET } from './base62';
import {
  API_KEY_LENGTH,
  constantTimeEqualHex,
  generateApiKey,
  hasValidApiKeyShape,
  hasValidKeyPrefixShape,
  hashApiKey,
  isSha256Hex,
} from './api-key-format';

/** Replaces the character at `index` with a different base62 character. */
function changeCharAt(value: string, index: number): string {
  const current = value[index];
  const replacement = BASE62_ALPHABET[(BASE62_ALPHABET.indexOf(current) + 1) % 62];
  return value.slice(0, index) + replacement + value.slice(index + 1);
}

describe(generateApiKey.name, () => {
  it('produces hrld_ + 32 random base62 chars + 6 checksum chars', () => {
    const { apiKey } = generateApiKey();

    expect(apiKey).toMatch(/^hrld_[0-9A-Za-z]{38}$/);
    expect(apiKey).toHaveLength(API_KEY_LENGTH);
    expect(API_KEY_LENGTH).toBe(43);
  });

  it('identifies the key by hrld_ and its first 8 random characters', () => {
    const { apiKey, keyPrefix } = generateApiKey();

    expect(keyPrefix).toHaveLength(13);
    expect(apiKey.startsWith(keyPrefix)).toBe(true);
    expect(hasValidKeyPrefixShape(keyPrefix)).toBe(true);
  });

  it('hashes the full key with SHA-256', () => {
    const { apiKey, keyHash } = generateApiKey();

    expect(keyHash).toBe(createHash('sha256').update(apiKey).digest('hex'));
    expect(isSha256Hex(keyHash)).toBe(true);
  });

  it('passes its own shape check', () => {
    for (let i = 0; i < 100; i++) {
      expect(hasValidApiKeyShape(generateApiKey().apiKey)).toBe(true);
    }
  });

  it('never repeats a key, a prefix or a hash in 10,000 keys', () => {
    const keys = Array.from({ length: 10_000 }, generateApiKey);

    expect(new Set(keys.map((key) => key.apiKey)).size).toBe(10_000);
    expect(new Set(keys.map((key) => key.keyHash)).size).toBe(10_000);
    // 8 base62 chars ≈ 47.6 bits: a clash among 10k has probability ≈ 2.3e-7.
    expect(new Set(keys.map((key) => key.keyPrefix)).size).toBe(10_000);
  });
});

describe(hashApiKey.name, () => {
  it('is lower-case SHA-256 hex', () => {
    expect(hashApiKey('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe(hasValidApiKeyShape.name, () => {
  const { apiKey } = generateApiKey();

  it('detects any single changed character, wherever it is', () => {
    // A change in the prefix fails the prefix check; anywhere else, CRC-32 catches every
    // single-character change.
    for (let index = 0; index < apiKey.length; index++) {
      expect(hasValidApiKeyShape(changeCharAt(apiKey, index))).toBe(false);
    }
  });

  it('detects two swapped neighbours in the random part', () => {
    // CRC-32 catches every error burst of up to 32 bits, and a swap of two bytes is a 16-bit burst.
    for (let index = 5; index < 5 + 31; index++) {
      if (apiKey[index] !== apiKey[index + 1]) {
        const swapped =
          apiKey.slice(0, index) + apiKey[index + 1] + apiKey[index] + apiKey.slice(index + 2);
        expect(hasValidApiKeyShape(swapped)).toBe(false);
      }
    }
  });

  it.each([
    ['an empty string', ''],
    ['the prefix alone', 'hrld_'],
    ['a truncated key', apiKey.slice(0, -1)],
    ['a key with an extra character', `${apiKey}0`],
    ['a key with whitespace around it', ` ${apiKey} `],
    ['another prefix', `hrlx_${apiKey.slice(5)}`],
    ['an upper-case prefix', `HRLD_${apiKey.slice(5)}`],
    ['characters outside base62', `${apiKey.slice(0, 10)}-${apiKey.slice(11)}`],
    ['non-ASCII look-alikes', `${apiKey.slice(0, 10)}\u0430${apiKey.slice(11)}`],
    ['a key hash', hashApiKey(apiKey)],
    ['a bearer header value', `Bearer ${apiKey}`],
  ])('rejects %s', (_, value) => {
    expect(hasValidApiKeyShape(value)).toBe(false);
  });

  it.each([undefined, null, 42, ['hrld_'], { apiKey }])('rejects the non-string %p', (value) => {
    expect(hasValidApiKeyShape(value)).toBe(false);
  });
});

describe(constantTimeEqualHex.name, () => {
  const hash = hashApiKey('a');

  it('is true for equal hex strings, ignoring case', () => {
    expect(constantTimeEqualHex(hash, hash)).toBe(true);
    expect(constantTimeEqualHex(hash, hash.toUpperCase())).toBe(true);
  });

  it('is false for different hashes', () => {
    expect(constantTimeEqualHex(hash, hashApiKey('b'))).toBe(false);
    const lastDigitChanged = hash.slice(0, -1) + (hash.endsWith('0') ? '1' : '0');
    expect(constantTimeEqualHex(hash, lastDigitChanged)).toBe(false);
  });

  it('is false for different lengths', () => {
    expect(constantTimeEqualHex(hash, hash.slice(0, -2))).toBe(false);
    expect(constantTimeEqualHex('', hash)).toBe(false);
  });

  it('is false for malformed hex that Buffer would silently truncate', () => {
    // Buffer.from('abzz', 'hex') and Buffer.from('abyy', 'hex') are both <ab>.
    expect(constantTimeEqualHex('abzz', 'abyy')).toBe(false);
    expect(constantTimeEqualHex('abc', 'abc')).toBe(false);
  });
});
