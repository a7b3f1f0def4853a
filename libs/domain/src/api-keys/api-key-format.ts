import { createHash, timingSafeEqual } from 'node:crypto';
import { BASE62_ALPHABET, encodeBase62, randomBase62 } from './base62';
import { crc32 } from './crc32';

/*
 * API key format (43 characters, all ASCII, safe in headers and URLs without escaping). Spaced out
 * for reading; the checksum shown is made up:
 *
 *   hrld_ 4Fq9ZkT0aB3xYc7LmN2pQr8sUv1wXy6z Ab3dE9
 *   └────┘└──────────────────────────────┘└────┘
 *   prefix  32 random base62 chars          checksum
 *
 * - `hrld_` is fixed so secret scanners and `grep` can find leaked keys.
 * - 32 base62 characters from node:crypto, rejection-sampled (uniform): ≈ 190.5 bits. The UI
 *   identifier `keyPrefix` reveals the first 8 of them; the other 24 still carry ≈ 142.9 bits,
 *   above the 128 the design requires.
 * - The checksum is CRC-32 of `hrld_` + the random part, base62, zero-padded to 6 characters
 *   (62^6 > 2^32). It lets scanners and `hasValidApiKeyShape` reject typos and look-alikes without
 *   a database lookup. It is not a secret and adds no strength.
 *
 * Only SHA-256 hex of the whole key (`keyHash`) is stored. A plain hash suffices — no salt, no slow
 * KDF — because the key is already ≥ 128 random bits: there is nothing to brute-force.
 */
export const API_KEY_PREFIX = 'hrld_';
export const API_KEY_RANDOM_LENGTH = 32;
export const API_KEY_CHECKSUM_LENGTH = 6;
export const API_KEY_LENGTH =
  API_KEY_PREFIX.length + API_KEY_RANDOM_LENGTH + API_KEY_CHECKSUM_LENGTH;
/** How many random characters `keyPrefix` shows after `hrld_`. */
export const KEY_PREFIX_RANDOM_LENGTH = 8;

const BASE62_CLASS = `[${BASE62_ALPHABET}]`;
const API_KEY_PATTERN = new RegExp(
  `^${API_KEY_PREFIX}${BASE62_CLASS}{${API_KEY_RANDOM_LENGTH + API_KEY_CHECKSUM_LENGTH}}$`,
);
const KEY_PREFIX_PATTERN = new RegExp(
  `^${API_KEY_PREFIX}${BASE62_CLASS}{${KEY_PREFIX_RANDOM_LENGTH}}$`,
);
const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;

export interface GeneratedApiKey {
  /** The plaintext key: show it to its owner once, then forget it. */
  readonly apiKey: string;
  /** `hrld_` + the first 8 random characters, to recognise the key in lists and logs. */
  readonly keyPrefix: string;
  /** SHA-256 hex of `apiKey`: what is stored and looked up. */
  readonly keyHash: string;
}

export function generateApiKey(): GeneratedApiKey {
  const body = API_KEY_PREFIX + randomBase62(API_KEY_RANDOM_LENGTH);
  const apiKey = body + checksumOf(body);
  return {
    apiKey,
    keyPrefix: body.slice(0, API_KEY_PREFIX.length + KEY_PREFIX_RANDOM_LENGTH),
    keyHash: hashApiKey(apiKey),
  };
}

/** SHA-256 of the key's UTF-8 bytes, lower-case hex (64 characters). */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/**
 * True when `value` has the prefix, length, alphabet and a matching checksum of an API key. Cheap
 * and allocation-light, so garbage is turned away before any hashing or database lookup. It says
 * nothing about whether the key exists.
 */
export function hasValidApiKeyShape(value: unknown): value is string {
  if (typeof value !== 'string' || !API_KEY_PATTERN.test(value)) {
    return false;
  }
  const body = value.slice(0, -API_KEY_CHECKSUM_LENGTH);
  return value.slice(-API_KEY_CHECKSUM_LENGTH) === checksumOf(body);
}

/** True when `value` looks like a `keyPrefix` produced by `generateApiKey`. */
export function hasValidKeyPrefixShape(value: unknown): value is string {
  return typeof value === 'string' && KEY_PREFIX_PATTERN.test(value);
}

/** True for 64 lower-case hex characters — the form `hashApiKey` produces. */
export function isSha256Hex(value: unknown): value is string {
  return typeof value === 'string' && SHA256_HEX_PATTERN.test(value);
}

/**
 * Compares two hex strings (e.g. key hashes) in time that depends only on their length, never on
 * where they differ. Case-insensitive. Malformed hex or different lengths return false; lengths of
 * hashes are public, so leaking them through timing is harmless.
 */
export function constantTimeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length || !isHex(a) || !isHex(b)) {
    return false;
  }
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

function isHex(value: string): boolean {
  // Buffer.from(…, 'hex') silently drops everything from the first bad character on, which would
  // make unequal strings compare equal; hence the check.
  return value.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(value);
}

function checksumOf(body: string): string {
  return encodeBase62(crc32(body), API_KEY_CHECKSUM_LENGTH);
}
