import { randomBytes } from 'node:crypto';

export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * The largest multiple of 62 that fits in a byte (4 × 62). Bytes at or above it are thrown away,
 * so each of the 62 characters is exactly equally likely (no modulo bias).
 */
const UNBIASED_BYTE_LIMIT = 248;

/** `length` uniformly random base62 characters from the OS CSPRNG (log2(62) ≈ 5.95 bits each). */
export function randomBase62(length: number): string {
  let result = '';
  while (result.length < length) {
    // About 3% of bytes are rejected; asking for a few extra usually finishes in one round.
    for (const byte of randomBytes(length - result.length + 8)) {
      if (byte < UNBIASED_BYTE_LIMIT && result.length < length) {
        result += BASE62_ALPHABET[byte % 62];
      }
    }
  }
  return result;
}

/** `value` (a non-negative safe integer) in base62, left-padded with `0` to `width` characters. */
export function encodeBase62(value: number, width: number): string {
  let digits = '';
  let rest = value;
  do {
    digits = BASE62_ALPHABET[rest % 62] + digits;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  return digits.padStart(width, BASE62_ALPHABET[0]);
}
